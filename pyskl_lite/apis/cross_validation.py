"""K-fold cross-validation of a config (``tools/cross_validate.py``).

The folds (:mod:`pyskl_lite.datasets.folds`) are built from the samples of the config's
**train and val splits pooled** (its ``train_dataloader`` and ``val_dataloader`` datasets; the
test split is not added, so a config whose test split is a third, held-out split keeps it
unseen), or read from ``fold<i>_train`` / ``fold<i>_val`` splits of the pickle. They reach the
dataset without copying data: ``PoseDataset`` accepts an explicit list of ``frame_dir`` as its
``split``, and each fold's config sets ``train_split`` / ``test_split`` to the fold's lists
(the usual ``--cfg-options`` shortcuts, so dataset wrappers are followed).

Each fold is trained in this process with the config (validation off, so no "best"
checkpoint is chosen on the fold's test data), and its **final** model is tested on the fold's
validation samples with the config's test pipeline. Work dir layout::

    <work_dir>/folds.json               the fold plan (ids of every fold, grouping)
    <work_dir>/fold<k>/                 the fold's training run (config, logs, checkpoints)
    <work_dir>/fold<k>/results.pkl      its per-sample test results (tools/test.py --out format)
    <work_dir>/fold<k>/metrics.csv      its metrics
    <work_dir>/cross_validation.csv     one row per fold, then mean and std
"""
from __future__ import annotations

import gc
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from mmengine.config import Config

from pyskl_lite.datasets.folds import Fold, FoldPlan, plan_folds
from pyskl_lite.evaluation.results_io import read_results
from pyskl_lite.evaluation.summary import DEFAULT_EVAL, evaluate_scores, metric_configs
from pyskl_lite.utils import InputError

from .config import load_config
from .runner import build_runner
from .sanity import innermost_dataset

PLAN_JSON = 'folds.json'
RESULTS_FILE = 'results.pkl'
SUMMARY_CSV = 'cross_validation.csv'


def plan_cross_validation(config: str, cfg_options: Mapping[str, Any] | None,
                          num_folds: int | None, group_by: str = 'auto',
                          group_pattern: str | None = None, seed: int = 0) -> FoldPlan:
    """The folds of ``config``'s data: its train and val splits pooled (see the module doc).

    Raises:
        InputError: when the config's loaders read different annotation files, or the data
            does not allow the grouping (:func:`~pyskl_lite.datasets.folds.plan_folds`).
    """
    cfg = load_config(config, dict(cfg_options or {}))
    datasets = {name: innermost_dataset(cfg[name]['dataset'])
                for name in ('train_dataloader', 'val_dataloader', 'test_dataloader')
                if cfg.get(name)}
    if 'train_dataloader' not in datasets or 'test_dataloader' not in datasets:
        raise InputError.at(config, 'cross-validation trains and tests every fold: the config '
                            'needs a train_dataloader and a test_dataloader',
                            field='test_dataloader')
    ann_file = datasets['train_dataloader']['ann_file']
    for name, dataset in datasets.items():
        if dataset.get('ann_file') != ann_file:
            raise InputError.at(config, f'{name} reads {dataset.get("ann_file")} but '
                                f'train_dataloader {ann_file}; the folds need one annotation '
                                'file (set --cfg-options ann_file=...)', field='ann_file')
    pooled = [datasets[name].get('split') for name in ('train_dataloader', 'val_dataloader')
              if name in datasets]
    return plan_folds(ann_file, pooled, num_folds, group_by, group_pattern, seed)


def fold_config(config: str, cfg_options: Mapping[str, Any] | None, fold: Fold,
                work_dir: str, seed: int = 0, topk: Sequence[int] = (1, 5)) -> Config:
    """``config`` with ``cfg_options``, trained on ``fold.train`` without validation and tested
    on ``fold.val``, writing into ``work_dir`` (results file :data:`RESULTS_FILE`)."""
    options = dict(cfg_options or {}, train_split=fold.train, test_split=fold.val)
    cfg = load_config(config, options)
    cfg.work_dir = work_dir
    cfg.randomness = dict(cfg.get('randomness') or {}, seed=seed)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if cfg.get('default_hooks', {}).get('checkpoint'):
        cfg.default_hooks.checkpoint.save_best = None
    cfg.test_cfg = cfg.get('test_cfg') or dict(type='TestLoop')
    cfg.test_evaluator = metric_configs(DEFAULT_EVAL, topk,
                                        out_file=os.path.join(work_dir, RESULTS_FILE))
    cfg.load_from, cfg.resume = None, False
    return cfg


