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
    matrix = np.asarray(matrix, dtype=np.float64)
    num_classes = len(classes)
    if matrix.shape != (num_classes, num_classes):
        raise ValueError(f'matrix of shape {matrix.shape} does not match {num_classes} classes')
    totals = matrix.sum(axis=1, keepdims=True)
    fractions = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    side = min(4 + 0.45 * num_classes, 40)
    figure = Figure(figsize=(side + 2, side))
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
    if num_classes <= ANNOTATE_MAX_CLASSES:
        for row, col in zip(*np.nonzero(fractions), strict=True):
            value = fractions[row, col]
            axes.text(col, row, f'{value:.2f}'.lstrip('0') if value < 1 else '1', ha='center',
                      va='center', fontsize=6, color='white' if value > 0.5 else 'black')
    figure.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=100)
    return out
