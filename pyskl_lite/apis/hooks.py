"""Hooks of the training and test tools: crash-safe checkpoint bookkeeping, the
non-finite-loss stop, early validation workers, per-iteration TensorBoard scalars, the curves
PNG and the console's summary and progress. (``ValidationRandomStateHook`` lives in
``random_state.py``.)"""
from __future__ import annotations

import contextlib
import logging
import math
import os.path as osp
import time
from collections.abc import Iterator, Sequence

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmengine.visualization import TensorboardVisBackend

from pyskl_lite.registry import HOOKS
from pyskl_lite.utils import TrainingDivergedError
from pyskl_lite.utils.progress import Progress, format_seconds
from pyskl_lite.visualization.curves import plot_work_dir_curves

from .checkpoint import LAST_CHECKPOINT_FILE, write_text_atomically
from .console import FILE_ONLY, console_logger, run_summary
from .random_state import capture_random_state, restore_random_state


def _scalar(value) -> float:
    """A float of a logged value (a tensor that may require grad, or a number)."""
    return float(value.detach() if hasattr(value, 'detach') else value)


class _DeferredRemoval:
    """A file backend whose ``remove`` / ``rmtree`` only note the path (everything else is
    the wrapped backend's)."""

    def __init__(self, backend, pending: list[str]) -> None:
        self._backend, self._pending = backend, pending

    def remove(self, path: str) -> None:
        self._pending.append(path)

    rmtree = remove

    def __getattr__(self, name: str):
        return getattr(self._backend, name)


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` that a kill at any moment leaves with a usable state.

    mmengine deletes the previous best checkpoint and the oldest ``epoch_N.pth`` before the
    new one is written, and rewrites ``last_checkpoint`` in place, so a kill in between can
    leave no best checkpoint or an empty pointer. Here the new file is written first (itself
    atomically, see :meth:`~pyskl_lite.apis.runner.SkeletonRunner.save_checkpoint`),
    ``last_checkpoint`` is replaced by a rename, and the outdated files are deleted last.
    :class:`~pyskl_lite.apis.runner.SkeletonRunner` uses it wherever a config asks for
    ``CheckpointHook``; the arguments are mmengine's.
    """

    @contextlib.contextmanager
    def _removals_deferred(self) -> Iterator[None]:
        backend, pending = self.file_backend, []
        self.file_backend = _DeferredRemoval(backend, pending)
        try:
            yield
        finally:
            self.file_backend = backend
        for path in pending:
            if backend.isfile(path):
                backend.remove(path)
            elif backend.isdir(path):
                backend.rmtree(path)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        with self._removals_deferred():
            super()._save_best_checkpoint(runner, metrics)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        outdated = None
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids
                                            and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated = self.keep_ckpt_ids.popleft()
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir, filename, self.file_client_args, save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler, meta=meta, by_epoch=self.by_epoch,
            backend_args=self.backend_args, **self.args)
        if not is_main_process():
            return
        write_text_atomically(osp.join(runner.work_dir, LAST_CHECKPOINT_FILE), self.last_ckpt)
        if outdated is not None:
            with self._removals_deferred():
                self.file_backend.remove(self.file_backend.join_path(
                    self.out_dir, self.filename_tmpl.format(outdated)))


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Stop training when the loss is NaN or infinite, before anything is saved.

    Raises :class:`~pyskl_lite.utils.TrainingDivergedError` naming the 1-based iteration, the
    epoch and the samples of the batch whose inputs are non-finite (else every sample of the
    batch). :class:`~pyskl_lite.apis.runner.SkeletonRunner` registers it in every run.
    """

    priority = 'VERY_HIGH'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        loss = (outputs or {}).get('loss')
        if loss is None:
            return
        value = float(loss.detach() if isinstance(loss, torch.Tensor) else loss)
        if math.isfinite(value):
            return
        raise TrainingDivergedError(
            f'training diverged: iteration {runner.iter + 1} (epoch {runner.epoch + 1}, batch '
            f'{batch_idx + 1}): the loss is {value}; {_suspects(data_batch)}; check those '
            'samples (img_shape, coordinates) or lower the learning rate '
            '(--cfg-options optim_wrapper.optimizer.lr=...)')


def _suspects(data_batch) -> str:
    """Which samples of ``data_batch`` to blame: those with non-finite inputs, else all."""
    samples = (data_batch or {}).get('data_samples') or []
    names = [str(sample.metainfo.get('frame_dir', '?')) for sample in samples]
    inputs = (data_batch or {}).get('inputs')
    if isinstance(inputs, (list, tuple)) and len(inputs) == len(names):
        bad = [name for name, item in zip(names, inputs, strict=True)
               if isinstance(item, torch.Tensor) and not torch.isfinite(item).all()]
        if bad:
            return f'non-finite inputs in samples {bad[:8]}'
    return f'samples of the batch: {names[:8]}' + (' ...' if len(names) > 8 else '')


@HOOKS.register_module()
class EarlyValWorkersHook(Hook):
    """Start validation's persistent DataLoader workers before the first training step.

    Workers are forked copies of the training process. Forked at the first validation, they
    copy a process whose heap has grown with training, which then rewrites those pages, so each
    worker keeps its own copy of them. ``stgcnpp_keypoint_3d`` on UTKinect, proportional set
    size per validation worker in epoch 2: 738 MB forked at the first validation, 75 MB forked
    in ``before_train`` (a training worker: 79 MB), i.e. 1.3 GB less per run with the configs'
    two validation workers. Torch's generator is left as it was (building the
    iterator draws a seed from it), so training draws the same numbers as without the hook.
    :class:`~pyskl_lite.apis.runner.SkeletonRunner` registers it in every run.
    """

    priority = 'LOW'

    def before_train(self, runner) -> None:
        val_loop = runner.val_loop
        loader = getattr(val_loop, 'dataloader', None)
        if loader is None or not loader.num_workers or not loader.persistent_workers:
            return
        state = capture_random_state()
        iter(loader)  # a persistent loader keeps this iterator, and its workers, for every epoch
        restore_random_state(state)


@HOOKS.register_module()
class TrainScalarsHook(Hook):
    """Write training scalars of every iteration to TensorBoard as ``train_iter/<key>``.

    ``LoggerHook`` logs window averages every ``interval`` iterations (text, json and
    TensorBoard); this hook adds the raw value of each iteration to the TensorBoard backends
    only, so the text log stays short.

    Args:
        keys: entries of the model's loss dict (``loss`` is the total) and ``lr`` (of the
            first parameter group). Default ``('loss', 'lr', 'top1_acc')``.
    """

    priority = 'BELOW_NORMAL'

    def __init__(self, keys: Sequence[str] = ('loss', 'lr', 'top1_acc')) -> None:
        self.keys = tuple(keys)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not is_main_process():
            return
        backends = [backend for backend in runner.visualizer._vis_backends.values()
                    if isinstance(backend, TensorboardVisBackend)]
        if not backends:
            return
        scalars = {}
        for key in self.keys:
            if key == 'lr':
                scalars['train_iter/lr'] = float(runner.optim_wrapper.get_lr()['lr'][0])
            elif outputs is not None and key in outputs:
                scalars[f'train_iter/{key}'] = _scalar(outputs[key])
        for backend in backends:
            backend.add_scalars(scalars, step=runner.iter + 1)


@HOOKS.register_module()
class TrainingCurvesHook(Hook):
    """At the end of training, plot loss and accuracy curves of the work dir's json logs to
    ``<work_dir>/curves.png`` (see :func:`~pyskl_lite.visualization.curves.plot_curves`)."""

    priority = 'LOWEST'

    def after_train(self, runner) -> None:
        if not is_main_process():
            return
        try:
            path = plot_work_dir_curves(runner.work_dir)
        except (FileNotFoundError, ValueError) as err:
            print_log(f'no training curves: {err}', logger='current',
                      level=logging.WARNING)
            return
        runner.logger.info(f'training curves: {path}', extra=FILE_ONLY)


@HOOKS.register_module()
class ConsoleProgressHook(Hook):
    """What a person sees while a run works (main process only; every run of
    :class:`~pyskl_lite.apis.runner.SkeletonRunner` has one):

    - before the first step, :func:`~pyskl_lite.apis.console.run_summary` (config, data,
      samples per split, classes, device, processes, total batch and lr);
    - one :class:`~pyskl_lite.utils.progress.Progress` per training epoch (with the loss and
      the time left for the whole run), per validation and per test;
    - after each epoch one line: mean training loss (and training top-1 when the model
      reports it), the validation metrics, the epoch's time and the time left.

    Args:
        interval_s: off a terminal, the least seconds between two progress lines. Default 10.
    """

    priority = 'LOW'

    def __init__(self, interval_s: float = 10.0) -> None:
        self.interval_s = interval_s
        self._bar: Progress | None = None
        self._pending: str | None = None
        self._losses: list[float] = []
        self._accuracies: list[float] = []
        self._run_start = self._epoch_start = 0.0
        self._start_iter = 0
        self._training = self._trained = False

    @staticmethod
    def _log(runner, text: str) -> None:
        """``text`` on the console (:func:`~pyskl_lite.apis.console.console_logger`) and in
        the run's log file."""
        console_logger().info(text)
        runner.logger.info(text, extra=FILE_ONLY)

    def _flush(self, runner) -> None:
        if self._pending is not None:
            self._log(runner, self._pending)
            self._pending = None

    def _time_left(self, runner) -> float | None:
        done = runner.iter - self._start_iter
        if done <= 0:
            return None
        return (time.monotonic() - self._run_start) / done * (runner.max_iters - runner.iter)

    def _summary(self, runner, mode: str) -> None:
        self._log(runner, '\n'.join(run_summary(runner, mode)))

    def before_train(self, runner) -> None:
        if not is_main_process():
            return
        self._training = True
        self._summary(runner, 'train')
        self._run_start = time.monotonic()
        self._start_iter = runner.iter

    def before_train_epoch(self, runner) -> None:
        if not is_main_process():
            return
        self._flush(runner)
        self._losses, self._accuracies = [], []
        self._epoch_start = time.monotonic()
        self._bar = Progress(len(runner.train_dataloader),
                             f'training epoch {runner.epoch + 1}/{runner.max_epochs}',
                             unit='batch',
                             interval_s=self.interval_s, leave=False)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self._bar is None:
            return
        outputs = outputs or {}
        if 'loss' in outputs:
            self._losses.append(_scalar(outputs['loss']))
        if 'top1_acc' in outputs:
            self._accuracies.append(_scalar(outputs['top1_acc']))
        left = self._time_left(runner)
        postfix = f'loss {self._losses[-1]:.4f}' if self._losses else ''
        if left is not None:
            postfix += f'{", " if postfix else ""}run: {format_seconds(left)} left'
        self._bar.update(1, postfix=postfix)

    def after_train_epoch(self, runner) -> None:
        if self._bar is None:
            return
        self._bar.close()
        self._bar = None
        parts = [f'epoch {runner.epoch + 1}/{runner.max_epochs}:']
        if self._losses:
            parts.append(f'loss {sum(self._losses) / len(self._losses):.4f}')
        if self._accuracies:
            parts.append(f'train top-1 {100 * sum(self._accuracies) / len(self._accuracies):.1f} %')
        parts.append(f'({format_seconds(time.monotonic() - self._epoch_start)}')
        left = self._time_left(runner)
        parts[-1] += f', {format_seconds(left)} left)' if left else ')'
        self._pending = ' '.join(parts)

    def before_val_epoch(self, runner) -> None:
        if is_main_process():
            self._bar = Progress(len(runner.val_dataloader), 'validation', unit='batch',
                                 interval_s=self.interval_s, leave=False)

    def after_val_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def after_val_epoch(self, runner, metrics: dict | None = None) -> None:
        if self._bar is None:
            return
        self._bar.close()
        self._bar = None
        text = 'val ' + format_metrics(metrics or {})
        if self._pending is not None:
            self._pending += f' | {text}'
            self._flush(runner)
        else:
            self._log(runner, text)

    def after_train(self, runner) -> None:
        if is_main_process():
            self._flush(runner)
            self._training = False
            self._trained = True

    def before_test_epoch(self, runner) -> None:
        if not is_main_process():
            return
        if not self._training:
            self._summary(runner, 'test')
        self._bar = Progress(len(runner.test_dataloader), 'test', unit='batch',
                             interval_s=self.interval_s)

    def after_test_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def after_test_epoch(self, runner, metrics: dict | None = None) -> None:
        if self._bar is None:
            return
        self._bar.close()
        self._bar = None
        if self._trained:  # tools/train.py --test-last / --test-best; test.py prints a table
            self._log(runner, 'test ' + format_metrics(metrics or {}))


def format_metrics(metrics: dict) -> str:
    """``top1 98.2 %, top5 99.9 %, mean_class 98.2 %`` from mmengine metric names
    (``acc/top1``: fractions shown in percent; other scalars as they are)."""
    parts = []
    for name, value in metrics.items():
        if not isinstance(value, (int, float)):
            continue
        short = name.split('/', 1)[-1]
        parts.append(f'{short} {100 * value:.1f} %' if name.startswith(('acc/', 'macro/'))
                     else f'{short} {value:.4g}')
    return ', '.join(parts)
