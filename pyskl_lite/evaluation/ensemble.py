"""Multi-stream ensembles: a weighted fusion of several ``tools/test.py --out`` results files.

PYSKL's headline numbers fuse the joint, bone, joint-motion and bone-motion models of one
architecture. Each stream is tested on its own (``tools/test.py --out``); the fusion matches
the samples by ``frame_dir`` and takes the weighted mean, per sample and class, of either

- ``'prob'``: each stream's softmax probabilities averaged over the test views
  (``pred_prob``, what ``average_clips='prob'`` reports), or
- ``'score'``: each stream's raw logits averaged over the views (``pred_logit``,
  ``average_clips='score'``).

Results files of version 2 hold both averages. A version-1 file holds only its ``pred_score``:
logits cannot be recovered from view-averaged probabilities, so a ``'prob'`` file of version 1
only takes part in a ``'prob'`` fusion; a ``'score'`` file of version 1 enters a ``'prob'``
fusion as the softmax of its averaged logits (mmaction2's ``report_accuracy.py
--apply-softmax``), which equals the view-averaged probabilities only for a single view.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from mmengine.logging import print_log

from pyskl_lite.utils import InputError
from pyskl_lite.utils.cli import FUSIONS

from .results_io import ResultsFile


@dataclass
class FusedResults:
    """The fused ensemble, in the order of the first results file.

    Attributes:
        frame_dirs: sample ids ``N``.
        labels: ``(N,)`` int64 ground truth.
        scores: ``(N, num_classes)`` float32, ``sum_i w_i s_i / sum_i w_i``.
        classes: class names (of the first file that has them) or None.
        fuse: ``'prob'`` or ``'score'``.
        weights: ``(num_files,)`` float64 weights as given (not normalised).
    """

    frame_dirs: list[str]
    labels: np.ndarray
    scores: np.ndarray
    classes: list[str] | None
    fuse: str
    weights: np.ndarray


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis of ``(..., num_classes)`` logits, float32."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted.astype(np.float64))
    return (exp / exp.sum(axis=-1, keepdims=True)).astype(np.float32)


def stream_scores(result: ResultsFile, fuse: str) -> np.ndarray:
    """The ``(N, num_classes)`` matrix that ``result`` contributes to a ``fuse`` fusion.

    Raises:
        InputError: for a ``'score'`` fusion of a file that holds probabilities only.
    """
    if fuse not in FUSIONS:
        raise ValueError(f'fuse must be one of {FUSIONS}, got {fuse!r}')
    if fuse == 'prob':
        if result.probs is not None:
            return result.probs
        print_log(f'{result.path}: no view-averaged probabilities stored; using the softmax '
                  'of its view-averaged logits', logger='current')
        return softmax(result.logits)
    if result.logits is None:
        raise InputError.at(result.path, 'holds view-averaged probabilities only (a results '
                            'file written before logits were stored, or a prob ensemble), '
                            'from which the logits cannot be recovered; re-run tools/test.py '
                            '--out with this version, or fuse with --fuse prob',
                            field='pred_logit')
    return result.logits


def align_results(results: Sequence[ResultsFile]) -> list[np.ndarray]:
    """Check that the files describe the same evaluation and match their samples.

    The first file is the reference: every other file must hold the same set of
    ``frame_dir`` (each once), the same label for each, the same number of classes and, where
    both files name the classes, the same names.

    Returns:
        For each file, ``(N,)`` int64 row indices that put its samples in the reference order.

    Raises:
        InputError: naming the file, the sample and the field that disagree.
    """
    if not results:
        raise ValueError('no results files to fuse')
    reference = results[0]
    ref_name = reference.path
    ref_ids = set(reference.frame_dirs)
    classes = next((r.classes for r in results if r.classes is not None), None)
    orders = []
    for result in results:
        duplicated = [name for name, count in Counter(result.frame_dirs).items() if count > 1]
        if duplicated:
            raise InputError.at(result.path, f'appears {result.frame_dirs.count(duplicated[0])}'
                                ' times; each sample must be tested once',
                                sample=duplicated[0], field='frame_dir')
        if result.num_classes != reference.num_classes:
            raise InputError.at(result.path, f'scores over {result.num_classes} classes but '
                                f'{reference.num_classes} in {ref_name}; fuse models of the '
                                'same label map (num_classes)', field='pred_score')
        if result.classes is not None and classes is not None and result.classes != classes:
            index = next(i for i, (a, b) in enumerate(zip(result.classes, classes,
                                                          strict=True)) if a != b)
            raise InputError.at(result.path, f'class {index} is {result.classes[index]!r} here '
                                f'but {classes[index]!r} in another file; fuse models of the '
                                'same label map', field='classes')
        position = {name: row for row, name in enumerate(result.frame_dirs)}
        missing = [name for name in reference.frame_dirs if name not in position]
        if missing:
            raise InputError.at(result.path, f'in {ref_name} but not here ({len(missing)} of '
                                f'{len(reference.frame_dirs)} samples missing); test every '
                                'stream on the same split', sample=missing[0],
                                field='frame_dir')
        if len(result.frame_dirs) != len(reference.frame_dirs):
            extra = next(name for name in result.frame_dirs if name not in ref_ids)
            raise InputError.at(result.path, f'not in {ref_name} ({len(result.frame_dirs)} '
                                f'samples here, {len(reference.frame_dirs)} there); test every '
                                'stream on the same split', sample=extra, field='frame_dir')
        order = np.array([position[name] for name in reference.frame_dirs], dtype=np.int64)
        differs = np.flatnonzero(result.labels[order] != reference.labels)
        if len(differs):
            row = int(differs[0])
            raise InputError.at(result.path, f'{int(result.labels[order][row])} here but '
                                f'{int(reference.labels[row])} in {ref_name} ({len(differs)} '
                                'samples differ); the files come from different annotations',
                                sample=reference.frame_dirs[row], field='label')
        orders.append(order)
    return orders


def fuse_results(results: Sequence[ResultsFile], weights: Sequence[float] | None = None,
                 fuse: str = 'prob') -> FusedResults:
    """Weighted mean of the streams' scores, per sample matched by ``frame_dir``.

    Args:
        results: the streams (:func:`~pyskl_lite.evaluation.results_io.read_results`).
        weights: one non-negative weight per file (not all 0); default all 1.
        fuse: ``'prob'`` (view-averaged softmax probabilities) or ``'score'`` (view-averaged
            logits), see the module doc.

    Returns:
        :class:`FusedResults`; with ``'prob'`` every row is a probability distribution.

    Raises:
        InputError: when the files disagree (:func:`align_results`), a file lacks the scores
            the fusion needs (:func:`stream_scores`) or the weights are unusable.
    """
    weights = np.ones(len(results)) if weights is None else np.asarray(weights, np.float64)
    if weights.shape != (len(results),):
        raise InputError(f'{weights.size} weights for {len(results)} results files; give one '
                         'weight per file')
    if not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
        raise InputError(f'weights must be finite, >= 0 and not all 0, got {weights.tolist()}')
    orders = align_results(results)
    fused = np.zeros((len(orders[0]), results[0].num_classes), dtype=np.float64)
    for result, order, weight in zip(results, orders, weights, strict=True):
        fused += weight * stream_scores(result, fuse)[order]
    fused /= weights.sum()
    classes = next((r.classes for r in results if r.classes is not None), None)
    return FusedResults(frame_dirs=list(results[0].frame_dirs), labels=results[0].labels.copy(),
                        scores=fused.astype(np.float32), classes=classes, fuse=fuse,
                        weights=weights)
