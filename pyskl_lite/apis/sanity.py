"""The overfitting sanity check: can the model learn a small training subset perfectly?

A correct model, loss and optimiser reach 100 % training top-1 on ~100 samples when nothing
fights memorisation. :func:`sanity_config` turns a training config into that experiment:

- data: a class-balanced subset of the training split, seen through the validation pipeline
  (deterministic sampling, one clip, no augmentation) with ``test_mode=True``;
- model: every dropout probability set to 0; optimiser: the config's, with weight decay 0,
  in batches of at most ``batch_size`` (16: more steps per epoch than the usual 32), and the
  config's base learning rate decayed to 0 over the budget by a cosine (the config's schedulers
  removed): a constant rate keeps the last epochs noisy, so the set is learnt but not held;
- "training top-1" of an epoch = the share of the epoch's training samples that the model
  classified right in their training forward pass (the ``top1_acc`` of the loss dict,
  weighted by batch size; :class:`TrainingAccuracyHook`). No separate evaluation pass, which
  would cost another third of every epoch; training stops as soon as it is 100 %;
- no validation, no checkpoints.

The budget is ``max_epochs`` epochs (default 50) in batches of at most ``batch_size``
(default 16). A config whose model needs more optimiser steps to memorise (a recurrent or
graph network learns more slowly per step than a CNN) states its own defaults, which the
arguments still override::

    sanity_check = dict(max_epochs=60, batch_size=8)
"""
from __future__ import annotations

import copy
import math
import os
from typing import Any

import numpy as np
from mmengine.config import Config, ConfigDict
from mmengine.hooks import Hook

from pyskl_lite.registry import DATASETS, HOOKS
from pyskl_lite.utils import InputError

from .console import FILE_ONLY

#: Model config keys that hold a dropout probability.
DROPOUT_KEYS = ('dropout', 'tcn_dropout', 'drop_rate', 'dropout_ratio', 'drop_path_rate')
#: Stop once training top-1 reaches this (i.e. every sample right).
PERFECT = 1.0 - 1e-9
#: Budget when neither the arguments nor the config's ``sanity_check`` dict give one.
DEFAULT_BUDGET = dict(max_epochs=50, batch_size=16)


@HOOKS.register_module()
class TrainingAccuracyHook(Hook):
    """Per-epoch training top-1 from the training batches, and a stop at 100 %.

    Reads ``top1_acc`` of the model's loss dict after every iteration and weights it by the
    batch size; logs the epoch's value and sets ``train_loop.stop_training`` when it reaches
    ``stop_at``.

    Attributes:
        history: ``[(epoch, top1), ...]`` (1-based epochs, top-1 in [0, 1]).
    """

    priority = 'LOW'

    def __init__(self, stop_at: float = PERFECT) -> None:
        self.stop_at = stop_at
        self.history: list[tuple[int, float]] = []
        self._hits = self._seen = 0.0

    def before_train_epoch(self, runner) -> None:
        self._hits = self._seen = 0.0

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if outputs is None or 'top1_acc' not in outputs:
            raise InputError.at(runner.cfg.filename or '<config>', 'the sanity check needs the '
                                "model's loss dict to report top1_acc", field='model')
        size = len(data_batch['data_samples'])
        self._hits += float(outputs['top1_acc']) * size
        self._seen += size

    def after_train_epoch(self, runner) -> None:
        top1 = self._hits / max(self._seen, 1.0)
        self.history.append((runner.epoch + 1, top1))
        runner.logger.info(f'training top-1 of epoch {runner.epoch + 1}: {100 * top1:.1f}%',
                           extra=FILE_ONLY)
        if top1 >= self.stop_at:
            runner.train_loop.stop_training = True


def innermost_dataset(dataset_cfg: dict) -> dict:
    """The dataset config below dataset wrappers (``dict(type='RepeatDataset', dataset=...)``)."""
    while 'dataset' in dataset_cfg and 'ann_file' not in dataset_cfg:
        dataset_cfg = dataset_cfg['dataset']
    return dataset_cfg


