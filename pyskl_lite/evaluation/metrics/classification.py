"""Classification metrics for mmengine's Evaluator (``val_evaluator`` / ``test_evaluator``).

Every metric here collects the same per-sample record from the recognizer's predictions,
``{'frame_dir', 'label', 'pred_score' (num_classes,) float32}``, gathered across processes by
mmengine (each sample exactly once, padding of the distributed sampler dropped), and computes
its numbers on rank 0:

- ``AccMetric``: top-k accuracy and mean class accuracy (``acc/top1``, ``acc/top5``,
  ``acc/mean_class``);
- ``ConfusionMatrix``: counts and row-normalised CSVs plus the heat map PNG;
- ``PrecisionRecallF1``: per-class CSV and macro averages (``macro/precision``, ...);
- ``DumpPredictions``: the per-sample results file of ``tools/test.py --out``.

Files go to ``out_dir`` when it is set (``tools/test.py`` sets the work dir); otherwise the
metric only returns its numbers.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from pyskl_lite.registry import METRICS

from ..functional import (
    confusion_matrix,
    macro_average,
    mean_class_accuracy,
    precision_recall_f1,
    top1_predictions,
    top_k_accuracy,
)
from ..reports import class_names, write_confusion_matrix, write_per_class_report
from ..results_io import VIEW_AVERAGES, dump_results

ACC_METRICS = ('top_k_accuracy', 'mean_class_accuracy')


class PredictionMetric(BaseMetric):
    """Collects ``frame_dir``, ``label`` and ``pred_score`` of every predicted sample.

    Args:
        collect_device: ``'cpu'`` or ``'gpu'`` for gathering results across processes
            (``'gpu'`` needs NCCL; ``'cpu'`` uses a temporary folder visible to all processes
            of a node, so multi-node runs should use ``'gpu'``).
        prefix: prefix of the returned keys; the class's ``default_prefix`` when None.
    """

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append(dict(
                frame_dir=sample.get('frame_dir', ''),
                label=int(sample['gt_label'].reshape(-1)[0]),
                pred_score=sample['pred_score'].detach().float().cpu().numpy()))

    @staticmethod
    def stack(results: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        """``(scores (N, C) float32, labels (N,) int64)`` of the collected records."""
        scores = np.stack([row['pred_score'] for row in results])
        labels = np.array([row['label'] for row in results], dtype=np.int64)
        nonfinite = ~np.isfinite(scores).all(axis=1)
        if nonfinite.any():
            first = [row['frame_dir'] for row, bad in zip(results, nonfinite, strict=True)
                     if bad][:3]
            print_log(f'{int(nonfinite.sum())} of {len(results)} samples have NaN/inf scores '
                      f'(a diverged model?; first: {first}); they count as wrong',
                      logger='current', level=logging.WARNING)
        return scores, labels

    def classes(self, num_classes: int) -> list[str]:
        """Class names from the dataset's metainfo, or generated ones."""
        return class_names((self.dataset_meta or {}).get('classes'), num_classes)


