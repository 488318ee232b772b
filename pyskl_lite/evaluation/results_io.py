"""Per-sample test results on disk (``tools/test.py --out``), ``.pkl`` or ``.json``.

A results file holds, for every evaluated sample, its ``frame_dir``, its ground-truth ``label``
and the model's ``pred_score`` vector ``(num_classes,)`` (after view averaging), plus the class
names. Visualisation and analysis tools read it instead of re-running the model.

On disk: ``{'format': 'pyskl_lite.results', 'version': 1, 'classes': [str] | None,
'results': [{'frame_dir': str, 'label': int, 'pred_score': float32 array / list}]}``. Pickles
are read with the restricted unpickler (no code runs), so a results file from elsewhere is safe
to open.
"""
from __future__ import annotations

import json
import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pyskl_lite.datasets.safe_pickle import load_pickle_safely
from pyskl_lite.utils import InputError

FORMAT = 'pyskl_lite.results'
VERSION = 1
SUFFIXES = ('.pkl', '.json')


def _suffix(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError.at(path, f'results file must end in .pkl or .json, got {suffix!r}')
    return suffix


def dump_results(path: str | os.PathLike, results: Sequence[dict],
                 classes: Sequence[str] | None) -> Path:
    """Write ``results`` (dicts with ``frame_dir``, ``label``, ``pred_score``) and ``classes``
    to ``path`` (``.pkl`` or ``.json``, chosen by suffix), atomically. Returns the path."""
    target = os.fspath(path)
    suffix = _suffix(target)
    rows = []
    for row in results:
        score = np.asarray(row['pred_score'], dtype=np.float32).reshape(-1)
        rows.append(dict(frame_dir=str(row['frame_dir']), label=int(row['label']),
                         pred_score=score.tolist() if suffix == '.json' else score))
    data = dict(format=FORMAT, version=VERSION,
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
    """Read a file written by :func:`dump_results`.

    Returns:
        ``(results, classes)``: ``results`` as dicts with ``frame_dir`` (str), ``label`` (int)
        and ``pred_score`` (float32 ndarray ``(num_classes,)``); ``classes`` or None.

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


def _validate(source: str, data: Any) -> tuple[list[dict], list[str] | None]:
    if not isinstance(data, dict) or data.get('format') != FORMAT:
        raise InputError.at(source, f'not a {FORMAT} file (written by tools/test.py --out)')
    classes = data.get('classes')
    rows = data.get('results')
    if not isinstance(rows, list):
        raise InputError.at(source, "'results' must be a list", field='results')
    results = []
    num_classes = None
    for index, row in enumerate(rows):
        sample = row.get('frame_dir', f'#{index}') if isinstance(row, dict) else f'#{index}'
        if not isinstance(row, dict) or not {'frame_dir', 'label', 'pred_score'} <= set(row):
            raise InputError.at(source, 'each result needs frame_dir, label and pred_score',
                                sample=str(sample))
        score = np.asarray(row['pred_score'], dtype=np.float32)
        if score.ndim != 1 or (num_classes is not None and len(score) != num_classes):
            raise InputError.at(source, f'expected a ({num_classes or "num_classes"},) vector, '
                                f'got shape {score.shape}', sample=str(sample),
                                field='pred_score')
        num_classes = len(score)
        results.append(dict(frame_dir=str(row['frame_dir']), label=int(row['label']),
                            pred_score=score))
    if classes is not None:
        classes = [str(name) for name in classes]
        if num_classes is not None and len(classes) != num_classes:
            raise InputError.at(source, f'{len(classes)} class names but scores over '
                                f'{num_classes} classes', field='classes')
    return results, classes
