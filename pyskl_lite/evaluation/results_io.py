"""Per-sample test results on disk (``tools/test.py --out``), ``.pkl`` or ``.json``.

A results file holds, for every evaluated sample, its ``frame_dir``, its ground-truth ``label``
and the model's ``pred_score`` vector ``(num_classes,)`` (after view averaging), plus the class
names. Visualisation and analysis tools read it instead of re-running the model.

On disk (version 2): ``{'format': 'pyskl_lite.results', 'version': 2, 'classes': [str] | None,
'score_kind': 'prob' | 'score' | None, 'results': [{'frame_dir': str, 'label': int,
'pred_score': float32 array / list, 'pred_prob': ..., 'pred_logit': ...}]}``.

- ``score_kind`` says what ``pred_score`` is: ``'prob'``, the mean over the test views of the
  softmax probabilities, or ``'score'``, the mean of the raw logits (the recognizer's
  ``average_clips``).
- ``pred_prob`` and ``pred_logit`` (optional, written by ``tools/test.py`` since version 2) hold
  *both* view averages, whichever ``pred_score`` is, so an ensemble can fuse either. Neither can
  be recomputed from the other once more than one view was averaged.

Version-1 files (no ``score_kind``, no ``pred_prob`` / ``pred_logit``) still load: rows that are
all probability distributions (non-negative, summing to 1) are taken as ``'prob'``, other rows as
``'score'``. Pickles are read with the restricted unpickler (no code runs), so a results file from
elsewhere is safe to open.
"""
from __future__ import annotations

import json
import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pyskl_lite.datasets.safe_pickle import load_pickle_safely
from pyskl_lite.utils import InputError

FORMAT = 'pyskl_lite.results'
VERSION = 2
SUFFIXES = ('.pkl', '.json')
SCORE_KINDS = ('prob', 'score')
VIEW_AVERAGES = ('pred_prob', 'pred_logit')


@dataclass
class ResultsFile:
    """A results file as arrays (see the module doc).

    Attributes:
        path: the file.
        frame_dirs: sample ids, in file order.
        labels: ``(N,)`` int64 ground truth.
        scores: ``(N, num_classes)`` float32 ``pred_score``.
        score_kind: ``'prob'`` or ``'score'`` (inferred for version-1 files).
        classes: class names or None.
        probs: ``(N, num_classes)`` float32 view-averaged softmax probabilities, or None when
            the file holds only logits.
        logits: ``(N, num_classes)`` float32 view-averaged logits, or None when the file holds
            only probabilities (a version-1 file tested with ``average_clips='prob'``).
    """

    path: str
    frame_dirs: list[str]
    labels: np.ndarray
    scores: np.ndarray
    score_kind: str
    classes: list[str] | None
    probs: np.ndarray | None
    logits: np.ndarray | None

    @property
    def num_classes(self) -> int:
        return self.scores.shape[1]


def _suffix(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError.at(path, f'results file must end in .pkl or .json, got {suffix!r}')
    return suffix


def dump_results(path: str | os.PathLike, results: Sequence[dict],
                 classes: Sequence[str] | None, score_kind: str | None = None) -> Path:
    """Write ``results`` and ``classes`` to ``path`` (``.pkl`` or ``.json``, chosen by suffix),
    atomically. Returns the path.

    Args:
        path: the file.
        results: dicts with ``frame_dir``, ``label``, ``pred_score`` ``(num_classes,)`` and
            optionally ``pred_prob`` / ``pred_logit`` (same shape).
        classes: class names or None.
        score_kind: what ``pred_score`` is, ``'prob'`` or ``'score'``; None for unknown.
    """
    target = os.fspath(path)
    suffix = _suffix(target)
    if score_kind not in (*SCORE_KINDS, None):
        raise ValueError(f'score_kind must be one of {SCORE_KINDS} or None, got {score_kind!r}')
    rows = []
    for row in results:
        out_row = dict(frame_dir=str(row['frame_dir']), label=int(row['label']))
        for key in ('pred_score', *VIEW_AVERAGES):
            if row.get(key) is not None:
                score = np.asarray(row[key], dtype=np.float32).reshape(-1)
                out_row[key] = score.tolist() if suffix == '.json' else score
        rows.append(out_row)
    data = dict(format=FORMAT, version=VERSION, score_kind=score_kind,
                classes=None if classes is None else [str(c) for c in classes], results=rows)
    out = Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f'.{out.name}.partial')
    if suffix == '.json':
        partial.write_text(json.dumps(data), encoding='utf-8')
    else:
        with open(partial, 'wb') as file:
            pickle.dump(data, file, protocol=4)
    os.replace(partial, out)
    return out