class ReportMetric(PredictionMetric):
    """A :class:`PredictionMetric` that also writes report files.

    Args:
        out_dir: folder of the files; None writes nothing.
        collect_device, prefix: see :class:`PredictionMetric`.
    """

    def __init__(self, out_dir: str | None = None, collect_device: str = 'cpu',
                 prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.out_dir = out_dir


@METRICS.register_module()
class AccMetric(PredictionMetric):
    """Top-k accuracy and mean class accuracy.

    Args:
        metric_list: any of ``'top_k_accuracy'``, ``'mean_class_accuracy'``.
        topk: the ``k`` of top-k accuracy; keys ``top{k}``. Default ``(1, 5)``.
        collect_device, prefix: see :class:`PredictionMetric`.

    Returns (``compute_metrics``):
        ``{'top1': float, 'top5': float, 'mean_class': float}`` in ``[0, 1]``, logged as
        ``acc/top1``, ...; mean class accuracy averages the classes present in the ground
        truth (see :func:`~pyskl_lite.evaluation.functional.mean_class_accuracy`).
    """

    default_prefix = 'acc'

    def __init__(self, metric_list: str | Sequence[str] = ACC_METRICS,
                 topk: int | Sequence[int] = (1, 5), collect_device: str = 'cpu',
                 prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.metric_list = (metric_list,) if isinstance(metric_list, str) else tuple(metric_list)
        unknown = set(self.metric_list) - set(ACC_METRICS)
        if unknown:
            raise ValueError(f'AccMetric: unknown metrics {sorted(unknown)}; known: '
                             f'{list(ACC_METRICS)}')
        self.topk = (topk,) if isinstance(topk, int) else tuple(topk)
        if not self.topk or min(self.topk) < 1:
            raise ValueError(f'AccMetric: topk must be positive integers, got {topk}')

    def compute_metrics(self, results: list[dict]) -> dict[str, float]:
        scores, labels = self.stack(results)
        metrics = {}
        if 'top_k_accuracy' in self.metric_list:
            for k, value in zip(self.topk, top_k_accuracy(scores, labels, self.topk),
                                strict=True):
                metrics[f'top{k}'] = value
        if 'mean_class_accuracy' in self.metric_list:
            metrics['mean_class'] = mean_class_accuracy(scores, labels)
        return metrics


@METRICS.register_module()
class ConfusionMatrix(ReportMetric):
    """Confusion matrix of top-1 predictions (rows = true class, columns = prediction).

    Writes ``confusion_matrix.csv`` (counts), ``confusion_matrix_normalized.csv`` (each row
    divided by its total) and ``confusion_matrix.png`` into ``out_dir``, with class names from
    the dataset's label map. Returns no scalar (the matrix is in the files and in
    ``self.last_matrix``).
    """

    default_prefix = 'confusion_matrix'

    def __init__(self, out_dir: str | None = None, collect_device: str = 'cpu',
                 prefix: str | None = None) -> None:
        super().__init__(out_dir=out_dir, collect_device=collect_device, prefix=prefix)
        self.last_matrix: np.ndarray | None = None

    def compute_metrics(self, results: list[dict]) -> dict[str, float]:
        scores, labels = self.stack(results)
        self.last_matrix = confusion_matrix(top1_predictions(scores), labels, scores.shape[1])
        if self.out_dir is not None:
            paths = write_confusion_matrix(self.last_matrix, self.classes(scores.shape[1]),
                                           self.out_dir)
            print_log(f'confusion matrix: {", ".join(map(str, paths))}', logger='current')
        return {}


@METRICS.register_module()
class PrecisionRecallF1(ReportMetric):
    """Per-class precision, recall and F1 of top-1 predictions, and their macro averages.

    Writes ``precision_recall_f1.csv`` (one row per class plus ``macro avg``) into
    ``out_dir``. Returns ``{'precision', 'recall', 'f1'}`` macro averages (logged as
    ``macro/precision``, ...), over the classes that occur as truth or prediction.
    """

    default_prefix = 'macro'

    def compute_metrics(self, results: list[dict]) -> dict[str, float]:
        scores, labels = self.stack(results)
        matrix = confusion_matrix(top1_predictions(scores), labels, scores.shape[1])
        per_class = precision_recall_f1(matrix, np.bincount(labels, minlength=scores.shape[1]))
        macro = macro_average(per_class, matrix)
        if self.out_dir is not None:
            path = write_per_class_report(per_class, macro, self.classes(scores.shape[1]),
                                          self.out_dir)
            print_log(f'per-class precision/recall/F1: {path}', logger='current')
        return macro


@METRICS.register_module()
class DumpPredictions(PredictionMetric):
    """Write every sample's ``frame_dir``, ``label``, ``pred_score`` and, when the recognizer
    set them, both view averages ``pred_prob`` / ``pred_logit`` and the ``score_kind`` to
    ``out_file`` (``.pkl`` or ``.json``, see :mod:`pyskl_lite.evaluation.results_io`). Returns
    no scalar.

    Args:
        out_file: the results file.
        collect_device: see :class:`PredictionMetric`.
    """

    default_prefix = 'dump'

    def __init__(self, out_file: str, collect_device: str = 'cpu') -> None:
        super().__init__(collect_device=collect_device)
        self.out_file = os.fspath(out_file)

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        start = len(self.results)
        super().process(data_batch, data_samples)
        for row, sample in zip(self.results[start:], data_samples, strict=True):
            row['score_kind'] = sample.get('score_kind')
            for key in VIEW_AVERAGES:
                if sample.get(key) is not None:
                    row[key] = sample[key].detach().float().cpu().numpy()

    def compute_metrics(self, results: list[dict]) -> dict[str, float]:
        classes = (self.dataset_meta or {}).get('classes')
        if classes is not None:
            classes = self.classes(len(results[0]['pred_score']))
        kinds = {row['score_kind'] for row in results}
        path = dump_results(self.out_file, results, classes,
                            score_kind=kinds.pop() if len(kinds) == 1 else None)
        print_log(f'{len(results)} per-sample results written to {path}', logger='current')
        return {}
