"""Read per-video 2D keypoint sequences written by other detectors as JSON.

Two forms are accepted.

**One JSON file per video** (any detector)::

    {"layout": "coco",             # optional: coco (17) | openpose (18) | openpose25 (BODY_25)
                                   #           | mediapipe (33); default: from the joint count
     "img_shape": [1080, 1920],    # optional (h, w); else --img-shape
     "coordinates": "pixels",      # optional: pixels (default) | normalized (x/w, y/h in [0, 1])
     "label": 3,                   # optional class index (overrides the list / folder label)
     "frames": [                   # T frames, each a list of persons (may be empty)
        [ [[x, y, score], ... V joints],     # person 0 ([x, y] without score = score 1)
          [[x, y, score], ...] ],            # person 1
        ...]}

A bare list is read as ``frames``. A person may also be a flat ``[x1, y1, s1, x2, ...]``
list or ``{"keypoints": [...]}``.

**OpenPose output**: a folder per video with one ``*.json`` file per frame (sorted by name),
``{"people": [{"pose_keypoints_2d": [x1, y1, c1, ...]}, ...]}`` with 18 (COCO model) or 25
(BODY_25) joints; pixels, no image size (give ``img_shape``).

Persons are not tracked across frames: in every frame they are ranked by mean score and the
first ``max_persons`` kept, so person ``m`` is "the m-th most confident" (as in PYSKL's
Kinetics skeletons). Joints with zero score (OpenPose's missing joints) are set to 0.
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from pyskl_lite.utils import InputError

from .dataset_builder import map_to_coco17

#: Source layout by joint count (2D detectors).
LAYOUT_BY_JOINTS = {17: 'coco', 18: 'openpose', 25: 'openpose25', 33: 'mediapipe'}
JOINTS_BY_LAYOUT = {name: count for count, name in LAYOUT_BY_JOINTS.items()}


def _load_json(path: str) -> Any:
    try:
        with open(path, encoding='utf-8') as file:
            return json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError.at(path, f'not valid JSON ({err})') from None


def _person_array(person: Any, source: str, frame: int) -> np.ndarray:
    """One person as ``(V, 3)`` float32 ``(x, y, score)``."""
    if isinstance(person, dict):
        person = person.get('keypoints', person.get('pose_keypoints_2d'))
    try:
        values = np.asarray(person, dtype=np.float32)
    except (TypeError, ValueError):
        values = np.empty(0)
    if values.ndim == 1 and values.size % 3 == 0 and values.size:
        values = values.reshape(-1, 3)
    if values.ndim != 2 or values.shape[1] not in (2, 3) or not len(values):
        raise InputError.at(source, f'frame {frame}: a person must be [[x, y, score], ...] or '
                            f'a flat [x, y, score, ...] list, got shape {values.shape}',
                            field='frames')
    if values.shape[1] == 2:
        values = np.concatenate([values, np.ones((len(values), 1), np.float32)], axis=1)
    return values


def _frames_of(path: str) -> tuple[list[list[np.ndarray]], dict[str, Any]]:
    """Persons per frame and the header fields of a JSON file or an OpenPose folder."""
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.lower().endswith('.json'))
        if not names:
            raise InputError.at(path, 'no .json file in the OpenPose folder')
        frames = []
        for index, name in enumerate(names):
            data = _load_json(os.path.join(path, name))
            if not isinstance(data, dict) or 'people' not in data:
                raise InputError.at(os.path.join(path, name), "expected OpenPose's "
                                    '{"people": [{"pose_keypoints_2d": [...]}]}', field='people')
            frames.append([_person_array(p, os.path.join(path, name), index)
                           for p in data['people']])
        return frames, {}
    if not os.path.isfile(path):
        raise InputError.at(path, 'keypoint file not found')
    data = _load_json(path)
    header = data if isinstance(data, dict) else {}
    raw = data.get('frames') if isinstance(data, dict) else data
    if not isinstance(raw, list):
        raise InputError.at(path, 'expected a list of frames (or {"frames": [...]})',
                            field='frames')
    frames = []
    for index, persons in enumerate(raw):
        if not isinstance(persons, list):
            raise InputError.at(path, f'frame {index}: expected a list of persons',
                                field='frames')
        frames.append([_person_array(p, path, index) for p in persons])
    return frames, header


def read_keypoint_sequence(path: str | os.PathLike, layout: str | None = None,
                           img_shape: Sequence[int] | None = None, max_persons: int = 2,
                           to_coco: bool = True) -> dict[str, Any]:
    """One video's keypoints as a PYSKL sample without ``label`` / ``frame_dir``.

    Args:
        path: JSON file or OpenPose folder (module doc).
        layout: source layout; the file's ``layout`` wins, default from the joint count.
        img_shape: ``(h, w)`` when the file has none.
        max_persons: persons kept per frame (``M`` = the most found in one frame, at most
            this). Default 2.
        to_coco: map to COCO-17 (default); False keeps ``openpose`` / ``mediapipe`` joints
            (BODY_25 is always mapped: no 25-joint 2D layout is registered).

    Returns:
        ``keypoint`` float32 ``(M, T, V, 2)``, ``keypoint_score`` ``(M, T, V)``,
        ``total_frames``, ``img_shape``, ``original_shape``, ``joint_layout`` (of the result)
        and ``label`` when the file gives one.

    Raises:
        InputError: naming the file for every malformed input.
    """
    source = os.fspath(path)
    frames, header = _frames_of(source)
    if not frames:
        raise InputError.at(source, 'no frame', field='frames')
    counts = {len(person) for persons in frames for person in persons}
    if len(counts) > 1:
        raise InputError.at(source, f'persons have different joint counts {sorted(counts)}',
                            field='frames')
    layout = header.get('layout', layout)
    num_joints = counts.pop() if counts else JOINTS_BY_LAYOUT.get(layout or '', 17)
    layout = layout or LAYOUT_BY_JOINTS.get(num_joints)
    if layout not in JOINTS_BY_LAYOUT or JOINTS_BY_LAYOUT[layout] != num_joints:
        raise InputError.at(source, f'{num_joints} joints do not fit layout {layout!r}; known: '
                            f'{JOINTS_BY_LAYOUT}', field='layout')
    shape = header.get('img_shape', img_shape)
    if shape is None or len(shape) != 2:
        raise InputError.at(source, 'no image size: add "img_shape": [h, w] to the file or '
                            'pass --img-shape H W', field='img_shape')
    height, width = int(shape[0]), int(shape[1])

    num_person = max(1, min(max_persons, max(len(p) for p in frames)))
    values = np.zeros((num_person, len(frames), num_joints, 3), dtype=np.float32)
    for index, persons in enumerate(frames):
        ranked = sorted(persons, key=lambda p: -float(p[:, 2].mean()))[:num_person]
        for rank, person in enumerate(ranked):
            values[rank, index] = person
    if header.get('coordinates', 'pixels') == 'normalized':
        values[..., :2] *= np.array([width, height], dtype=np.float32)
    elif header.get('coordinates', 'pixels') != 'pixels':
        raise InputError.at(source, f"coordinates must be 'pixels' or 'normalized', got "
                            f"{header['coordinates']!r}", field='coordinates')
    values[values[..., 2] <= 0] = 0
    keypoint, score = values[..., :2], values[..., 2]
    result_layout = layout
    if to_coco or layout == 'openpose25':
        keypoint, score = map_to_coco17(keypoint, score, layout)
        result_layout = 'coco'
    sample = dict(keypoint=np.ascontiguousarray(keypoint),
                  keypoint_score=np.ascontiguousarray(score), total_frames=len(frames),
                  img_shape=(height, width), original_shape=(height, width),
                  joint_layout=result_layout)
    if 'label' in header:
        sample['label'] = int(header['label'])
    return sample
