"""Training and validation curves from mmengine's json logs, as a PNG.

mmengine's ``LoggerHook`` writes one json line per logging interval during training (``loss``,
``lr``, ``top1_acc``, ..., with ``epoch`` and ``iter`` = ``step`` = the global iteration) and
one per validation (``acc/top1``, ..., with ``step`` = epoch) into
``<work_dir>/<timestamp>/vis_data/<timestamp>.json``. A resumed run adds another timestamp
folder; :func:`load_history` joins them, later runs replacing what they repeat.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

CURVES_PNG = 'curves.png'
TRAIN_KEYS = ('loss', 'top1_acc', 'lr')


def find_json_logs(work_dir: str | os.PathLike) -> list[Path]:
    """The json logs of every run in ``work_dir``, oldest first (by timestamp folder)."""
    folder = Path(work_dir)
    logs = [path for path in folder.glob('*/vis_data/*.json')
            if path.stem == path.parent.parent.name]
    return sorted(logs, key=lambda path: path.stem)


def load_history(json_logs: list[str | os.PathLike]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read json logs into ``(train, val)`` tables.

    Returns:
        ``train``: one row per logged training iteration with column ``epoch_float``
        (fractional epoch: ``iter / iterations per epoch``) and the logged
        scalars; ``val``: one row per validation with column ``epoch`` and the metrics.
        Both sorted; a later log replaces rows of the same iteration / epoch.
    """
    train_rows, val_rows = [], []
    for path in json_logs:
        with open(path, encoding='utf-8') as file:
            for line in file:
                if not line.strip():
                    continue
                row = json.loads(line)
                (train_rows if 'epoch' in row and 'iter' in row else val_rows).append(row)
    train = pd.DataFrame(train_rows)
    val = pd.DataFrame(val_rows)
    if len(train):
        train = train.drop_duplicates('step', keep='last').sort_values('step')
        # ``iter`` is global; the last iteration of every epoch is logged (ignore_last=False),
        # so complete epochs give iterations per epoch = last iter / epoch (a run killed
        # mid-epoch gives less for its last epoch).
        last_iter = train.groupby('epoch')['iter'].max()
        iters_per_epoch = (last_iter / last_iter.index).max()
        train['epoch_float'] = train['iter'] / iters_per_epoch
    if len(val):
        val = val.rename(columns={'step': 'epoch'}).drop_duplicates('epoch', keep='last')
        val = val.sort_values('epoch')
    return train.reset_index(drop=True), val.reset_index(drop=True)


def plot_curves(train: pd.DataFrame, val: pd.DataFrame, path: str | os.PathLike,
                title: str = '', val_label: str = 'val') -> Path:
    """Save loss (left) and accuracy (right) against epochs as a PNG.

    Left: training loss. Right: training top-1 (``top1_acc``, averaged over the logging
    window, on augmented clips) and every validation accuracy column (``acc/*``, legend
    ``'<val_label> top1'``, ...), in %.

    Raises:
        ValueError: when there is nothing to plot.
    """
    figure = curves_figure(train, val, title, val_label)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=100)
    return out


def curves_figure(train: pd.DataFrame, val: pd.DataFrame, title: str = '',
                  val_label: str = 'val') -> Figure:
    """The figure of :func:`plot_curves`."""
    if not len(train) and not len(val):
        raise ValueError('no training or validation records to plot')
    figure = Figure(figsize=(12, 4.5))
    FigureCanvasAgg(figure)
    loss_axes, acc_axes = figure.subplots(1, 2)
    if 'loss' in train:
        loss_axes.plot(train['epoch_float'], train['loss'], label='train loss', color='C0')
    loss_axes.set_xlabel('epoch')
    loss_axes.set_ylabel('loss')
    loss_axes.set_title('loss')
    if 'top1_acc' in train:
        acc_axes.plot(train['epoch_float'], 100 * train['top1_acc'], label='train top-1',
                      color='C0', alpha=0.7)
    accuracy_columns = [c for c in val.columns if c.startswith('acc/')]
    for index, column in enumerate(accuracy_columns):
        # Equal curves (top-1 = mean class on balanced data) stay visible: each series has its
        # own line style and a hollow marker, smaller than the one drawn before it.
        acc_axes.plot(val['epoch'], 100 * val[column], marker='osD^v'[index % 5],
                      markersize=max(3.0, 8.0 - 1.5 * index), markerfacecolor='none',
                      linestyle=('-', '--', ':', '-.')[index % 4],
                      label=f'{val_label} {column[4:]}', color=f'C{index + 1}')
    acc_axes.set_xlabel('epoch')
    acc_axes.set_ylabel('accuracy (%)')
    acc_axes.set_ylim(0, 100)
    acc_axes.set_title('accuracy')
    for axes in (loss_axes, acc_axes):
        axes.grid(alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(loc='best', fontsize=8)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_work_dir_curves(work_dir: str | os.PathLike, path: str | os.PathLike | None = None
                         ) -> Path:
    """Plot the curves of every run logged in ``work_dir`` to ``path``
    (default ``<work_dir>/curves.png``).

    Raises:
        FileNotFoundError: when ``work_dir`` holds no json log.
    """
    logs = find_json_logs(work_dir)
    if not logs:
        raise FileNotFoundError(f'{work_dir}: no json log (<timestamp>/vis_data/<timestamp>.json)'
                                ' found; is it a training work dir?')
    train, val = load_history(logs)
    best = ''
    if 'acc/top1' in val and len(val):
        top1 = val['acc/top1'].to_numpy()
        best = f' - best val top-1 {100 * np.nanmax(top1):.1f}% (epoch ' \
               f'{int(val["epoch"].iloc[int(np.nanargmax(top1))])})'
    return plot_curves(train, val, path or Path(work_dir) / CURVES_PNG,
                       title=f'{Path(work_dir).name}{best}')
