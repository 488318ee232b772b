"""Classification metrics on score matrices, vectorised with numpy.

Inputs everywhere: ``scores`` ``(N, num_classes)`` float (probabilities or logits: only their
order matters) and ``labels`` ``(N,)`` int class indices in ``[0, num_classes)``. A row with a
NaN or infinite score (a diverged model) is no prediction: it counts as wrong in every metric.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _check(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores)
    labels = np.asarray(labels).astype(np.int64).reshape(-1)
    if scores.ndim != 2:
        raise ValueError(f'scores must be (N, num_classes), got shape {scores.shape}')
    if len(scores) != len(labels):
        raise ValueError(f'{len(scores)} score rows but {len(labels)} labels')
    if len(labels) == 0:
        raise ValueError('no samples to evaluate')
    if labels.min() < 0 or labels.max() >= scores.shape[1]:
        raise ValueError(f'labels must lie in [0, {scores.shape[1]}), got '
                         f'[{labels.min()}, {labels.max()}]')
    return scores, labels


def top1_predictions(scores: np.ndarray) -> np.ndarray:
    """``(N,)`` int64 index of each row's highest score; -1 (no prediction) for a row with a
    non-finite score, which ``argmax`` would otherwise call its NaN's class."""
    scores = np.asarray(scores)
    return np.where(np.isfinite(scores).all(axis=1), scores.argmax(axis=1), -1)


def top_k_accuracy(scores: np.ndarray, labels: np.ndarray,
                   topk: Sequence[int] = (1, 5)) -> list[float]:
    """Fraction of samples whose label is among the ``k`` highest scores, for each ``k``.

    A ``k`` larger than ``num_classes`` counts every sample as a hit. Ties are broken towards
    the lower class index (a stable sort), so equal scores give a reproducible result.

    Returns:
        One accuracy in ``[0, 1]`` per entry of ``topk``.
    """
    scores, labels = _check(scores, labels)
    # Rank of the true class = number of classes scored strictly higher, plus the tied
    # classes with a lower index (stable order).
    true_score = scores[np.arange(len(labels)), labels][:, None]
    index = np.arange(scores.shape[1])[None, :]
    rank = ((scores > true_score) | ((scores == true_score) & (index < labels[:, None]))).sum(1)
    # Comparisons with NaN are False: a NaN row would rank its label first.
    rank[~np.isfinite(scores).all(axis=1)] = np.iinfo(rank.dtype).max
    return [float((rank < k).mean()) for k in topk]


def confusion_matrix(pred_labels: np.ndarray, labels: np.ndarray,
                     num_classes: int) -> np.ndarray:
    """Counts ``(num_classes, num_classes)`` int64: row = true class, column = prediction.

    A prediction of -1 (no prediction, see :func:`top1_predictions`) is in no column: its row
    sums to less than the class's support."""
    pred_labels = np.asarray(pred_labels).astype(np.int64).reshape(-1)
    labels = np.asarray(labels).astype(np.int64).reshape(-1)
    if len(pred_labels) != len(labels):
        raise ValueError(f'{len(pred_labels)} predictions but {len(labels)} labels')
    for name, values, low in (('labels', labels, 0), ('predictions', pred_labels, -1)):
        if len(values) and (values.min() < low or values.max() >= num_classes):
            raise ValueError(f'{name} must lie in [{low}, {num_classes})')
    predicted = pred_labels >= 0
    flat = np.bincount(labels[predicted] * num_classes + pred_labels[predicted],
                       minlength=num_classes ** 2)
    return flat.reshape(num_classes, num_classes)


def row_normalize(matrix: np.ndarray) -> np.ndarray:
    """Each row divided by its sum (the per-true-class distribution); empty rows stay 0."""
    matrix = np.asarray(matrix, dtype=np.float64)
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def mean_class_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean over classes of the per-class top-1 accuracy (recall).

    Only classes present in ``labels`` are averaged: a class that is predicted but never the
    ground truth has no accuracy to speak of, and its wrong predictions already lower the
    recall of the true classes of those samples. This equals scikit-learn's
    ``balanced_accuracy_score``. (mmaction2 / PYSKL instead average over the classes seen in
    labels *or* predictions, counting such a class as 0, which makes the number depend on
    which wrong class the mistakes went to.)
    """
    scores, labels = _check(scores, labels)
    matrix = confusion_matrix(top1_predictions(scores), labels, scores.shape[1])
    support = np.bincount(labels, minlength=scores.shape[1])
    present = support > 0
    return float((np.diag(matrix)[present] / support[present]).mean())


def precision_recall_f1(matrix: np.ndarray,
                        support: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per-class precision, recall, F1 and support from a confusion matrix (rows = truth).

    A class never predicted has precision 0, a class without samples recall 0, and F1 is 0
    where precision + recall is 0 (scikit-learn's ``zero_division=0``). ``support``: samples
    per true class, when some had no prediction (default: the matrix's row sums).

    Returns:
        ``{'precision', 'recall', 'f1': float64 (num_classes,), 'support': int64
        (num_classes,)}``.
    """
    matrix = np.asarray(matrix)
    hits = np.diag(matrix).astype(np.float64)
    predicted = matrix.sum(axis=0)
    support = matrix.sum(axis=1) if support is None else np.asarray(support)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros_like(hits), where=support > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(hits), where=total > 0)
    return dict(precision=precision, recall=recall, f1=f1, support=support.astype(np.int64))


def macro_average(per_class: dict[str, np.ndarray], matrix: np.ndarray) -> dict[str, float]:
    """Unweighted means of ``precision``, ``recall`` and ``f1`` of :func:`precision_recall_f1`
    over the classes that occur as ground truth or as prediction (scikit-learn's
    ``average='macro'``); classes absent from both carry no information and are left out."""
    matrix = np.asarray(matrix)
    seen = (matrix.sum(axis=0) > 0) | (matrix.sum(axis=1) > 0)
    return {name: float(per_class[name][seen].mean()) for name in ('precision', 'recall', 'f1')}
