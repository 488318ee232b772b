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
sample and the field. Missing joints are stored as zeros; non-finite coordinates and coordinates
beyond :data:`MAX_ABS_COORDINATE` are turned into missing joints (zero coordinates, score 0) and
counted. A ``frame_dir`` listed twice with different labels, or in both the train and the
val/test split of one benchmark (``xsub_train`` / ``xsub_val``), is refused; an id listed twice
in one split is used once, with a warning.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pyskl_lite.utils import InputError

from .safe_pickle import load_annotation_pickle

REQUIRED_KEYS = ('label', 'total_frames', 'keypoint')
#: Coordinates beyond this (pixels or metres) are glitches, treated as missing joints.
MAX_ABS_COORDINATE = 1e6
#: Largest accepted ``img_shape`` / ``original_shape`` side, in pixels.
MAX_IMAGE_SIDE = 100_000
#: Largest class index accepted when the number of classes is unknown.
MAX_LABEL = 2 ** 31 - 1
#: Split-name suffixes of one benchmark's parts; one sample must not be in two of them.
SPLIT_ROLES = ('train', 'val', 'test')


@dataclass
class ValidationReport:
    """What validation fixed or skipped, for one warning line per kind."""

    nonfinite_joints: int = 0
    nonfinite_samples: list[str] = field(default_factory=list)
    empty_samples: list[str] = field(default_factory=list)
    repeated_ids: list[str] = field(default_factory=list)

    def messages(self, source: str) -> list[str]:
        lines = []
        if self.repeated_ids:
            lines.append(
                f'{source}: {len(self.repeated_ids)} ids are listed more than once in the split '
                f'(first: {_first(self.repeated_ids)}); each sample is used once')
        if self.nonfinite_joints:
            lines.append(
                f'{source}: {self.nonfinite_joints} joints with NaN/inf coordinates (or beyond '
                f'+-{MAX_ABS_COORDINATE:g}) in {len(self.nonfinite_samples)} samples (first: '
                f'{_first(self.nonfinite_samples)}) were treated as missing (zero, score 0)')
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
                 name: str | Sequence[str] | None, source: str,
                 report: ValidationReport | None = None) -> list[dict]:
    """The samples of split ``name``, in split order.

    ``name`` is a key of the file's ``split`` dict, an explicit list of sample ids
    (``frame_dir``; used by cross-validation folds) or None for every sample.

    Raises:
        InputError: for a missing or empty split, ids that are not in the annotations, a
            ``frame_dir`` given twice with different labels, or a sample that is also in
            another part of the same benchmark (``xsub_train`` and ``xsub_val``).
    """
    if name is None:
        return annotations
    if isinstance(name, str):
        if split is None:
            raise InputError.at(source, f'split {name!r} requested but the file has no splits',
                                field='split')
        if name not in split:
            raise InputError.at(source, f'split {name!r} not found; present: '
                                f'{", ".join(sorted(map(repr, split)))}', field='split')
        ids = _split_ids(split, name, source)
        leak_check = name
    else:
        ids = [str(i) for i in name]
        name = describe_split(ids)
        leak_check = None
    if not ids:
        raise InputError.at(source, f'split {name!r} is empty', field='split')
    by_id = _samples_by_id(annotations, source)
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise InputError.at(source, f'split {name!r} names {len(missing)} of {len(ids)} ids '
                            f'that are not in annotations (first: {_first(missing)})',
                            field='split')
    unique = list(dict.fromkeys(ids))
    if len(unique) < len(ids) and report is not None:
        report.repeated_ids.extend(i for i in unique if ids.count(i) > 1)
    if leak_check is not None:
        _check_no_leak(split, leak_check, set(unique), source)
    return [by_id[i] for i in unique]


def _split_ids(split: dict, name: str, source: str) -> list:
    ids = split[name]
    if not isinstance(ids, (list, tuple)):
        raise InputError.at(source, f'split {name!r} is a {type(ids).__name__}, expected a '
                            'list of sample ids', field='split')
    for sample_id in ids:
        if not isinstance(sample_id, str):
            raise InputError.at(source, f'split {name!r} holds the id {sample_id!r:.60} of '
                                f'type {type(sample_id).__name__}; ids are frame_dir strings',
                                field='split')
    return list(ids)


