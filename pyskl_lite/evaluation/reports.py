"""Evaluation reports on disk: CSV tables (pandas) and the confusion-matrix PNG."""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pyskl_lite.visualization.confusion_matrix import plot_confusion_matrix

from .functional import row_normalize

CONFUSION_COUNTS_CSV = 'confusion_matrix.csv'
CONFUSION_NORMALIZED_CSV = 'confusion_matrix_normalized.csv'
CONFUSION_PNG = 'confusion_matrix.png'
PER_CLASS_CSV = 'precision_recall_f1.csv'
METRICS_CSV = 'metrics.csv'


def class_names(classes: Sequence[str] | None, num_classes: int) -> list[str]:
    """``classes`` as a list, or ``class_0 ... class_{C-1}`` when the dataset has no names.

    Raises:
        ValueError: when the names do not match ``num_classes``.
    """
    if classes is None:
        return [f'class_{index}' for index in range(num_classes)]
    if len(classes) != num_classes:
        raise ValueError(f'{len(classes)} class names for scores over {num_classes} classes: '
                         'the label map does not match the model (num_classes)')
    return [str(name) for name in classes]


def write_confusion_matrix(matrix: np.ndarray, classes: Sequence[str],
                           out_dir: str | os.PathLike) -> list[Path]:
    """Write the counts, the row-normalised matrix (CSV, rows = true class, columns =
    prediction, labelled with ``classes``) and the heat map PNG into ``out_dir``.

    Returns:
        The three paths.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    index = pd.Index(list(classes), name='true \\ predicted')
    counts = pd.DataFrame(np.asarray(matrix), index=index, columns=list(classes))
    normalized = pd.DataFrame(row_normalize(matrix), index=index, columns=list(classes))
    counts.to_csv(out / CONFUSION_COUNTS_CSV)
    normalized.to_csv(out / CONFUSION_NORMALIZED_CSV, float_format='%.4f')
    png = plot_confusion_matrix(matrix, classes, out / CONFUSION_PNG)
    return [out / CONFUSION_COUNTS_CSV, out / CONFUSION_NORMALIZED_CSV, png]


def write_per_class_report(per_class: Mapping[str, np.ndarray], macro: Mapping[str, float],
                           classes: Sequence[str], out_dir: str | os.PathLike) -> Path:
    """Write per-class precision / recall / F1 / support and a ``macro avg`` last row as CSV.

    Args:
        per_class: output of :func:`~pyskl_lite.evaluation.functional.precision_recall_f1`.
        macro: output of :func:`~pyskl_lite.evaluation.functional.macro_average`.
        classes: class names, one per row.
        out_dir: folder of ``precision_recall_f1.csv``.
    """
    table = pd.DataFrame({name: per_class[name] for name in ('precision', 'recall', 'f1',
                                                               'support')},
                         index=pd.Index(list(classes), name='class'))
    table.loc['macro avg'] = [macro['precision'], macro['recall'], macro['f1'],
                              int(per_class['support'].sum())]
    table['support'] = table['support'].astype(np.int64)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / PER_CLASS_CSV, float_format='%.4f')
    return out / PER_CLASS_CSV


def write_metrics(metrics: Mapping[str, float], out_dir: str | os.PathLike) -> Path:
    """Write ``metric,value`` rows (the table ``tools/test.py`` prints) as CSV."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame({'metric': list(metrics), 'value': [float(v) for v in metrics.values()]})
    table.to_csv(out / METRICS_CSV, index=False, float_format='%.6f')
    return out / METRICS_CSV
