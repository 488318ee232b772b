"""Build a PYSKL annotation pickle from your own data: inputs, labels, splits, writing.

Shared by ``tools/data/extract_skeletons.py`` (videos) and ``tools/data/keypoints_to_pickle.py``
(keypoint JSON from other detectors).

Inputs and labels come from either

* a list file, one input per line: ``<path> <label>``; ``label`` is a 0-based class index or a
  class name (then classes are the sorted names); relative paths are relative to the list
  file's folder; blank lines and ``#`` comments are skipped; or
* a folder with one sub-folder per class (classes = sorted sub-folder names), inputs anywhere
  below it.

The sample id (``frame_dir``) is the input's file name without its suffix; it must be unique.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pyskl_lite.datasets.annotations import read_annotation_file, read_label_map
from pyskl_lite.datasets.layouts import TO_COCO17
from pyskl_lite.utils import InputError

#: OpenPose BODY_25 -> COCO-17 (BODY_25 = OpenPose-18 order with mid-hip at 8 and feet 19-24).
BODY25_TO_COCO17 = (0, 16, 15, 18, 17, 5, 2, 6, 3, 7, 4, 12, 9, 13, 10, 14, 11)


@dataclass(frozen=True)
class LabelledInput:
    """One input (a video file, a JSON file or an OpenPose folder) with its class."""

    path: str
    label: int
    frame_dir: str


def sample_id(path: str | os.PathLike) -> str:
    """``frame_dir`` of an input: its name without suffix (``_keypoints`` and ``_rgb`` kept)."""
    name = os.path.basename(os.path.normpath(os.fspath(path)))
    return os.path.splitext(name)[0] if os.path.splitext(name)[1] else name


def list_inputs(list_file: str | os.PathLike | None = None,
                root: str | os.PathLike | None = None,
                suffixes: Sequence[str] = (), folders: bool = False
                ) -> tuple[list[LabelledInput], list[str] | None]:
    """The labelled inputs of a list file or a class-per-folder tree (module doc).

    Args:
        list_file: ``<path> <label>`` lines.
        root: folder of class folders.
        suffixes: file suffixes that count as inputs under ``root`` (lower case, with dot).
        folders: under ``root``, take the entries of each class folder (files with
            ``suffixes`` and sub-folders, e.g. OpenPose's per-frame output) instead of searching
            it recursively for files.

    Returns:
        ``(inputs, classes)``; ``classes`` is None when a list file gives integer labels.

    Raises:
        InputError: for a missing file or folder, a bad line, or two inputs with one id.
    """
    if (list_file is None) == (root is None):
        raise ValueError('give exactly one of list_file and root')
    if list_file is not None:
        inputs, classes = _read_list_file(os.fspath(list_file))
    else:
        inputs, classes = _scan_class_folders(os.fspath(root), suffixes, folders)
    seen: dict[str, str] = {}
    for item in inputs:
        if item.frame_dir in seen:
            raise InputError.at(item.path, f'sample id {item.frame_dir!r} is also the id of '
                                f'{seen[item.frame_dir]}; rename one (ids are file names)',
                                sample=item.frame_dir)
        seen[item.frame_dir] = item.path
    return inputs, classes


def _read_list_file(source: str) -> tuple[list[LabelledInput], list[str] | None]:
    if not os.path.isfile(source):
        raise InputError.at(source, 'list file not found')
    base = os.path.dirname(os.path.abspath(source))
    rows = []
    with open(source, encoding='utf-8') as file:
        for number, line in enumerate(file, 1):
            text = line.strip()
            if not text or text.startswith('#'):
                continue
            parts = text.rsplit(maxsplit=1)
            if len(parts) != 2:
                raise InputError.at(f'{source}:{number}', f'expected "<path> <label>", got '
                                    f'{text!r}')
            path = parts[0] if os.path.isabs(parts[0]) else os.path.join(base, parts[0])
            rows.append((path, parts[1]))
    if not rows:
        raise InputError.at(source, 'no input listed')
    if all(label.lstrip('-').isdigit() for _, label in rows):
        labels = [int(label) for _, label in rows]
        if min(labels) < 0:
            raise InputError.at(source, f'labels must be >= 0, found {min(labels)}',
                                field='label')
        classes = None
    else:
        classes = sorted({label for _, label in rows})
        labels = [classes.index(label) for _, label in rows]
    return [LabelledInput(path, label, sample_id(path))
            for (path, _), label in zip(rows, labels, strict=True)], classes


def _scan_class_folders(root: str, suffixes: Sequence[str], folders: bool
                        ) -> tuple[list[LabelledInput], list[str]]:
    if not os.path.isdir(root):
        raise InputError.at(root, 'input folder not found')
    classes = sorted(e.name for e in os.scandir(root) if e.is_dir())
    if not classes:
        raise InputError.at(root, 'expected one sub-folder per class, found none')
    inputs = []
    for label, name in enumerate(classes):
        class_root = os.path.join(root, name)
        if folders:
            entries = sorted(os.scandir(class_root), key=lambda e: e.name)
            paths = [e.path for e in entries if e.is_dir()
                     or os.path.splitext(e.name)[1].lower() in suffixes]
        else:
            paths = [os.path.join(folder, file)
                     for folder, _, files in sorted(os.walk(class_root))
                     for file in sorted(files) if os.path.splitext(file)[1].lower() in suffixes]
        inputs += [LabelledInput(path, label, sample_id(path)) for path in paths]
    if not inputs:
        raise InputError.at(root, f'no input ({", ".join(suffixes)}) in the class folders')
    return inputs, classes


def map_to_coco17(keypoint: np.ndarray, keypoint_score: np.ndarray | None, source: str
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """Reorder ``(..., V, C)`` joints of ``source`` (``'openpose'``, ``'openpose25'`` for
    BODY_25, ``'mediapipe'``, ``'coco'``) into COCO-17."""
    if source == 'coco':
        return keypoint, keypoint_score
    index = BODY25_TO_COCO17 if source == 'openpose25' else TO_COCO17.get(source)
    if index is None:
        raise ValueError(f'no COCO-17 mapping for layout {source!r}')
    index = np.asarray(index)
    score = None if keypoint_score is None else keypoint_score[..., index]
    return keypoint[..., index, :], score


def stable_split(annotations: Sequence[dict], train_ratio: float, seed: int = 0
                 ) -> dict[str, list[str]]:
    """``{'train': ids, 'val': ids}``, stratified by label: in each class the samples are
    ordered by a hash of ``(seed, frame_dir)`` and the first ``n * train_ratio`` (rounded
    half up) train.

    Hash order (not a shuffle) keeps a sample's side when other samples are added later (a
    resumed extraction), except near the cut.
    """
    if not 0 < train_ratio < 1:
        raise ValueError(f'train_ratio must be in (0, 1), got {train_ratio}')
    by_class: dict[int, list[str]] = defaultdict(list)
    for sample in annotations:
        by_class[int(sample['label'])].append(sample['frame_dir'])

    def key(frame_dir: str) -> str:
        return hashlib.sha1(f'{seed}/{frame_dir}'.encode()).hexdigest()

    split: dict[str, list[str]] = {'train': [], 'val': []}
    for label in sorted(by_class):
        ids = sorted(by_class[label], key=key)
        cut = int(len(ids) * train_ratio + 0.5)
        split['train'] += ids[:cut]
        split['val'] += ids[cut:]
    return {name: sorted(ids) for name, ids in split.items()}


def read_split_file(path: str | os.PathLike, known_ids: Sequence[str]) -> dict[str, list[str]]:
    """A JSON split file ``{"split name": ["frame_dir", ...], ...}``, restricted to
    ``known_ids`` (ids of videos that failed are dropped; the caller reports them).

    Raises:
        InputError: for a missing or malformed file, or ids that no input has.
    """
    source = os.fspath(path)
    if not os.path.isfile(source):
        raise InputError.at(source, 'split file not found', field='split')
    try:
        with open(source, encoding='utf-8') as file:
            data = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError.at(source, f'not valid JSON ({err})', field='split') from None
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise InputError.at(source, 'expected {"split name": [frame_dir, ...], ...}',
                            field='split')
    known = set(known_ids)
    return {str(name): [str(i) for i in ids if str(i) in known] for name, ids in data.items()}


def load_existing(out: str | os.PathLike) -> list[dict]:
    """The annotations already in ``out`` (for resuming), [] when it does not exist."""
    if not os.path.exists(out):
        return []
    annotations, _ = read_annotation_file(out)
    return annotations


def existing_classes(out: str | os.PathLike) -> list[str] | None:
    """The class names of ``out``'s label map, when it has one."""
    label_map = label_map_path(out)
    return read_label_map(label_map) if label_map.is_file() else None


def label_map_path(out: str | os.PathLike) -> Path:
    """``<out minus .pkl>_label_map.txt``, the name ``make_synthetic`` uses too."""
    path = Path(out)
    stem = path.name[:-4] if path.name.endswith('.pkl') else path.name
    return path.with_name(f'{stem}_label_map.txt')


def write_annotation_pickle(out: str | os.PathLike, annotations: list[dict],
                            split: dict[str, list[str]] | None,
                            classes: Sequence[str] | None = None) -> Path:
    """Write ``{'split': split, 'annotations': annotations}`` (a bare list when ``split`` is
    None) to ``out`` atomically, and the label map beside it when ``classes`` are given.
    Returns ``out``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data: Any = annotations if split is None else {'split': split, 'annotations': annotations}
    partial = out.with_name(out.name + '.partial')
    with open(partial, 'wb') as file:
        pickle.dump(data, file, protocol=4)
    os.replace(partial, out)
    if classes is not None:
        label_map_path(out).write_text(''.join(f'{name}\n' for name in classes),
                                       encoding='utf-8')
    return out