def _samples_by_id(annotations: list[dict], source: str) -> dict[str, dict]:
    """``{frame_dir: sample}``; refuses missing or non-string ids and conflicting labels."""
    key = sample_id_key(annotations)
    by_id: dict[str, dict] = {}
    for index, sample in enumerate(annotations):
        if key not in sample:
            raise InputError.at(source, f'annotation #{index} has no {key!r}', field=key)
        sample_id = sample[key]
        if not isinstance(sample_id, str) or not sample_id:
            raise InputError.at(source, f'annotation #{index}: expected a non-empty string id, '
                                f'got {sample_id!r:.60}', field=key)
        first = by_id.setdefault(sample_id, sample)
        if first is not sample and not _same_label(first.get('label'), sample.get('label')):
            raise InputError.at(source, f'appears twice with labels {first.get("label")!r:.20} '
                                f'and {sample.get("label")!r:.20}; remove or rename one of '
                                'them', sample=sample_id, field=key)
    return by_id


def _same_label(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _check_no_leak(split: dict, name: str, ids: set, source: str) -> None:
    """Refuse a sample of split ``name`` that is also in another part of its benchmark: for
    ``xsub_train`` the splits ``xsub_val`` and ``xsub_test`` (``train``: ``val``, ``test``)."""
    prefix, _, role = name.rpartition('_') if isinstance(name, str) else ('', '', None)
    if role not in SPLIT_ROLES:
        return
    for other_role in SPLIT_ROLES:
        other = f'{prefix}_{other_role}' if prefix else other_role
        if other_role == role or other not in split:
            continue
        shared = [i for i in _split_ids(split, other, source) if i in ids]
        if shared:
            raise InputError.at(source, f'is in both split {name!r} and split {other!r} '
                                f'({len(shared)} such ids; a train/val leak): remove it from '
                                'one of them', sample=shared[0], field='split')


def validate_sample(sample: dict[str, Any], source: str, num_classes: int | None,
                    report: ValidationReport, require_scores: bool = True,
                    with_label: bool = True) -> dict[str, Any] | None:
    """Check one sample in place; return it, or None when it has no person or no frame.

    ``require_scores``: 2D samples must have ``keypoint_score`` (the models' inputs need it);
    drawing a sample does not. ``with_label=False``: ``label`` is neither required nor read
    (label-free pretraining; the caller removes it).

    Arrays become writable (read-only ones are copied) and scores float32; ``label`` and
    ``total_frames`` become ``int``, ``img_shape`` / ``original_shape`` ``(h, w)`` int tuples.
    Non-finite coordinates and those beyond :data:`MAX_ABS_COORDINATE` are set to zero (and
    their scores to 0), counted in ``report``.
    """
    key = 'frame_dir' if 'frame_dir' in sample else 'filename'
    sample_id = sample.get(key, '?')
    sample_id = sample_id if isinstance(sample_id, str) else f'{sample_id!r:.60}'

    def fail(field_name: str, message: str) -> InputError:
        return InputError.at(source, message, sample=sample_id, field=field_name)

    if key not in sample:
        raise fail('frame_dir', 'missing key')
    if not isinstance(sample[key], str) or not sample[key]:
        raise fail(key, f'expected a non-empty string id, got {type(sample[key]).__name__}')
    for name in REQUIRED_KEYS:
        if name not in sample and (with_label or name != 'label'):
            raise fail(name, 'missing key' if name != 'label' else 'missing key (samples '
                       'without labels serve label-free pretraining only: PoseDataset('
                       'with_labels=False), e.g. configs/simclr_c3d_keypoint.py)')

    keypoint = sample['keypoint']
    if not isinstance(keypoint, np.ndarray) or keypoint.ndim != 4:
        shape = getattr(keypoint, 'shape', type(keypoint).__name__)
        raise fail('keypoint', f'expected a 4-D array (M, T, V, C), got {shape}')
    if not np.issubdtype(keypoint.dtype, np.floating):
        raise fail('keypoint', f'expected float16/float32 coordinates, got {keypoint.dtype}')
    num_person, num_frames, num_joints, num_coords = keypoint.shape
    if num_coords not in (2, 3):
        raise fail('keypoint', f'expected C = 2 (x, y) or 3 (x, y, z) coordinates, got shape '
                               f'{keypoint.shape}')
    if num_joints == 0:
        raise fail('keypoint', f'no joints (V = 0) in shape {keypoint.shape}')
    keypoint = sample['keypoint'] = _writable(keypoint)

    score = sample.get('keypoint_score')
    if score is None and num_coords == 2 and require_scores:
        raise fail('keypoint_score', '2D keypoints (C = 2) need confidence scores (M, T, V); '
                                     'add them (e.g. np.ones for fully visible joints) or store '
                                     '3D coordinates')
    if score is not None:
        if not isinstance(score, np.ndarray) or score.shape != keypoint.shape[:3]:
            raise fail('keypoint_score', f'shape {getattr(score, "shape", type(score).__name__)}'
                                         f' does not match keypoint (M, T, V) = '
                                         f'{keypoint.shape[:3]}')
        if score.dtype.kind not in 'biuf':
            raise fail('keypoint_score', f'expected real-valued scores, got dtype {score.dtype}')
        score = sample['keypoint_score'] = _writable(score.astype(np.float32, copy=False))

    if with_label:
        sample['label'] = _checked_label(sample['label'], num_classes, fail)

    total_frames = sample['total_frames']
    if isinstance(total_frames, (bool, np.bool_)) or not isinstance(
            total_frames, (int, np.integer)) or total_frames != num_frames:
        raise fail('total_frames', f'{total_frames!r:.40} does not match keypoint T = '
                                   f'{num_frames}')
    sample['total_frames'] = int(total_frames)
    for name in ('img_shape', 'original_shape'):
        if name in sample:
            sample[name] = _checked_image_shape(sample[name], name, fail)

    if num_person == 0 or num_frames == 0:
        report.empty_samples.append(sample_id)
        return None

    bound = keypoint.dtype.type(min(MAX_ABS_COORDINATE, float(np.finfo(keypoint.dtype).max)))
    with np.errstate(invalid='ignore'):
        finite = (np.abs(keypoint) <= bound).all(axis=-1)
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


def _writable(array: np.ndarray) -> np.ndarray:
    return array if array.flags.writeable else array.copy()


def _checked_label(label: Any, num_classes: int | None,
                   fail: Callable[[str, str], InputError]) -> int:
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)):
        raise fail('label', f'expected an int class index, got {label!r:.40}')
    label = int(label)
    upper = num_classes - 1 if num_classes is not None else MAX_LABEL
    if not 0 <= label <= upper:
        bound = f'[0, {upper}]' if num_classes is not None else f'[0, {MAX_LABEL}] (set ' \
            'num_classes or a label_map)'
        raise fail('label', f'{label} is out of range {bound}')
    return label