def balanced_subset(labels: np.ndarray, num_samples: int, seed: int = 0) -> list[int]:
    """Positions of ``num_samples`` samples spread evenly over the classes of ``labels``.

    Each class's samples are shuffled (``seed``), then classes contribute their 1st, 2nd, ...
    sample in turn until ``num_samples`` are taken, so class counts differ by at most one
    (unless a class runs out). Returns sorted positions; all of them when ``num_samples`` is
    at least ``len(labels)``.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(labels))
    shuffled = labels[order]
    # Rank of each (shuffled) sample within its class: 0 for the first of the class, ...
    by_class = np.argsort(shuffled, kind='stable')
    starts = np.searchsorted(shuffled[by_class], shuffled[by_class])
    rank_in_class = np.empty(len(labels), dtype=np.int64)
    rank_in_class[by_class] = np.arange(len(labels)) - starts
    chosen = order[np.lexsort((shuffled, rank_in_class))[:num_samples]]
    return sorted(chosen.tolist())


def _zero_keys(node: Any, keys: tuple[str, ...]) -> None:
    if isinstance(node, dict):
        for name in list(node):
            if name in keys and isinstance(node[name], (int, float)):
                node[name] = 0.0
            else:
                _zero_keys(node[name], keys)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _zero_keys(item, keys)


def sanity_config(cfg: Config, num_samples: int = 100, max_epochs: int | None = None,
                  seed: int = 0, batch_size: int | None = None, work_dir: str | None = None
                  ) -> tuple[Config, dict[str, Any]]:
    """Rewrite a training config into the overfitting experiment (module doc).

    Args:
        cfg: the loaded config (``--cfg-options`` already applied).
        num_samples: size of the class-balanced training subset.
        max_epochs: budget in epochs; ``None``: the config's ``sanity_check.max_epochs``,
            else 50.
        batch_size: largest batch (the config's training batch size when that is smaller);
            ``None``: the config's ``sanity_check.batch_size``, else 16.
        seed: seed of the subset choice and of the run.
        work_dir: output folder (default ``work_dirs/sanity_check/<config name>``).

    Returns:
        ``(config, info)``; ``info`` holds ``num_samples`` (taken), ``num_classes`` (in the
        subset), ``class_counts``, ``max_epochs`` and ``batch_size`` (as used).
    """
    cfg = copy.deepcopy(cfg)
    budget = {**DEFAULT_BUDGET, **(cfg.pop('sanity_check', None) or {})}
    max_epochs = budget['max_epochs'] if max_epochs is None else max_epochs
    batch_size = budget['batch_size'] if batch_size is None else batch_size
    source = innermost_dataset(cfg.train_dataloader.dataset)
    plain = copy.deepcopy(source)
    plain['pipeline'] = []
    plain.pop('indices', None)
    labels = DATASETS.build(plain).labels
    indices = balanced_subset(labels, num_samples, seed)
    subset = copy.deepcopy(source)
    subset.update(pipeline=copy.deepcopy(innermost_dataset(cfg.val_dataloader.dataset)['pipeline']),
                  test_mode=True, indices=indices)
    # Equal batches (100 samples at most 32 per batch: 4 x 25, not 3 x 32 + 4): a tiny last
    # batch makes batch-norm statistics and the step noisy.
    batch_size = min(cfg.train_dataloader.get('batch_size', batch_size), batch_size,
                     len(indices))
    batch_size = math.ceil(len(indices) / math.ceil(len(indices) / batch_size))
    loader = dict(batch_size=batch_size, num_workers=cfg.train_dataloader.get('num_workers', 0),
                  persistent_workers=cfg.train_dataloader.get('num_workers', 0) > 0,
                  dataset=subset)
    cfg.train_dataloader = ConfigDict(
        loader, sampler=dict(type='DefaultSampler', shuffle=True))
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    _zero_keys(cfg.model, DROPOUT_KEYS)
    optimizer = cfg.optim_wrapper.get('optimizer', {})
    if 'weight_decay' in optimizer:
        optimizer['weight_decay'] = 0.0
    cfg.param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_epochs, end=max_epochs,
                                eta_min=0, by_epoch=True, convert_to_iter_based=True)]
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=max(1, len(indices) // batch_size),
                                    ignore_last=False)
    cfg.custom_hooks = [hook for hook in cfg.get('custom_hooks', [])
                        if hook.get('type') != 'TrainingCurvesHook'] + [
        dict(type='TrainingAccuracyHook')]
    cfg.randomness = dict(seed=seed, deterministic=False)
    cfg.resume, cfg.load_from = False, None
    cfg.auto_scale_lr = dict(enable=False)
    cfg.work_dir = work_dir or os.path.join(
        'work_dirs', 'sanity_check', os.path.splitext(os.path.basename(cfg.filename))[0])
    subset_labels = np.asarray(labels)[indices]
    counts = np.bincount(subset_labels)
    info = dict(num_samples=len(indices), num_classes=int((counts > 0).sum()),
                class_counts=counts[counts > 0].tolist(), max_epochs=max_epochs,
                batch_size=batch_size)
    return cfg, info