def load_results(path: str | os.PathLike) -> tuple[list[dict], list[str] | None]:
    """Read a file written by :func:`dump_results`, as rows.

    Returns:
        ``(results, classes)``: ``results`` as dicts with ``frame_dir`` (str), ``label`` (int)
        and ``pred_score`` (float32 ndarray ``(num_classes,)``); ``classes`` or None.

    Raises:
        InputError: for a missing, unreadable or malformed file.
    """
    loaded = read_results(path)
    results = [dict(frame_dir=frame_dir, label=int(label), pred_score=score)
               for frame_dir, label, score in zip(loaded.frame_dirs, loaded.labels,
                                                  loaded.scores, strict=True)]
    return results, loaded.classes


def read_results(path: str | os.PathLike) -> ResultsFile:
    """Read a file written by :func:`dump_results` (any version), as arrays.

    Raises:
        InputError: for a missing, unreadable or malformed file.
    """
    source = os.fspath(path)
    suffix = _suffix(source)
    if not os.path.isfile(source):
        raise InputError.at(source, 'results file not found')
    try:
        if suffix == '.json':
            with open(source, encoding='utf-8') as file:
                data = json.load(file)
        else:
            data = load_pickle_safely(source, 'results file')
    except InputError:
        raise
    except (ValueError, pickle.UnpicklingError, EOFError, TypeError, AttributeError,
            ImportError, IndexError, KeyError, UnicodeDecodeError) as err:
        raise InputError.at(source, f'not a readable results file ({type(err).__name__}: '
                            f'{err})') from None
    return _validate(source, data)


def _validate(source: str, data: Any) -> ResultsFile:
    if not isinstance(data, dict) or data.get('format') != FORMAT:
        raise InputError.at(source, f'not a {FORMAT} file (written by tools/test.py --out)')
    classes = data.get('classes')
    rows = data.get('results')
    score_kind = data.get('score_kind')
    if score_kind not in (*SCORE_KINDS, None):
        raise InputError.at(source, f'must be one of {SCORE_KINDS}, got {score_kind!r}',
                            field='score_kind')
    if not isinstance(rows, list) or not rows:
        raise InputError.at(source, "'results' must be a non-empty list", field='results')
    frame_dirs, labels = [], []
    vectors: dict[str, list[np.ndarray]] = {key: [] for key in ('pred_score', *VIEW_AVERAGES)}
    num_classes = None
    for index, row in enumerate(rows):
        sample = row.get('frame_dir', f'#{index}') if isinstance(row, dict) else f'#{index}'
        if not isinstance(row, dict) or not {'frame_dir', 'label', 'pred_score'} <= set(row):
            raise InputError.at(source, 'each result needs frame_dir, label and pred_score',
                                sample=str(sample))
        for key in vectors:
            if key not in row:
                continue
            score = np.asarray(row[key], dtype=np.float32)
            if score.ndim != 1 or (num_classes is not None and len(score) != num_classes):
                raise InputError.at(source, f'expected a ({num_classes or "num_classes"},) '
                                    f'vector, got shape {score.shape}', sample=str(sample),
                                    field=key)
            num_classes = len(score)
            vectors[key].append(score)
        frame_dirs.append(str(row['frame_dir']))
        labels.append(int(row['label']))
    scores = np.stack(vectors['pred_score'])
    if classes is not None:
        classes = [str(name) for name in classes]
        if len(classes) != num_classes:
            raise InputError.at(source, f'{len(classes)} class names but scores over '
                                f'{num_classes} classes', field='classes')
    averages = {}
    for key in VIEW_AVERAGES:
        if vectors[key] and len(vectors[key]) != len(rows):
            raise InputError.at(source, f'present in {len(vectors[key])} of {len(rows)} '
                                'results: store it for every sample or for none', field=key)
        averages[key] = np.stack(vectors[key]) if vectors[key] else None
    if score_kind is None:
        score_kind = 'prob' if _are_probabilities(scores) else 'score'
    if averages['pred_prob'] is None and score_kind == 'prob':
        averages['pred_prob'] = scores
    if averages['pred_logit'] is None and score_kind == 'score':
        averages['pred_logit'] = scores
    return ResultsFile(path=source, frame_dirs=frame_dirs,
                       labels=np.asarray(labels, dtype=np.int64), scores=scores,
                       score_kind=score_kind, classes=classes, probs=averages['pred_prob'],
                       logits=averages['pred_logit'])


def _are_probabilities(scores: np.ndarray) -> bool:
    """True when every row is non-negative and sums to 1 (float32 rounding allowed)."""
    return bool((scores >= 0).all() and np.allclose(scores.sum(axis=1), 1, atol=1e-4))
