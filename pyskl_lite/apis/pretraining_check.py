"""The check of a label-free pretraining config (SimCLR), in place of the overfitting check:
its loss falls, and a linear probe on the pretrained backbone beats a linear probe on a
randomly initialised one.

``tools/sanity_check.py`` runs it for a config with ``label_free = True``:

1. pretrain on the config's training data for ``max_epochs`` epochs (default 12) and record
   the mean loss of every epoch; the loss *falls* when the last epoch's mean is at most
   ``1 - min_drop`` (default 0.8) times the first one's;
2. train a linear probe (``model.freeze_backbone=True``) of the supervised ``probe_config``
   (a path relative to the config's folder; it must have the same backbone) for
   ``probe_epochs`` epochs (default 8), once with ``load_from`` the pretrained checkpoint and
   once from the random initialisation, same seed; both are validated once, at the end;
3. pass when the loss fell and the pretrained probe's validation top-1 is higher.

A config states its budget and probe as ``sanity_check = dict(probe_config='c3d_keypoint_3d.py',
max_epochs=12, probe_epochs=8)``; the ``--cfg-options`` of the check apply to both configs
(the dataset options: one set serves both, see ``label_free`` in :mod:`.config`).
"""
from __future__ import annotations

import copy
import os
from typing import Any

from mmengine.config import Config
from mmengine.hooks import Hook

from pyskl_lite.registry import HOOKS
from pyskl_lite.utils import InputError

from .config import (
    DATASET_SHORTCUTS,
    GLOBAL_SHORTCUTS,
    NAMED_SHORTCUTS,
    _set_max_epochs,
    load_config,
)
from .console import FILE_ONLY

DEFAULT_PRETRAINING_BUDGET = dict(max_epochs=12, probe_epochs=8, min_drop=0.2)
#: ``--cfg-options`` of the check that also apply to the probe.
PROBE_SHORTCUTS = (*GLOBAL_SHORTCUTS, *NAMED_SHORTCUTS, *DATASET_SHORTCUTS)


@HOOKS.register_module()
class TrainingLossHook(Hook):
    """Mean training ``loss`` of every epoch.

    Attributes:
        history: ``[(epoch, mean loss), ...]`` (1-based epochs).
    """

    priority = 'LOW'

    def __init__(self) -> None:
        self.history: list[tuple[int, float]] = []
        self._sum = self._count = 0.0

    def before_train_epoch(self, runner) -> None:
        self._sum = self._count = 0.0

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if outputs is not None and 'loss' in outputs:
            loss = outputs['loss']
            self._sum += float(loss.detach() if hasattr(loss, 'detach') else loss)
            self._count += 1

    def after_train_epoch(self, runner) -> None:
        mean = self._sum / max(self._count, 1.0)
        self.history.append((runner.epoch + 1, mean))
        runner.logger.info(f'mean loss of epoch {runner.epoch + 1}: {mean:.4f}', extra=FILE_ONLY)


def pretraining_budget(cfg: Config, max_epochs: int | None = None) -> dict[str, Any]:
    """The config's ``sanity_check`` over :data:`DEFAULT_PRETRAINING_BUDGET`; ``max_epochs``
    (the tool's ``--max-epochs``) wins. Needs ``probe_config``."""
    budget = {**DEFAULT_PRETRAINING_BUDGET, **(cfg.get('sanity_check') or {})}
    if max_epochs is not None:
        budget['max_epochs'] = max_epochs
    if not budget.get('probe_config'):
        raise InputError.at(cfg.filename or '<config>', 'a label-free config is checked through '
                            "a linear probe: state the supervised config in sanity_check = "
                            "dict(probe_config='...')", field='sanity_check')
    return budget


def pretraining_config(cfg: Config, budget: dict[str, Any], seed: int, work_dir: str
                       ) -> Config:
    """``cfg`` for step 1: ``budget['max_epochs']`` epochs, one checkpoint at the end, the
    per-epoch loss recorded by :class:`TrainingLossHook`."""
    cfg = copy.deepcopy(cfg)
    cfg.pop('sanity_check', None)
    _set_max_epochs(cfg, cfg.filename or '<config>', budget['max_epochs'])
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=budget['max_epochs'],
                                        save_best=None)
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [dict(type='TrainingLossHook')]
    cfg.randomness = dict(seed=seed, deterministic=False)
    cfg.resume, cfg.load_from = False, None
    cfg.work_dir = work_dir
    return cfg


def probe_config(cfg: Config, cfg_options: dict[str, Any] | None, budget: dict[str, Any],
                 load_from: str | None, seed: int, work_dir: str) -> Config:
    """The linear probe of step 2: ``budget['probe_config']`` (next to ``cfg``'s file) with
    the check's dataset options (the shortcuts but ``max_epochs``, and ``*_dataloader.*``
    keys; the pretraining's other options do not apply to it), a frozen backbone,
    ``probe_epochs`` epochs, no validation during training and no checkpoints."""
    path = os.path.join(os.path.dirname(os.path.abspath(cfg.filename)), budget['probe_config'])
    options = {k: v for k, v in (cfg_options or {}).items() if k in PROBE_SHORTCUTS
               or k.split('.')[0] in ('train_dataloader', 'val_dataloader', 'test_dataloader')}
    probe = load_config(path, dict(options, max_epochs=budget['probe_epochs']))
    probe.model.freeze_backbone = True
    probe.load_from, probe.resume = load_from, False
    probe.train_cfg.val_begin = probe.train_cfg.val_interval = budget['probe_epochs'] + 1
    probe.default_hooks.checkpoint = None
    probe.custom_hooks = [hook for hook in probe.get('custom_hooks', [])
                          if hook.get('type') != 'TrainingCurvesHook']
    probe.randomness = dict(seed=seed, deterministic=False)
    probe.work_dir = work_dir
    return probe
