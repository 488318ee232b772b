"""What a run shows on the console, and what goes to its log file only.

mmengine logs everything to both: the environment (one PyTorch build-flags line of ~1,500
characters), the whole config, the hook table, a line per logged iteration, checkpoint
bookkeeping and deprecation notices about mmengine's own internals. :class:`ConsoleFilter`
keeps those in the work dir's log file and off the console (``--verbose`` of the tools keeps
them on it), and :func:`run_summary` gives the few lines a person needs instead: config,
data, samples per split, classes, device, processes, total batch and learning rate.
"""
from __future__ import annotations

import logging
import os
import sys
from typing import Any

from mmengine.config import Config

#: ``extra=`` of a log call whose message belongs in the log file only.
FILE_ONLY = {'file_only': True}

#: Starts of mmengine's messages that go to the log file only: per-iteration and per-epoch
#: lines (the console has :class:`~pyskl_lite.apis.hooks.ConsoleProgressHook`), the hook
#: table, checkpoint bookkeeping, and notices about mmengine's internals a user cannot act on
#: (its CheckpointHook builds a deprecated ``FileClient`` whatever the config says).
FILE_ONLY_PREFIXES = (
    'Hooks will be executed in the following order',
    'Exp name:',
    'Epoch(train)', 'Epoch(val)', 'Epoch(test)', 'Iter(train)', 'Iter(val)', 'Iter(test)',
    'Checkpoints will be saved to',
    'Saving checkpoint at',
    'The best checkpoint with',
    'The previous best checkpoint',
    'Distributed training is not used',
    '"FileClient" will be deprecated',
    '"HardDiskBackend" is the alias',
    'Load checkpoint from',
    'Loads checkpoint by',
)


class ConsoleFilter(logging.Filter):
    """Drop file-only records (:data:`FILE_ONLY`, :data:`FILE_ONLY_PREFIXES`) from a console
    handler. Warnings and errors of other origins always pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, 'file_only', False):
            return False
        message = record.getMessage().lstrip()
        return not message.startswith(FILE_ONLY_PREFIXES)


def install_console_filter(logger: logging.Logger, verbose: bool = False) -> None:
    """Put a :class:`ConsoleFilter` on the console handlers of ``logger`` (not on its file
    handlers); with ``verbose`` remove it again."""
    for handler in logger.handlers:
        if isinstance(handler, logging.FileHandler) or not isinstance(
                handler, logging.StreamHandler):
            continue
        for old in [f for f in handler.filters if isinstance(f, ConsoleFilter)]:
            handler.removeFilter(old)
        if not verbose:
            handler.addFilter(ConsoleFilter())


class _StdoutHandler(logging.StreamHandler):
    """A handler that writes to ``sys.stdout`` as it is at each record (a redirect, pytest's
    capture), where the progress displays write too, so their order is kept."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, value) -> None:
        pass


def console_logger() -> logging.Logger:
    """``pyskl_lite.console``: the lines of a run meant for people (summary, one line per
    epoch), as bare messages on stdout."""
    logger = logging.getLogger('pyskl_lite.console')
    if not logger.handlers:
        handler = _StdoutHandler()
        handler.setFormatter(logging.Formatter('%(message)s'))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def _plural(count: int, word: str) -> str:
    return f'{count} {word}{"" if count == 1 else "es" if word.endswith("s") else "s"}'


