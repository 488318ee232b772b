"""Augmentations of keypoint sequences (coordinates before ``GenSkeFeat``).

Each is a :class:`~.utils.RandomTransform`: ``seed=None`` draws from numpy's global generator
(seeded per worker by mmengine), an int makes the transform's draws a fixed sequence. Missing
joints (all coordinates 0) stay missing. Temporal ones act on the whole time axis of
``keypoint``: place them before ``UniformSampleFrames`` or, in single-clip training pipelines,
after ``PoseDecode``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pyskl_lite.registry import TRANSFORMS

from .utils import (
    RandomTransform,
    class_indices,
    require_coordinates,
    symmetric_label_map,
    valid_joints,
)


def _rotation_2d(angle: float) -> np.ndarray:
    cos, sin = np.cos(angle), np.sin(angle)
    return np.array([[cos, -sin], [sin, cos]])


def _rotation_3d(angles: np.ndarray) -> np.ndarray:
    """Rotation about x, then y, then z by ``angles`` (radians)."""
    (cx, cy, cz), (sx, sy, sz) = np.cos(angles), np.sin(angles)
    rot_x = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    rot_y = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rot_z = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rot_z @ rot_y @ rot_x


@TRANSFORMS.register_module()
class RandomAffine(RandomTransform):
    """Random rotation, per-axis scale and shear about the origin, one per sample.

    ``x' = R @ S @ H @ x`` with ``H`` the identity plus off-diagonal shears uniform in
    ``[-shear, shear]``, ``S = diag(1 + u)`` with ``u`` uniform in ``[-scale, scale]`` per axis,
    ``R`` a rotation by angles uniform in ``[-rotation, rotation]`` (one angle in 2D; about x,
    y and z in 3D). Place it after centring (``PreNormalize3D``, ``CentroidNormalize``) so that
    the origin is the body. Zero for a parameter disables that part.

    Reads/writes: ``keypoint`` ``(M, T, V, C)``, C = 2 or 3, float32. Writes ``affine_matrix``
    ``(C, C)``.

    Args:
        rotation: maximal angle in radians; in 3D a float or ``(x, y, z)``. Default 0.3.
        scale: maximal relative scale change per axis. Default 0.1.
        shear: maximal shear coefficient. Default 0.0.
        seed: see ``RandomTransform``.
    """

    def __init__(self, rotation: float | Sequence[float] = 0.3, scale: float = 0.1,
                 shear: float = 0.0, seed: int | None = None) -> None:
        super().__init__(seed)
        if min(np.atleast_1d(rotation)) < 0 or scale < 0 or shear < 0 or scale >= 1:
            raise ValueError(f'rotation, scale and shear must be >= 0 and scale < 1, got '
                             f'{rotation}, {scale}, {shear}')
        self.rotation = rotation if np.isscalar(rotation) else tuple(rotation)
        self.scale = scale
        self.shear = shear

    def matrix(self, dim: int) -> np.ndarray:
        """Draw the ``(dim, dim)`` matrix of one sample."""
        rng = self.rng
        shear = np.eye(dim) + rng.uniform(-self.shear, self.shear, (dim, dim)) * \
            (1 - np.eye(dim))
        scale = np.diag(1 + rng.uniform(-self.scale, self.scale, dim))
        limits = np.broadcast_to(np.asarray(self.rotation, dtype=float),
                                 (1 if dim == 2 else 3,))
        angles = rng.uniform(-limits, limits)
        rotation = _rotation_2d(angles[0]) if dim == 2 else _rotation_3d(angles)
        return rotation @ scale @ shear

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        keypoint = require_coordinates(results, 'RandomAffine').astype(np.float32)
        matrix = self.matrix(keypoint.shape[-1])
        results['keypoint'] = (keypoint @ matrix.T.astype(np.float32)).astype(np.float32)
        results['affine_matrix'] = matrix
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(rotation={self.rotation}, scale={self.scale}, '
                f'shear={self.shear})')


@TRANSFORMS.register_module()
class RandomJitter(RandomTransform):
    """Add independent gaussian noise ``N(0, sigma^2)`` to every coordinate of valid joints.

    Reads/writes: ``keypoint`` ``(M, T, V, C)`` float32 (units of the coordinates: after
    ``PreNormalize2D`` 0.01 is half a percent of the image width).

    Args:
        sigma: noise standard deviation. Default 0.01.
        seed: see ``RandomTransform``.
    """

    def __init__(self, sigma: float = 0.01, seed: int | None = None) -> None:
        super().__init__(seed)
        if sigma < 0:
            raise ValueError(f'sigma must be >= 0, got {sigma}')
        self.sigma = sigma

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        keypoint = require_coordinates(results, 'RandomJitter').astype(np.float32)
        noise = self.rng.normal(0.0, self.sigma, keypoint.shape).astype(np.float32)
        results['keypoint'] = np.where(valid_joints(keypoint)[..., None], keypoint + noise, 0)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(sigma={self.sigma})'


def _take_frames(results: dict[str, Any], frames: np.ndarray, missing: np.ndarray | None = None
                 ) -> None:
    """Index the time axis of ``keypoint`` and ``keypoint_score``; ``missing`` frames -> 0."""
    for key in ('keypoint', 'keypoint_score'):
        if key in results:
            values = np.asarray(results[key])[:, frames]
            if missing is not None:
                values[:, missing] = 0
            results[key] = values


@TRANSFORMS.register_module()
class TemporalReverse(RandomTransform):
    """Play the sequence backwards, for classes where that is still a valid sample.

    A sample is reversed with probability ``prob`` only when its label is declared:
    in ``reversible_classes`` (the action reads the same backwards, e.g. clapping) it keeps its
    label; in ``reverse_label_map`` it takes the label of the reverse action (sit down <-> stand
    up; the map is completed both ways). Other samples are never reversed.

    Reads: ``keypoint`` ``(M, T, V, C)``, ``keypoint_score`` (optional), ``label``.
    Writes: ``keypoint``, ``keypoint_score`` (time reversed), ``label``, ``reversed`` (bool).

    Classes are indices or names of ``label_map``; names the label map lacks are ignored, so a
    config keeps working when pointed at another dataset.

    Args:
        prob: probability of reversing a declared sample. Default 0.5.
        reversible_classes: classes that are their own reverse.
        reverse_label_map: ``{class: class of the reverse action}``.
        label_map: label-map file (or class names) resolving class names.
        seed: see ``RandomTransform``.
    """

    def __init__(self, prob: float = 0.5, reversible_classes: Sequence[int | str] = (),
                 reverse_label_map: dict[int | str, int | str] | None = None,
                 label_map: str | Sequence[str] | None = None,
                 seed: int | None = None) -> None:
        super().__init__(seed)
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must lie in [0, 1], got {prob}')
        self.prob = prob
        self.label_map = symmetric_label_map(reverse_label_map,
                                             'TemporalReverse.reverse_label_map', label_map)
        reversible = {c for c in class_indices(list(reversible_classes),
                                               label_map, 'TemporalReverse.reversible_classes')
                      if c is not None}
        both = set(self.label_map) & reversible
        if both:
            raise ValueError(f'classes {sorted(both)} are both reversible and mapped to another '
                             'class by reverse_label_map')
        self.label_map.update({c: c for c in reversible})

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        label = results.get('label')
        reverse = label is not None and int(label) in self.label_map and \
            self.rng.rand() < self.prob
        results['reversed'] = bool(reverse)
        if reverse:
            _take_frames(results, np.arange(np.shape(results['keypoint'])[1])[::-1])
            results['label'] = self.label_map[int(label)]
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(prob={self.prob}, label_map={self.label_map})'


@TRANSFORMS.register_module()
class RandomSubSequence(RandomTransform):
    """Keep a random contiguous part of the sequence and bring it back to its length.

    A part of ``round(r * T)`` frames (``r`` uniform in ``[min_ratio, max_ratio]``, at least one
    frame) starting at a random frame is kept; ``mode='resample'`` stretches it back to T frames
    (nearest frame), ``mode='pad'`` puts it first and fills the rest with missing frames
    (zeros). T (``total_frames``, or ``clip_len`` after ``PoseDecode``) is unchanged.

    Reads/writes: ``keypoint`` ``(M, T, V, C)``, ``keypoint_score`` ``(M, T, V)`` (optional).

    Args:
        min_ratio, max_ratio: range of the kept fraction. Default 0.5 and 1.0.
        mode: ``'resample'`` (default) or ``'pad'``.
        seed: see ``RandomTransform``.
    """

    def __init__(self, min_ratio: float = 0.5, max_ratio: float = 1.0, mode: str = 'resample',
                 seed: int | None = None) -> None:
        super().__init__(seed)
        if not 0 < min_ratio <= max_ratio <= 1:
            raise ValueError(f'need 0 < min_ratio <= max_ratio <= 1, got {min_ratio}, '
                             f'{max_ratio}')
        if mode not in ('resample', 'pad'):
            raise ValueError(f"mode must be 'resample' or 'pad', got {mode!r}")
        self.min_ratio, self.max_ratio, self.mode = min_ratio, max_ratio, mode

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        num_frames = require_coordinates(results, 'RandomSubSequence').shape[1]
        length = max(1, int(round(self.rng.uniform(self.min_ratio, self.max_ratio) *
                                  num_frames)))
        start = self.rng.randint(num_frames - length + 1)
        if self.mode == 'resample':
            _take_frames(results, start + np.arange(num_frames) * length // num_frames)
        else:
            frames = start + np.minimum(np.arange(num_frames), length - 1)
            _take_frames(results, frames, missing=np.arange(length, num_frames))
        results['sub_sequence'] = (int(start), int(length))
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(min_ratio={self.min_ratio}, max_ratio={self.max_ratio},'
                f' mode={self.mode!r})')


@TRANSFORMS.register_module()
class FrameStride(RandomTransform):
    """Keep every k-th frame (a faster playback), before frame sampling.

    ``k`` is ``stride`` or drawn from it; the first kept frame is random in ``[0, k)``
    (``random_offset``) or 0.

    Reads: ``keypoint`` ``(M, T, V, C)``, ``keypoint_score`` (optional).
    Writes: ``keypoint`` ``(M, T', V, C)``, ``keypoint_score``, ``total_frames`` T'.

    Args:
        stride: k, or a sequence of strides to draw from. Default 2.
        random_offset: draw the first frame. Default True.
        seed: see ``RandomTransform``.
    """

    def __init__(self, stride: int | Sequence[int] = 2, random_offset: bool = True,
                 seed: int | None = None) -> None:
        super().__init__(seed)
        self.strides = (stride,) if np.isscalar(stride) else tuple(stride)
        if not self.strides or min(self.strides) < 1:
            raise ValueError(f'stride must be >= 1, got {stride}')
        self.random_offset = random_offset

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        if 'frame_inds' in results:
            raise ValueError('FrameStride changes the number of frames; place it before '
                             'UniformSampleFrames')
        num_frames = require_coordinates(results, 'FrameStride').shape[1]
        stride = int(self.strides[self.rng.randint(len(self.strides))])
        offset = self.rng.randint(min(stride, num_frames)) if self.random_offset else 0
        frames = np.arange(offset, num_frames, stride)
        _take_frames(results, frames)
        results['total_frames'] = int(frames.size)
        results['frame_stride'] = stride
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(stride={self.strides}, random_offset={self.random_offset})'


@TRANSFORMS.register_module()
class RandomJointDropout(RandomTransform):
    """Make random joints missing (coordinates and score 0), as detector misses do; with
    ``whole_frame`` random frames of a person (frame dropout, as a tracker losing the person).

    Reads/writes: ``keypoint`` ``(M, T, V, C)``, ``keypoint_score`` ``(M, T, V)`` (optional).

    Args:
        prob: probability that a joint (or, with ``whole_frame``, a person's frame) is
            dropped. Default 0.05.
        whole_sequence: drop a joint of a person in all frames at once (default False: each
            frame independently).
        whole_frame: drop all joints of a person in a frame at once (default False: each
            joint independently). Not together with ``whole_sequence``.
        seed: see ``RandomTransform``.
    """

    def __init__(self, prob: float = 0.05, whole_sequence: bool = False,
                 whole_frame: bool = False, seed: int | None = None) -> None:
        super().__init__(seed)
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must lie in [0, 1], got {prob}')
        if whole_sequence and whole_frame:
            raise ValueError('whole_sequence and whole_frame together would drop whole persons; '
                             'choose one')
        self.prob = prob
        self.whole_sequence = whole_sequence
        self.whole_frame = whole_frame

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        keypoint = require_coordinates(results, 'RandomJointDropout').astype(np.float32)
        persons, frames, joints, _ = keypoint.shape
        drop = self.rng.rand(persons, 1 if self.whole_sequence else frames,
                             1 if self.whole_frame else joints) < self.prob
        drop = np.broadcast_to(drop, keypoint.shape[:3])
        results['keypoint'] = np.where(drop[..., None], 0, keypoint).astype(np.float32)
        if 'keypoint_score' in results:
            results['keypoint_score'] = np.where(drop, 0, results['keypoint_score'])
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(prob={self.prob}, '
                f'whole_sequence={self.whole_sequence}, whole_frame={self.whole_frame})')