def run_fold(config: str, cfg_options: Mapping[str, Any] | None, fold: Fold, work_dir: str,
             seed: int = 0, topk: Sequence[int] = (1, 5),
             reuse: bool = False) -> dict[str, float]:
    """Train and test one fold (:func:`fold_config`); return its metrics (``acc/top1``,
    ``acc/top5``, ``acc/mean_class``, fractions), computed from its results file.

    Args:
        reuse: when the fold's results file already exists (a finished fold of an
            interrupted run), evaluate it instead of training again.
    """
    results = os.path.join(work_dir, RESULTS_FILE)
    if not (reuse and os.path.isfile(results)):
        if os.path.isfile(results):
            os.remove(results)
        runner = build_runner(fold_config(config, cfg_options, fold, work_dir, seed, topk))
        runner.train()
        runner.test()
        del runner
        gc.collect()
    stored = read_results(results)
    if sorted(stored.frame_dirs) != sorted(fold.val):
        raise InputError.at(results, f'holds {len(stored.frame_dirs)} samples but fold '
                            f'{fold.index} validates on {len(fold.val)}; delete it to rerun the '
                            'fold', field='frame_dir')
    return evaluate_scores(stored.scores, stored.labels, stored.classes, DEFAULT_EVAL, topk,
                           frame_dirs=stored.frame_dirs)


def write_plan(plan: FoldPlan, work_dir: str, resume: bool = False) -> str:
    """Write the plan to ``<work_dir>/folds.json``; with ``resume``, first check that a plan
    already there has the same folds (so finished folds can be reused)."""
    path = os.path.join(work_dir, PLAN_JSON)
    data = plan.to_dict()
    if resume and os.path.isfile(path):
        with open(path, encoding='utf-8') as file:
            previous = json.load(file)
        if previous.get('folds') != data['folds']:
            raise InputError.at(path, 'holds other folds than this run (another config, '
                                'seed, --folds or grouping); use another --work-dir or drop '
                                '--resume', field='folds')
    os.makedirs(work_dir, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as file:
        json.dump(data, file, indent=1)
    return path


def summarize_folds(plan: FoldPlan, metrics: Sequence[Mapping[str, float]]) -> pd.DataFrame:
    """One row per fold (``fold``, ``train``, ``val`` sample counts, ``val_subjects`` when
    grouped, then the metrics), then ``mean`` and ``std`` rows of the metrics (std over folds
    with ``ddof=1``, the sample standard deviation)."""
    rows = []
    for fold, values in zip(plan.folds, metrics, strict=True):
        row: dict[str, Any] = dict(fold=str(fold.index), train=len(fold.train),
                                   val=len(fold.val))
        if plan.groups is not None:
            row['val_subjects'] = len({plan.groups[i] for i in fold.val})
        rows.append(row | dict(values))
    table = pd.DataFrame(rows)
    names = list(metrics[0])
    mean = dict(fold='mean') | table[names].mean().to_dict()
    std = dict(fold='std') | table[names].std(ddof=1).to_dict()
    table = pd.concat([table, pd.DataFrame([mean, std])], ignore_index=True)
    counts = [c for c in ('train', 'val', 'val_subjects') if c in table]
    table[counts] = table[counts].astype('Int64')
    return table


def format_folds_table(table: pd.DataFrame) -> str:
    """The summary as text: counts as integers, metrics (``acc/``, ``macro/``) in percent."""
    shown = table.copy()
    for column in shown.columns:
        if column.startswith(('acc/', 'macro/')):
            shown[column] = [f'{100 * v:.2f}' for v in shown[column]]
        elif column != 'fold':
            shown[column] = ['' if pd.isna(v) else str(int(v)) for v in shown[column]]
    shown.columns = [c + (' %' if c.startswith(('acc/', 'macro/')) else '')
                     for c in shown.columns]
    return shown.to_string(index=False)


def write_summary_csv(table: pd.DataFrame, work_dir: str) -> str:
    """Write :func:`summarize_folds`' table (metrics as fractions) to
    ``<work_dir>/cross_validation.csv``."""
    path = os.path.join(work_dir, SUMMARY_CSV)
    table.to_csv(path, index=False, float_format='%.6f')
    return path
