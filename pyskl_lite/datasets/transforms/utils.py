"""Helpers shared by the transforms: randomness, missing joints, layouts and input errors."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from pyskl_lite.utils import InputError

from ..annotations import read_label_map
from ..layouts import JointLayout, get_layout

#: Key that :class:`~.keypoint.GenSkeFeat` sets; coordinate-space transforms refuse to run after
#: it because the last axis then mixes coordinates, scores and derived features.
FEATURES_KEY = 'skeleton_feats'


class RandomTransform(BaseTransform):
    """A transform that draws random numbers.

    Args:
        seed: None (default) draws from numpy's global generator, which mmengine's
            ``worker_init_fn`` seeds per DataLoader worker (``randomness=dict(seed=...)`` makes a
            run reproducible; with ``persistent_workers`` the stream also continues across
            epochs). An int gives the transform its own ``np.random.RandomState(seed)``:
            the sequence of draws, and so the outputs for a sequence of inputs, is fixed, and
            the global generator is neither read nor advanced. Forked workers copy that
            generator, so seeded random transforms are meant for tests and offline use.
    """

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._local_rng = None if seed is None else np.random.RandomState(seed)

    @property
    def rng(self) -> np.random.RandomState:
        """The generator to draw from (resolved at call time, never pickled as the global)."""
        return self._local_rng if self._local_rng is not None else np.random.mtrand._rand


def valid_joints(keypoint: np.ndarray) -> np.ndarray:
    """``(..., V)`` bool: joints with any non-zero coordinate (all-zero = missing)."""
    return np.any(keypoint != 0, axis=-1)


def input_error(results: dict[str, Any], transform: str, message: str,
                field: str) -> InputError:
    """A one-line :class:`InputError` naming the annotation file (when the dataset put
    ``ann_file`` into the results), the sample and the field."""
    sample = results.get('frame_dir', results.get('filename'))
    source = results.get('ann_file', 'pipeline')
    return InputError.at(source, f'{transform}: {message}', sample=None if sample is None
                         else str(sample), field=field)


def require_keypoint(results: dict[str, Any], transform: str,
                     coords: Sequence[int] | None = (2, 3)) -> np.ndarray:
    """``results['keypoint']`` checked to be ``(M, T, V, C)`` with ``C`` in ``coords``
    (any ``C`` when ``coords`` is None)."""
    if 'keypoint' not in results:
        raise input_error(results, transform, 'missing key', 'keypoint')
    keypoint = np.asarray(results['keypoint'])
    if keypoint.ndim != 4 or (coords is not None and keypoint.shape[-1] not in coords):
        allowed = 'any C' if coords is None else 'C = ' + ' or '.join(str(c) for c in coords)
        raise input_error(results, transform, f'expected (M, T, V, C) with {allowed}, got '
                          f'shape {keypoint.shape}', 'keypoint')
    return keypoint


def require_coordinates(results: dict[str, Any], transform: str) -> np.ndarray:
    """The keypoint coordinates, refusing feature tensors built by ``GenSkeFeat``."""
    if FEATURES_KEY in results:
        raise ValueError(f'{transform} works on joint coordinates; place it before GenSkeFeat '
                         'in the pipeline')
    return require_keypoint(results, transform)


def require_img_shape(results: dict[str, Any], transform: str) -> tuple[int, int]:
    """``(h, w)`` of the frame the 2D pixel coordinates refer to.

    3D skeletons (``C = 3``) are refused on the ``keypoint`` field, also when the pickle carries
    an ``img_shape`` (Kinect sets store the colour frame's): the image transforms and the
    heatmaps of PoseConv3D-style pipelines need 2D pixel coordinates.
    """
    shape = results.get('img_shape')
    keypoint = results.get('keypoint')
    if keypoint is not None and np.shape(keypoint)[-1:] == (3,):
        raise input_error(results, transform, '3D skeletons (C = 3) are not pixels of the image '
                          'frame (img_shape) to draw 2D heatmaps in; train 3D data with the '
                          'keypoint configs (e.g. configs/c3d_keypoint_3d.py) or pass a 2D '
                          'pickle',
                          'keypoint')
    if shape is None or len(shape) != 2:
        raise input_error(results, transform, 'needs the (h, w) of 2D pixel keypoints; 3D '
                          'skeletons have none (use the keypoint pipeline)', 'img_shape')
    return int(shape[0]), int(shape[1])


def side_pairs(joint_layout: str | dict | JointLayout, left: Sequence[int] | None,
               right: Sequence[int] | None, kind: str = 'kp') -> tuple[tuple[int, ...],
                                                                      tuple[int, ...]]:
    """Left/right index pairs: explicit ones, else the layout's joints (``kind='kp'``) or
    limbs (``kind='limb'``)."""
    if (left is None) != (right is None):
        raise ValueError(f'give both left_{kind} and right_{kind} or neither')
    if left is None:
        layout = get_layout(joint_layout)
        left, right = ((layout.left, layout.right) if kind == 'kp'
                       else (layout.left_limbs, layout.right_limbs))
    if len(left) != len(right):
        raise ValueError(f'left_{kind} has {len(left)} entries, right_{kind} {len(right)}')
    return tuple(int(i) for i in left), tuple(int(i) for i in right)


def swap_permutation(size: int, left: Sequence[int], right: Sequence[int]) -> np.ndarray:
    """Index array ``p`` of length ``size`` with ``x[p]`` swapping ``left[i]`` and ``right[i]``."""
    order = np.arange(size)
    order[list(left)] = list(right)
    order[list(right)] = list(left)
    return order


def check_indices(results: dict[str, Any], transform: str, indices: Sequence[int],
                  num_joints: int, what: str) -> None:
    """Every joint index of ``what`` must exist in the sample's ``num_joints`` joints."""
    if len(indices) and max(indices) >= num_joints:
        raise input_error(results, transform, f'{what} names joint {max(indices)} but the '
                          f'sample has {num_joints} joints (wrong joint_layout?)', 'keypoint')


ClassRef = int | str


def class_indices(classes: Sequence[ClassRef], label_map: str | Sequence[str] | None,
                  name: str) -> list[int | None]:
    """Class indices of ``classes`` given as indices or as names of ``label_map`` (a label-map
    file or the names). A name the label map lacks gives None: a config written for one dataset
    then does nothing on another instead of remapping its classes. When none of the names is
    known (the config's classes belong to another dataset) that is said once in the log; when
    only some are, a warning names them (a typo?)."""
    names = None
    if any(isinstance(c, str) for c in classes):
        if label_map is None:
            raise ValueError(f'{name} names classes by name; give label_map')
        names = {n: i for i, n in enumerate(read_label_map(label_map))}
    indices = [names.get(c) if isinstance(c, str) else int(c) for c in classes]
    unknown = sorted({c for c, i in zip(classes, indices, strict=True) if i is None})
    if unknown and len(unknown) == len(set(classes)):
        print_log(f'{name}: none of its classes is in the label map {label_map!r} (written for '
                  'another dataset?); it does nothing here', logger='current', level=logging.INFO)
    elif unknown:
        print_log(f'{name}: classes {unknown} are not in the label map {label_map!r}; their '
                  'entries are ignored', logger='current', level=logging.WARNING)
    return indices


def symmetric_label_map(mapping: dict[ClassRef, ClassRef] | None, name: str,
                        label_map: str | Sequence[str] | None = None) -> dict[int, int]:
    """``mapping`` (indices or label-map names) as indices, completed with the reverse pairs.

    Pairs with a class the label map lacks are dropped; a class mapped to two others is an
    error.
    """
    pairs = list((mapping or {}).items())
    indices = class_indices([a for a, _ in pairs] + [b for _, b in pairs], label_map, name)
    sources, targets = indices[:len(pairs)], indices[len(pairs):]
    result: dict[int, int] = {}
    for source, target in zip(sources, targets, strict=True):
        if source is None or target is None:
            continue
        for a, b in ((source, target), (target, source)):
            if result.get(a, b) != b:
                raise ValueError(f'{name} maps class {a} to both {result[a]} and {b}')
            result[a] = b
    return result
