"""What ``tools/test.py`` and ``tools/ensemble.py`` report: the metrics chosen by ``--eval``,
their evaluation on a score matrix, the printed table and the files in the work dir.

Both tools compute their numbers with the same metric classes
(:mod:`pyskl_lite.evaluation.metrics`): ``tools/test.py`` inside mmengine's test loop,
:func:`evaluate_scores` on scores already on disk (results files, fused ensembles, folds of a
cross-validation).
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import torch
from mmengine.evaluator import Evaluator

from pyskl_lite.registry import METRICS
from pyskl_lite.utils.cli import DEFAULT_EVAL, EVAL_CHOICES

from .reports import (
    CONFUSION_COUNTS_CSV,
    CONFUSION_NORMALIZED_CSV,
    CONFUSION_PNG,
    PER_CLASS_CSV,
    write_metrics,
)

REPORT_FILES = {'confusion_matrix': (CONFUSION_COUNTS_CSV, CONFUSION_NORMALIZED_CSV,
                                     CONFUSION_PNG),
                'precision_recall_f1': (PER_CLASS_CSV,)}


def metric_configs(eval_names: Sequence[str] = DEFAULT_EVAL, topk: Sequence[int] = (1, 5),
                   out_dir: str | None = None, out_file: str | None = None) -> list[dict]:
    """The evaluator's metric configs for ``--eval`` names (:data:`EVAL_CHOICES`).

    Args:
        eval_names: metrics to compute; duplicates are ignored.
        topk: the ``k`` of top-k accuracy. Default ``(1, 5)``.
        out_dir: folder of the confusion matrix and per-class reports; None writes none.
        out_file: per-sample results file (``DumpPredictions``); None writes none.
    """
    chosen = list(dict.fromkeys(eval_names))
    unknown = sorted(set(chosen) - set(EVAL_CHOICES))
    if unknown:
        raise ValueError(f'unknown metrics {unknown}; known: {list(EVAL_CHOICES)}')
    metrics = []
    accuracy = [name for name in chosen if name in DEFAULT_EVAL]
    if accuracy:
        metrics.append(dict(type='AccMetric', metric_list=accuracy, topk=tuple(topk)))
    if 'confusion_matrix' in chosen:
        metrics.append(dict(type='ConfusionMatrix', out_dir=out_dir))
    if 'precision_recall_f1' in chosen:
        metrics.append(dict(type='PrecisionRecallF1', out_dir=out_dir))
    if out_file:
        metrics.append(dict(type='DumpPredictions', out_file=out_file))
    return metrics


def evaluate_scores(scores: np.ndarray, labels: np.ndarray,
                    classes: Sequence[str] | None = None,
                    eval_names: Sequence[str] = DEFAULT_EVAL, topk: Sequence[int] = (1, 5),
                    out_dir: str | os.PathLike | None = None,
                    frame_dirs: Sequence[str] | None = None) -> dict[str, float]:
    """Evaluate a score matrix as ``tools/test.py`` evaluates a model.

    Args:
        scores: ``(N, num_classes)`` probabilities or logits (only their order matters).
        labels: ``(N,)`` int ground truth.
        classes: class names for the reports; None gives ``class_0 ...``.
        eval_names, topk, out_dir: see :func:`metric_configs`.
        frame_dirs: sample ids (kept with the records, as in the test loop).

    Returns:
        The scalar metrics under the test loop's names (``acc/top1``, ``acc/mean_class``,
        ``macro/f1``, ...), fractions in ``[0, 1]``.
    """
    scores = np.asarray(scores, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    if scores.ndim != 2 or len(scores) != len(labels) or not len(labels):
        raise ValueError(f'expected scores (N, num_classes) and labels (N,), got '
                         f'{scores.shape} and {labels.shape}')
    frame_dirs = list(frame_dirs) if frame_dirs is not None else [''] * len(labels)
    out = None if out_dir is None else os.fspath(out_dir)
    evaluator = Evaluator([METRICS.build(config)
                           for config in metric_configs(eval_names, topk, out_dir=out)])
    evaluator.dataset_meta = dict(classes=None if classes is None else tuple(classes))
    evaluator.process([dict(frame_dir=frame_dir, gt_label=torch.tensor([label]),
                            pred_score=torch.from_numpy(score))
                       for frame_dir, label, score in zip(frame_dirs, labels, scores,
                                                          strict=True)])
    metrics = evaluator.evaluate(len(labels))
    return {name: float(value) for name, value in metrics.items()
            if isinstance(value, (int, float))}


def format_table(metrics: Mapping[str, float]) -> str:
    """``metric | value`` rows; accuracies (``acc/``, ``macro/``) in percent."""
    rows = [(name, f'{100 * value:.2f} %' if name.startswith(('acc/', 'macro/'))
             else f'{value:.4f}') for name, value in metrics.items()]
    width = max([len('metric')] + [len(name) for name, _ in rows])
    lines = [f'{"metric":<{width}}  value', f'{"-" * width}  {"-" * 9}']
    lines += [f'{name:<{width}}  {value:>9}' for name, value in rows]
    return '\n'.join(lines)


def write_summary(metrics: Mapping[str, float], eval_names: Sequence[str],
                  work_dir: str | os.PathLike) -> str:
    """Write ``metrics.csv`` into ``work_dir``; return the text the tools print: the table
    (:func:`format_table`), then one line per file in the work dir (metrics and, for the
    ``--eval`` names that write some, their reports)."""
    work_dir = os.path.abspath(os.fspath(work_dir))
    lines = [format_table(metrics), f'metrics: {write_metrics(metrics, work_dir)}']
    for name, files in REPORT_FILES.items():
        if name in eval_names:
            lines.append(f'{name}: ' + ', '.join(os.path.join(work_dir, file) for file in files))
    return '\n'.join(lines)
