"""Confusion matrix heat map as a PNG (matplotlib, no display needed)."""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: Up to this many classes every cell is annotated with its value.
ANNOTATE_MAX_CLASSES = 30
#: Resolution of the PNG (pixels per inch; 1 point = DPI / 72 pixels).
DPI = 100


def plot_confusion_matrix(matrix: np.ndarray, classes: Sequence[str], path: str | os.PathLike,
                          title: str = 'Confusion matrix') -> Path:
    """Save the row-normalised ``matrix`` (rows = true class) as a heat map.

    Args:
        matrix: ``(C, C)`` counts or row-normalised fractions; rows are normalised here, so
            colours show the share of each true class that went to each prediction.
        classes: ``C`` class names for the axis ticks.
        path: output PNG.
        title: figure title.

    Returns:
        ``path``.
    """
    figure = confusion_matrix_figure(matrix, classes, title)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=DPI)
    return out


def confusion_matrix_figure(matrix: np.ndarray, classes: Sequence[str],
                            title: str = 'Confusion matrix') -> Figure:
    """The figure of :func:`plot_confusion_matrix`. Up to :data:`ANNOTATE_MAX_CLASSES`
    classes each non-zero cell shows its fraction, in a font scaled to the cell (about a third
    of its height, 6-16 pt)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    num_classes = len(classes)
    if matrix.shape != (num_classes, num_classes):
        raise ValueError(f'matrix of shape {matrix.shape} does not match {num_classes} classes')
    totals = matrix.sum(axis=1, keepdims=True)
    fractions = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    side = min(4 + 0.45 * num_classes, 40)
    figure = Figure(figsize=(side + 2, side), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    image = axes.imshow(fractions, cmap='Blues', vmin=0.0, vmax=1.0)
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04, label='fraction of true class')
    ticks = np.arange(num_classes)
    axes.set_xticks(ticks, labels=list(classes), rotation=60, ha='right', fontsize=8)
    axes.set_yticks(ticks, labels=list(classes), fontsize=8)
    axes.set_xlabel('predicted class')
    axes.set_ylabel('true class')
    axes.set_title(title)
    figure.tight_layout()
    if num_classes <= ANNOTATE_MAX_CLASSES:
        cell_points = axes.get_window_extent().height / num_classes * 72 / figure.dpi
        fontsize = float(np.clip(cell_points / 3, 6, 16))
        for row, col in zip(*np.nonzero(fractions), strict=True):
            value = fractions[row, col]
            axes.text(col, row, f'{value:.2f}'.lstrip('0') if value < 1 else '1', ha='center',
                      va='center', fontsize=fontsize, color='white' if value > 0.5 else 'black')
    return figure