def _checked_image_shape(value: Any, name: str,
                         fail: Callable[[str, str], InputError]) -> tuple[int, int]:
    """``(h, w)`` as ints; both sides positive whole numbers up to :data:`MAX_IMAGE_SIDE`."""
    sides = list(value) if isinstance(value, (tuple, list, np.ndarray)) else None
    if sides is None or len(sides) != 2 or not all(
            isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, (bool, np.bool_)) and 1 <= v <= MAX_IMAGE_SIDE
            and float(v).is_integer() for v in sides):
        raise fail(name, f'expected (height, width) in whole pixels from 1 to {MAX_IMAGE_SIDE}, '
                         f'got {value!r:.60}')
    return int(sides[0]), int(sides[1])


def stratified_subset(labels: np.ndarray, fraction: float, seed: int = 0) -> np.ndarray:
    """Sorted positions of a class-stratified random ``fraction`` of the samples.

    Every class keeps ``round(fraction · n_c)`` of its ``n_c`` samples, at least one, drawn with
    ``np.random.RandomState(seed)`` (the same subset for the same labels, fraction and seed).
    """
    if not 0 < fraction <= 1:
        raise ValueError(f'label_fraction must lie in (0, 1], got {fraction}')
    labels = np.asarray(labels)
    rng = np.random.RandomState(seed)
    kept = [rng.choice(members, max(1, int(round(fraction * len(members)))), replace=False)
            for members in (np.flatnonzero(labels == c) for c in np.unique(labels))]
    return np.sort(np.concatenate(kept)) if kept else np.zeros(0, dtype=np.int64)


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
