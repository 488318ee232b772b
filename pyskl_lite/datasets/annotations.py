"""The PYSKL annotation format: reading, split selection and per-sample validation.

An annotation file is a pickle of ``{'split': {name: [id, ...]}, 'annotations': [sample, ...]}``
(or a bare list of samples, which has no splits). A sample is a dict:

===================  ==========================================================================
``frame_dir``        str, the sample id (older files use ``filename``)
``label``            int, 0-based class index
``total_frames``     int, ``T``
``keypoint``         float16/float32 ``(M, T, V, C)``: pixels for 2D (C=2), metres for 3D (C=3)
``keypoint_score``   float ``(M, T, V)``, 2D files only
``img_shape``        ``(h, w)`` of the frame the 2D coordinates refer to (absent in 3D files)
``original_shape``   ``(h, w)`` of the source video
===================  ==========================================================================

Every problem is reported as one :class:`~pyskl_lite.utils.InputError` line naming the file, the
sample and the field. Missing joints are stored as zeros; non-finite coordinates are turned into
missing joints (zero coordinates, score 0) and counted.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pyskl_lite.utils import InputError

from .safe_pickle import load_annotation_pickle

REQUIRED_KEYS = ('label', 'total_frames', 'keypoint')


@dataclass
class ValidationReport:
    """What validation fixed or skipped, for one warning line per kind."""

    nonfinite_joints: int = 0
    nonfinite_samples: list[str] = field(default_factory=list)
    empty_samples: list[str] = field(default_factory=list)

    def messages(self, source: str) -> list[str]:
        lines = []
        if self.nonfinite_joints:
            lines.append(
                f'{source}: {self.nonfinite_joints} joints with NaN/inf coordinates in '
                f'{len(self.nonfinite_samples)} samples (first: {_first(self.nonfinite_samples)}) '
                'were treated as missing (zero, score 0)')
        if self.empty_samples:
            lines.append(
                f'{source}: skipped {len(self.empty_samples)} samples with no person or no frame '
                f'(M = 0 or T = 0; first: {_first(self.empty_samples)})')
        return lines


def _first(ids: Sequence[str], count: int = 5) -> str:
    shown = ', '.join(repr(i) for i in ids[:count])
    return shown + (', ...' if len(ids) > count else '')


def sample_id_key(annotations: Sequence[dict]) -> str:
    """``'frame_dir'``, or ``'filename'`` for older files that use it as the sample id."""
    return 'filename' if annotations and 'frame_dir' not in annotations[0] \
        and 'filename' in annotations[0] else 'frame_dir'


def read_annotation_file(path: str | os.PathLike) -> tuple[list[dict], dict[str, list] | None]:
    """Load an annotation pickle safely and check its top-level structure.

    Returns:
        ``(annotations, split)``; ``split`` is None for a bare list of samples.
    """
    source = os.fspath(path)
    data = load_annotation_pickle(source)
    if isinstance(data, list):
        annotations, split = data, None
    elif isinstance(data, dict):
        if 'annotations' not in data:
            raise InputError.at(source, f"missing top-level key 'annotations' (found "
                                f'{sorted(map(str, data))})', field='annotations')
        annotations, split = data['annotations'], data.get('split')
        if split is not None and not isinstance(split, dict):
            raise InputError.at(source, f'expected a dict of split name -> ids, got '
                                f'{type(split).__name__}', field='split')
    else:
        raise InputError.at(source, 'expected a dict with \'split\' and \'annotations\' or a '
                            f'list of samples, got {type(data).__name__}')
    if not isinstance(annotations, list):
        raise InputError.at(source, f'expected a list, got {type(annotations).__name__}',
                            field='annotations')
    for index, sample in enumerate(annotations):
        if not isinstance(sample, dict):
            raise InputError.at(source, f'annotation #{index} is a {type(sample).__name__}, '
                                'expected a dict', field='annotations')
    return annotations, split


def describe_split(name: str | Sequence[str] | None) -> str | None:
    """A short name of a split for messages: the key, or ``'<N listed ids>'`` for a list."""
    if name is None or isinstance(name, str):
        return name
    return f'<{len(name)} listed ids>'


def select_split(annotations: list[dict], split: dict[str, list] | None,
                 name: str | Sequence[str] | None, source: str) -> list[dict]:
    """The samples of split ``name``, in split order.

    ``name`` is a key of the file's ``split`` dict, an explicit list of sample ids
    (``frame_dir``; used by cross-validation folds) or None for every sample.
    """
    if name is None:
        return annotations
    if isinstance(name, str):
        if split is None:
            raise InputError.at(source, f'split {name!r} requested but the file has no splits',
                                field='split')
        if name not in split:
            raise InputError.at(source, f'split {name!r} not found; present: '
                                f'{", ".join(map(repr, sorted(split)))}', field='split')
        ids = list(split[name])
    else:
        ids = [str(i) for i in name]
        name = describe_split(ids)
    if not ids:
        raise InputError.at(source, f'split {name!r} is empty', field='split')
    key = sample_id_key(annotations)
    by_id = {}
    for index, sample in enumerate(annotations):
        if key not in sample:
            raise InputError.at(source, f'annotation #{index} has no {key!r}', field=key)
        by_id[sample[key]] = sample
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise InputError.at(source, f'split {name!r} names {len(missing)} of {len(ids)} ids '
                            f'that are not in annotations (first: {_first(missing)})',
                            field='split')
    return [by_id[i] for i in ids]


def validate_sample(sample: dict[str, Any], source: str, num_classes: int | None,
                    report: ValidationReport) -> dict[str, Any] | None:
    """Check one sample in place; return it, or None when it has no person or no frame.

    Non-finite coordinates are set to zero (and their scores to 0), counted in ``report``.
    """
    key = 'frame_dir' if 'frame_dir' in sample else 'filename'
    sample_id = str(sample.get(key, '?'))

    def fail(field_name: str, message: str) -> InputError:
        return InputError.at(source, message, sample=sample_id, field=field_name)

    if key not in sample:
        raise fail('frame_dir', 'missing key')
    for name in REQUIRED_KEYS:
        if name not in sample:
            raise fail(name, 'missing key')

    keypoint = sample['keypoint']
    if not isinstance(keypoint, np.ndarray) or keypoint.ndim != 4:
        shape = getattr(keypoint, 'shape', type(keypoint).__name__)
        raise fail('keypoint', f'expected a 4-D array (M, T, V, C), got {shape}')
    if not np.issubdtype(keypoint.dtype, np.floating):
        raise fail('keypoint', f'expected float16/float32 coordinates, got {keypoint.dtype}')
    num_person, num_frames, _, num_coords = keypoint.shape
    if num_coords not in (2, 3):
        raise fail('keypoint', f'expected C = 2 (x, y) or 3 (x, y, z) coordinates, got shape '
                               f'{keypoint.shape}')

    score = sample.get('keypoint_score')
    if score is not None and (not isinstance(score, np.ndarray)
                              or score.shape != keypoint.shape[:3]):
        raise fail('keypoint_score', f'shape {getattr(score, "shape", None)} does not match '
                                     f'keypoint (M, T, V) = {keypoint.shape[:3]}')

    label = sample['label']
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)):
        raise fail('label', f'expected an int class index, got {label!r}')
    if label < 0 or (num_classes is not None and label >= num_classes):
        bound = f'[0, {num_classes - 1}]' if num_classes is not None else '>= 0'
        raise fail('label', f'{int(label)} is out of range {bound}')

    total_frames = sample['total_frames']
    if not isinstance(total_frames, (int, np.integer)) or total_frames != num_frames:
        raise fail('total_frames', f'{total_frames!r} does not match keypoint T = {num_frames}')

    if num_person == 0 or num_frames == 0:
        report.empty_samples.append(sample_id)
        return None

    finite = np.isfinite(keypoint).all(axis=-1)
    if not finite.all():
        bad = ~finite
        keypoint[bad] = 0
        if score is not None:
            score[bad] = 0
        report.nonfinite_joints += int(bad.sum())
        report.nonfinite_samples.append(sample_id)
    if score is not None and not np.isfinite(score).all():
        report.nonfinite_joints += int((~np.isfinite(score)).sum())
        report.nonfinite_samples.append(sample_id)
        np.nan_to_num(score, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    return sample


def read_label_map(label_map: str | os.PathLike | Sequence[str]) -> list[str]:
    """Class names from a label-map text file (line ``i`` = class ``i``) or a sequence."""
    if isinstance(label_map, (str, os.PathLike)):
        source = os.fspath(label_map)
        if not os.path.isfile(source):
            raise InputError.at(source, 'label map file not found', field='label_map')
        with open(source, encoding='utf-8') as file:
            names = [line.strip() for line in file if line.strip()]
        if not names:
            raise InputError.at(source, 'label map is empty', field='label_map')
        return names
    return [str(name) for name in label_map]
