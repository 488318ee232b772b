"""Hooks of the training and test tools: per-iteration TensorBoard scalars, the curves PNG
and the console's summary and progress. (``ValidationRandomStateHook`` lives in
``random_state.py``.)"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.visualization import TensorboardVisBackend

from pyskl_lite.registry import HOOKS
from pyskl_lite.utils.progress import Progress, format_seconds
from pyskl_lite.visualization.curves import plot_work_dir_curves

from .console import FILE_ONLY, console_logger, run_summary


def _scalar(value) -> float:
    """A float of a logged value (a tensor that may require grad, or a number)."""
    return float(value.detach() if hasattr(value, 'detach') else value)


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