def batch_lr_summary(batch_size: int, world_size: int, lr: float,
                     base_batch_size: int | None, auto_scale_lr: bool) -> str:
    """One line: the total batch of a run, its lr, and what ``--auto-scale-lr`` does.

    Args:
        batch_size: samples per process and step (``train_dataloader.batch_size``).
        world_size: number of processes.
        lr: the lr of the run (after ``--auto-scale-lr`` when that is on).
        base_batch_size: the total batch the config's lr is for
            (``auto_scale_lr.base_batch_size``); None when the config does not say.
        auto_scale_lr: whether ``--auto-scale-lr`` is on.

    Returns:
        e.g. ``total batch 128 (4 processes × 32), lr 0.1; the config's lr is for a total
        batch of 32: --auto-scale-lr would use lr 0.4, or keep lr 0.1 with
        --cfg-options train_dataloader.batch_size=8``.
    """
    total = batch_size * world_size
    text = f'total batch {total} ({_plural(world_size, "process")} × {batch_size}), lr {lr:g}'
    if not base_batch_size:
        return text + ' (the config has no auto_scale_lr.base_batch_size)'
    if auto_scale_lr:
        return text + (f' (--auto-scale-lr: the config\'s {lr * base_batch_size / total:g} × '
                       f'{total} / {base_batch_size})')
    if total == base_batch_size:
        return text + f', the lr the config has for a total batch of {base_batch_size}'
    text += (f'; the config\'s lr is for a total batch of {base_batch_size}: '
             f'--auto-scale-lr would use lr {lr * total / base_batch_size:g}')
    if base_batch_size % world_size == 0:
        text += (f', or keep lr {lr:g} with --cfg-options '
                 f'train_dataloader.batch_size={base_batch_size // world_size}')
    return text


def _dataset_line(role: str, dataset: Any) -> str:
    """``1728 train (xsub_train)``: samples, role and split of a dataloader's dataset."""
    inner = dataset
    while not hasattr(inner, 'split') and hasattr(inner, 'dataset'):
        inner = inner.dataset
    split = getattr(inner, 'split', None)
    return f'{len(dataset)} {role}' + (f' ({split})' if split and split != role else '')


def _device_line(runner) -> str:
    import torch
    import torch.distributed as dist

    model = runner.model.module if hasattr(runner.model, 'module') else runner.model
    device = next(model.parameters()).device
    name = torch.cuda.get_device_name(device) if device.type == 'cuda' else ''
    text = f'{device}{f" ({name})" if name else ""}, {_plural(runner.world_size, "process")}'
    if dist.is_available() and dist.is_initialized():
        text += f' ({dist.get_backend()})'
    if device.type == 'cpu':
        text += f', {_plural(torch.get_num_threads(), "thread")} each'
    return text


def run_summary(runner, mode: str) -> list[str]:
    """The console lines that say what a run does, after its dataloaders are built.

    Args:
        runner: the runner (its datasets, model and optimizer built).
        mode: ``'train'`` or ``'test'``.
    """
    cfg: Config = runner.cfg
    model = runner.model.module if hasattr(runner.model, 'module') else runner.model
    params = sum(p.numel() for p in model.parameters())
    backbone = type(getattr(model, 'backbone', model)).__name__
    loaders = ([('train', runner.train_dataloader)]
               + ([('val', runner.val_dataloader)] if runner._val_loop is not None else [])
               if mode == 'train' else [('test', runner.test_dataloader)])
    first = loaders[0][1].dataset
    while not hasattr(first, 'ann_file') and hasattr(first, 'dataset'):
        first = first.dataset
    classes = getattr(first, 'num_classes', None) or getattr(
        getattr(model, 'cls_head', None), 'num_classes', None)
    lines = [f'config:     {cfg.filename}',
             f'data:       {getattr(first, "ann_file", "?")}: '
             + ', '.join(_dataset_line(role, loader.dataset) for role, loader in loaders)
             + (f' samples; {classes} classes' if classes else ' samples'),
             f'model:      {backbone}, {params / 1e6:.2f} M parameters',
             f'device:     {_device_line(runner)}']
    if mode == 'train':
        optimizer = cfg.optim_wrapper.get('optimizer', {})
        scale = cfg.get('auto_scale_lr') or {}
        batch_size = runner.train_dataloader.batch_size
        lr = optimizer.get('lr', float('nan'))
        auto = bool(scale.get('enable', False))
        base = scale.get('base_batch_size')
        if auto and base:
            lr = lr * batch_size * runner.world_size / base
        loop = runner.train_loop
        lines += [f'batch, lr:  {batch_lr_summary(batch_size, runner.world_size, lr, base, auto)}',
                  f'schedule:   {loop.max_epochs} epochs × {len(loop.dataloader)} iterations'
                  + ('' if runner._val_loop is not None else ', no validation')]
    lines.append(f'work dir:   {os.path.abspath(runner.work_dir)} (log: '
                 f'{os.path.join(runner.timestamp, runner.timestamp + ".log")}; '
                 '--verbose shows it here)')
    return lines

