"""Keypoint tensors for keypoint models: normalisation, skeleton features and axis layout."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from mmcv.transforms import BaseTransform

from pyskl_lite.registry import TRANSFORMS

from ..layouts import JointLayout, get_layout
from .utils import (
    FEATURES_KEY,
    check_indices,
    input_error,
    require_coordinates,
    require_keypoint,
    valid_joints,
)


@TRANSFORMS.register_module()
class PreNormalize2D(BaseTransform):
    """Map 2D pixel coordinates to ``[-1, 1]`` by the image size (PYSKL's ``fix`` mode).

    ``x' = (x - w / 2) / (w / 2)``, ``y' = (y - h / 2) / (h / 2)``. Joints that are missing
    (all coordinates 0) or whose score is ``<= threshold`` become ``(0, 0)``, i.e. missing.

    Reads: ``keypoint`` ``(M, T, V, 2)`` pixels, ``keypoint_score`` ``(M, T, V)`` (optional),
    ``img_shape`` ``(h, w)`` (optional, else the ``img_shape`` argument).
    Writes: ``keypoint`` float32 ``(M, T, V, 2)``.

    Args:
        img_shape: ``(h, w)`` used when the sample has none. Default ``(1080, 1920)``.
        threshold: score at or below which a joint is dropped. Default 0.01 (PYSKL).
    """

    def __init__(self, img_shape: Sequence[int] = (1080, 1920), threshold: float = 0.01) -> None:
        self.img_shape = (int(img_shape[0]), int(img_shape[1]))
        self.threshold = threshold

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        keypoint = require_coordinates(results, 'PreNormalize2D')
        if keypoint.shape[-1] != 2:
            raise input_error(results, 'PreNormalize2D', f'expected 2D pixel coordinates '
                              f'(C = 2), got shape {keypoint.shape}; 3D data takes '
                              'PreNormalize3D', 'keypoint')
        img_h, img_w = results.get('img_shape', self.img_shape)
        keep = valid_joints(keypoint)
        if 'keypoint_score' in results:
            keep &= np.asarray(results['keypoint_score']) > self.threshold
        half = np.array([img_w / 2, img_h / 2], dtype=np.float32)
        normalised = (keypoint.astype(np.float32) - half) / half
        results['keypoint'] = np.where(keep[..., None], normalised, 0).astype(np.float32)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(img_shape={self.img_shape}, threshold={self.threshold})'


def _named_joint(layout: JointLayout, names: Sequence[str]) -> int | None:
    for name in names:
        if name in layout.joint_names:
            return layout.joint_names.index(name)
    return None


def _rotation_onto(vector: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``(3, 3)`` rotation turning the direction of ``vector`` into that of ``target``
    (identity for a zero vector; a half turn about a perpendicular axis when opposite)."""
    norm = np.linalg.norm(vector)
    if norm < 1e-6:
        return np.eye(3)
    source, target = vector / norm, target / np.linalg.norm(target)
    axis = np.cross(source, target)
    sin, cos = np.linalg.norm(axis), float(np.dot(source, target))
    if sin < 1e-8:
        if cos > 0:
            return np.eye(3)
        helper = np.eye(3)[np.argmin(np.abs(source))]
        axis = np.cross(source, helper)
        sin, cos = 0.0, -1.0
    axis = axis / np.linalg.norm(axis)
    cross = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + sin * cross + (1 - cos) * cross @ cross


@TRANSFORMS.register_module()
class PreNormalize3D(BaseTransform):
    """Centre and align 3D skeletons (PYSKL / 2s-AGCN's NTU pre-normalisation).

    1. The person present in most frames becomes person 0; frames where that person is missing
       are dropped (``total_frames`` follows).
    2. ``align_center``: subtract the centre joint of person 0 in the first frame from every
       valid joint.
    3. ``align_spine``: rotate so that person 0's first-frame spine (``zaxis[0]`` ->
       ``zaxis[1]``) points along +z; ``align_shoulder``: then rotate so that its shoulder line
       (``xaxis[0]`` -> ``xaxis[1]``, right to left) points along +x.

    Missing joints stay 0. Joint defaults come from ``joint_layout``: the centre is
    ``spine_mid``/``spine`` (else the root), the spine runs from the root to it, the shoulders
    are ``right_shoulder`` -> ``left_shoulder``; for NTU-25 that is PYSKL's ``1``, ``(0, 1)``,
    ``(8, 4)``.

    Reads: ``keypoint`` ``(M, T, V, 3)``, ``keypoint_score`` (optional), ``total_frames``.
    Writes: ``keypoint`` float32 ``(M, T', V, 3)``, ``keypoint_score``, ``total_frames`` T',
    ``body_center`` ``(3,)``.

    Args:
        joint_layout: layout name or dict. Default ``'nturgb+d'``.
        center_joint, zaxis, xaxis: explicit joints overriding the layout defaults.
        align_center, align_spine, align_shoulder: the steps above. Default all True.
    """

    def __init__(self, joint_layout: str | dict | JointLayout = 'nturgb+d',
                 center_joint: int | None = None, zaxis: Sequence[int] | None = None,
                 xaxis: Sequence[int] | None = None, align_center: bool = True,
                 align_spine: bool = True, align_shoulder: bool = True) -> None:
        layout = get_layout(joint_layout)
        spine = _named_joint(layout, ('spine_mid', 'spine'))
        center = center_joint if center_joint is not None else \
            (spine if spine is not None else layout.root)
        right, left = (_named_joint(layout, (name,)) for name in ('right_shoulder',
                                                                  'left_shoulder'))
        self.center_joint = int(center)
        self.zaxis = tuple(zaxis) if zaxis is not None else (layout.root, center)
        self.xaxis = tuple(xaxis) if xaxis is not None else (right, left)
        if align_spine and self.zaxis[0] == self.zaxis[1]:
            raise ValueError(f'joint layout {layout.name!r}: give zaxis (the spine joints) to '
                             'align the spine')
        if align_shoulder and None in self.xaxis:
            raise ValueError(f'joint layout {layout.name!r} has no right_shoulder/left_shoulder '
                             'joints; give xaxis')
        self.align_center = align_center
        self.align_spine = align_spine
        self.align_shoulder = align_shoulder

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        keypoint = require_coordinates(results, 'PreNormalize3D')
        if keypoint.shape[-1] != 3:
            raise input_error(results, 'PreNormalize3D', f'expected 3D coordinates (C = 3), '
                              f'got shape {keypoint.shape}; 2D data takes PreNormalize2D',
                              'keypoint')
        check_indices(results, 'PreNormalize3D', (self.center_joint, *self.zaxis, *self.xaxis),
                      keypoint.shape[2], 'center_joint/zaxis/xaxis')
        valid = valid_joints(keypoint)
        present = valid.any(-1)
        if not present.any():
            return results
        main = int(np.argmax(present.sum(1)))
        order = [main] + [m for m in range(keypoint.shape[0]) if m != main]
        frames = np.flatnonzero(present[main])
        skeleton = keypoint[order][:, frames].astype(np.float64)
        valid = valid[order][:, frames]
        center = skeleton[0, 0, self.center_joint].copy() if self.align_center else np.zeros(3)
        skeleton = np.where(valid[..., None], skeleton - center, 0)
        rotation = np.eye(3)
        if self.align_spine:
            spine = skeleton[0, 0, self.zaxis[1]] - skeleton[0, 0, self.zaxis[0]]
            rotation = _rotation_onto(spine, np.array([0.0, 0.0, 1.0]))
        if self.align_shoulder:
            shoulders = skeleton[0, 0, self.xaxis[1]] - skeleton[0, 0, self.xaxis[0]]
            rotation = _rotation_onto(rotation @ shoulders, np.array([1.0, 0.0, 0.0])) @ rotation
        results['keypoint'] = (skeleton @ rotation.T).astype(np.float32)
        if 'keypoint_score' in results:
            results['keypoint_score'] = np.asarray(results['keypoint_score'])[order][:, frames]
        results['total_frames'] = int(frames.size)
        results['body_center'] = center.astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(center_joint={self.center_joint}, zaxis={self.zaxis}, '
                f'xaxis={self.xaxis})')


@TRANSFORMS.register_module()
class CentroidNormalize(BaseTransform):
    """Subtract the mean of the valid joints (all persons): translation invariance.

    ``mode='clip'`` subtracts one centroid for the whole sequence (keeps the motion of the
    body through the scene); ``mode='frame'`` one per frame (keeps only the pose relative to
    its centre). Missing joints stay 0; frames without any valid joint are left alone.

    Reads: ``keypoint`` ``(M, T, V, C)`` coordinates (before ``GenSkeFeat``).
    Writes: ``keypoint`` float32, ``centroid`` ``(C,)`` (clip) or ``(T, C)`` (frame).

    Args:
        mode: ``'clip'`` (default) or ``'frame'``.
    """

    def __init__(self, mode: str = 'clip') -> None:
        if mode not in ('clip', 'frame'):
            raise ValueError(f"mode must be 'clip' or 'frame', got {mode!r}")
        self.mode = mode

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        keypoint = require_coordinates(results, 'CentroidNormalize').astype(np.float32)
        valid = valid_joints(keypoint)
        axes = (0, 1, 2) if self.mode == 'clip' else (0, 2)
        count = valid.sum(axis=axes)
        total = np.where(valid[..., None], keypoint, 0).sum(axis=axes)
        centroid = total / np.maximum(count, 1)[..., None]
        shift = centroid if self.mode == 'clip' else centroid[None, :, None]
        results['keypoint'] = np.where(valid[..., None], keypoint - shift, 0).astype(np.float32)
        results['centroid'] = centroid.astype(np.float32)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(mode={self.mode!r})'


def _torso(layout: JointLayout) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, int] | None,
                                        tuple[int, int] | None]:
    """Joints of a layout that define the body frame: the lower and upper torso ends (hips,
    shoulders, or a centre joint), and the right -> left shoulder and hip pairs (None if
    absent)."""
    names = layout.joint_names

    def pair(part: str) -> tuple[int, int] | None:
        if f'right_{part}' in names and f'left_{part}' in names:
            return names.index(f'right_{part}'), names.index(f'left_{part}')
        return None

    def end(part: str, centres: Sequence[str]) -> tuple[int, ...]:
        sides = pair(part)
        if sides is not None:
            return sides
        centre = _named_joint(layout, centres)
        return () if centre is None else (centre,)

    lower = end('hip', ('hip_center', 'spine_base', 'pelvis', 'mid_hip'))
    upper = end('shoulder', ('shoulder_center', 'spine_shoulder', 'neck'))
    return lower, upper, pair('shoulder'), pair('hip')


def _joint_mean(points: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over the joint axis of ``points`` ``(T, J, C)`` and the frames ``(T,)`` where all
    ``J`` joints are valid (a mid-hip from one hip would be off by half the hip width)."""
    return points.mean(1), valid.all(1)


def _unit(vector: np.ndarray) -> np.ndarray | None:
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 1e-8 else None


@TRANSFORMS.register_module()
class BodyNormalize(BaseTransform):
    """Put every clip into the main person's body frame: centred, scaled to torso lengths and
    upright (2D and 3D, any layout with hips and shoulders or centre joints).

    One similarity transform per clip, estimated on the person with the most valid joints and
    applied to every person (so interactions keep their relative placement):

    1. **Origin**: the mean over frames of the lower torso end (mid-hip, or the layout's hip
       centre joint). Walking keeps its displacement through the scene.
    2. **Scale**: divide by the median torso length (lower to upper torso end: mid-shoulder,
       shoulder centre or neck). Output unit = one torso length, whatever the sensor unit
       (metres, pixels of any frame size) or the subject's size and distance.
    3. **Up**: 2D: if the mean spine direction points towards -y (image rows grow downwards)
       the y axis is flipped, so pixel data (y down) and y-up data come out identical; with
       ``align`` the remaining roll is rotated away. 3D with ``align``: the mean spine
       direction becomes +z and the mean right -> left shoulder (else hip) direction, made
       horizontal, becomes +x (PYSKL's NTU convention); y = z × x. Any rotation of the
       sensor (y up, y down, z up) thus gives the same output.

    Means over all frames (where PYSKL uses the first frame alone) make the frame robust to a
    bad first frame and keep it exactly equivariant; bending (pick up) and sitting tilt the
    mean spine only in part. Missing joints (all coordinates 0, or score <= ``score_thr``)
    and all-zero frames take no part (a torso end counts in a frame only when all its joints
    are there) and stay 0; a sequence of one frame works. Without any frame where both torso
    ends are visible, the clip is centred on its valid joints' centroid and scaled by their
    RMS distance to it, and not rotated.

    Measured on UTKinect-Action3D (xsub, KeypointC3D, see ``configs/c3d_keypoint_3d.py``),
    compared with PYSKL's ``PreNormalize3D`` (centre and axes from the first frame only) and
    2D pixels mapped to [-1, 1] by the frame size: see the README's "Real data" section.

    Reads: ``keypoint`` ``(M, T, V, C)`` (C = 2 or 3), ``keypoint_score`` ``(M, T, V)``
    (optional).
    Writes: ``keypoint`` float32 ``(M, T, V, C)`` in torso lengths, ``body_center`` ``(C,)``
    (input units), ``body_scale`` (float, input units per torso length), ``body_rotation``
    ``(C, C)`` (applied after centring, before scaling).

    Args:
        joint_layout: layout name, dict or file whose joint names give the torso. Default
            ``'coco'``.
        align: rotate to the body's axes (3D) or remove the roll (2D). Default True.
        score_thr: joints with a score at or below it are missing. Default 0.01.
    """

    def __init__(self, joint_layout: str | dict | JointLayout = 'coco', align: bool = True,
                 score_thr: float = 0.01) -> None:
        layout = get_layout(joint_layout)
        self.lower, self.upper, shoulders, hips = _torso(layout)
        self.sides = tuple(p for p in (shoulders, hips) if p is not None)
        self.align = align
        self.score_thr = score_thr
        self.layout_name = layout.name

    def _frame(self, person: np.ndarray, valid: np.ndarray
               ) -> tuple[np.ndarray, float, np.ndarray] | None:
        """``(origin, scale, rotation)`` from one person's ``(T, V, C)`` joints, or None when
        no frame shows both torso ends."""
        if not self.lower or not self.upper:
            return None
        lower, lower_ok = _joint_mean(person[:, self.lower], valid[:, self.lower])
        upper, upper_ok = _joint_mean(person[:, self.upper], valid[:, self.upper])
        both = lower_ok & upper_ok
        spine = (upper - lower)[both]
        length = np.linalg.norm(spine, axis=-1)
        if not both.any() or np.median(length) <= 1e-8:
            return None
        origin = lower[both].mean(0)
        scale = float(np.median(length))
        up = _unit((spine / np.maximum(length, 1e-8)[:, None]).mean(0))
        dim = person.shape[-1]
        rotation = np.eye(dim)
        if up is None:
            return origin, scale, rotation
        if dim == 2:
            if up[1] < 0:
                rotation = np.diag([1.0, -1.0])
                up = rotation @ up
            if self.align:
                cos, sin = up[1], up[0]
                rotation = np.array([[cos, -sin], [sin, cos]]) @ rotation
            return origin, scale, rotation
        if not self.align:
            return origin, scale, rotation
        across = None
        for right, left in self.sides:
            ok = valid[:, right] & valid[:, left]
            if ok.any():
                vector = (person[ok, left] - person[ok, right]).mean(0)
                across = _unit(vector - np.dot(vector, up) * up)
                if across is not None:
                    break
        if across is None:
            helper = np.eye(3)[np.argmin(np.abs(up))]
            across = _unit(helper - np.dot(helper, up) * up)
        rotation = np.stack([across, np.cross(up, across), up])
        return origin, scale, rotation

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        keypoint = require_coordinates(results, 'BodyNormalize').astype(np.float64)
        if keypoint.shape[-1] not in (2, 3):
            raise input_error(results, 'BodyNormalize', f'expected 2D or 3D coordinates, got '
                              f'shape {keypoint.shape}', 'keypoint')
        valid = valid_joints(keypoint)
        if 'keypoint_score' in results:
            valid &= np.asarray(results['keypoint_score']) > self.score_thr
        dim = keypoint.shape[-1]
        if not valid.any():
            results['keypoint'] = np.zeros(keypoint.shape, np.float32)
            return results
        main = int(np.argmax(valid.sum((1, 2))))
        frame = self._frame(keypoint[main], valid[main])
        if frame is None:
            points = keypoint[valid]
            origin = points.mean(0)
            scale = float(np.sqrt(((points - origin) ** 2).sum(-1).mean())) or 1.0
            rotation = np.eye(dim)
        else:
            origin, scale, rotation = frame
        normalised = (keypoint - origin) @ rotation.T / scale
        results['keypoint'] = np.where(valid[..., None], normalised, 0).astype(np.float32)
        results['body_center'] = origin.astype(np.float32)
        results['body_scale'] = scale
        results['body_rotation'] = rotation.astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(joint_layout={self.layout_name!r}, align={self.align}, '
                f'score_thr={self.score_thr})')


FEATURES = ('j', 'b', 'jm', 'bm')


def parse_feats(feats: str | Sequence[str]) -> tuple[str, ...]:
    """``'j+jm'`` or ``['j', 'jm']`` -> ``('j', 'jm')``: a non-empty selection of
    :data:`FEATURES` (also the ``stream`` shortcut's syntax)."""
    names = tuple(feats.split('+') if isinstance(feats, str) else feats)
    if not names or any(name not in FEATURES for name in names):
        raise ValueError(f'a stream is one or more of {", ".join(FEATURES)} joined by "+" '
                         f'(e.g. j+jm), got {feats!r}')
    return names


@TRANSFORMS.register_module()
class GenSkeFeat(BaseTransform):
    """Joint, bone and motion features concatenated on the channel axis (PYSKL's GenSkeFeat).

    - ``j``: joint coordinates;
    - ``b``: bones ``x[v] - x[parent[v]]`` from the layout's kinematic tree (0 for the root and
      for bones with a missing end);
    - ``jm`` / ``bm``: motion of joints / bones, ``f[t + 1] - f[t]`` (0 in the last frame and
      where either frame is missing).

    With ``keypoint_score`` (2D) every feature gets the score as an extra channel: the joint
    score, the mean of a bone's two joint scores, the mean of two consecutive frames' scores
    (0 in the last frame). So 2D gives ``3 * len(feats)`` channels and 3D ``3 * len(feats)``.
    Motion is taken between consecutive frames of the input, so place this before frame
    sampling to get frame-rate motion (as PYSKL), after it to get clip-rate motion.

    Reads: ``keypoint`` ``(M, T, V, C)``, ``keypoint_score`` ``(M, T, V)`` (optional, removed).
    Writes: ``keypoint`` float32 ``(M, T, V, len(feats) * (C + has_score))``,
    ``skeleton_feats`` (the feature names, marks coordinates as consumed).

    Args:
        feats: any of ``'j'``, ``'b'``, ``'jm'``, ``'bm'``, in output order, or one string
            joining them with ``+`` (``'j+jm'``). Default ``('j',)``.
        joint_layout: layout name or dict whose ``parents`` define the bones. Default
            ``'coco'``.
    """

    def __init__(self, feats: Sequence[str] = ('j',),
                 joint_layout: str | dict | JointLayout = 'coco') -> None:
        self.feats = parse_feats(feats)
        self.parents = np.array(get_layout(joint_layout).parents)

    def _bones(self, coords: np.ndarray, valid: np.ndarray, score: np.ndarray | None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Bones, their validity (both ends valid) and score (mean of the ends')."""
        parent = np.where(self.parents < 0, np.arange(self.parents.size), self.parents)
        has_parent = (self.parents >= 0) & valid & valid[..., parent]
        bones = np.where(has_parent[..., None], coords - coords[..., parent, :], 0)
        bone_score = None if score is None else (score + score[..., parent]) / 2
        return bones, has_parent, bone_score

    @staticmethod
    def _motion(values: np.ndarray, valid: np.ndarray, score: np.ndarray | None,
                clip_ends: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """Motion to the next frame; 0 at the last frame and at ``clip_ends`` (the last frame
        of every sampled clip, so no motion crosses from one test clip to the next)."""
        motion = np.zeros_like(values)
        both = valid[:, 1:] & valid[:, :-1]
        motion[:, :-1] = np.where(both[..., None], values[:, 1:] - values[:, :-1], 0)
        if clip_ends is not None:
            motion[:, clip_ends] = 0
        if score is None:
            return motion, None
        motion_score = np.zeros_like(score)
        motion_score[:, :-1] = (score[:, 1:] + score[:, :-1]) / 2
        if clip_ends is not None:
            motion_score[:, clip_ends] = 0
        return motion, motion_score

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        coords = require_coordinates(results, 'GenSkeFeat').astype(np.float32)
        if coords.shape[2] != self.parents.size:
            raise input_error(results, 'GenSkeFeat', f'joint_layout has {self.parents.size} '
                              f'joints, the sample {coords.shape[2]}', 'keypoint')
        score = results.pop('keypoint_score', None)
        score = None if score is None else np.asarray(score, dtype=np.float32)
        valid = valid_joints(coords)
        # After UniformSampleFrames with num_clips > 1 the frames are N clips back to back.
        num_clips, clip_len = int(results.get('num_clips', 1)), results.get('clip_len')
        clip_ends = None
        if num_clips > 1 and clip_len and coords.shape[1] == num_clips * clip_len:
            clip_ends = np.arange(clip_len - 1, coords.shape[1], clip_len)
        features = {'j': (coords, score)}
        if 'b' in self.feats or 'bm' in self.feats:
            bones, bone_valid, bone_score = self._bones(coords, valid, score)
            features['b'] = (bones, bone_score)
            if 'bm' in self.feats:
                features['bm'] = self._motion(bones, bone_valid, bone_score, clip_ends)
        if 'jm' in self.feats:
            features['jm'] = self._motion(coords, valid, score, clip_ends)
        parts = []
        for name in self.feats:
            values, channel_score = features[name]
            parts.append(values)
            if channel_score is not None:
                parts.append(channel_score[..., None])
        results['keypoint'] = np.concatenate(parts, axis=-1).astype(np.float32)
        results[FEATURES_KEY] = self.feats
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(feats={self.feats})'


def parse_layout(layout: str) -> list[str]:
    """Groups of axis letters after ``N``: ``'NCTVM'`` -> ``['C', 'T', 'V', 'M']``,
    ``'NT(MVC)'`` -> ``['T', 'MVC']``."""
    match = re.fullmatch(r'N((?:[CTVM]|\([CTVM]+\))+)', layout)
    groups = re.findall(r'\(([CTVM]+)\)|([CTVM])', match.group(1)) if match else []
    groups = [a or b for a, b in groups]
    letters = ''.join(groups)
    if not match or sorted(letters) not in (sorted('CTVM'), sorted('CTV')):
        raise ValueError(f"layout must be 'N' followed by C, T, V and M once each (M may be "
                         f"left out when num_person=1; parentheses merge axes, e.g. "
                         f"'NT(MVC)'), got {layout!r}")
    return groups


@TRANSFORMS.register_module()
class FormatKeypoints(BaseTransform):
    """Pad or truncate persons and lay the keypoint tensor out in the axis order a model wants.

    ``N`` is the view axis (``num_clips``); the remaining letters name channels ``C``, time
    ``T`` (``clip_len``), joints ``V`` and persons ``M``. Letters in parentheses are merged into
    one axis in that order, e.g. ``'NT(MVC)'`` -> ``(N, T, M * V * C)`` for a sequence model.
    ``M`` may be left out only with ``num_person=1``. Extra persons beyond ``num_person`` are
    dropped (pickles list the most confident first); missing ones are zeros.

    Reads: ``keypoint`` ``(M, N * T, V, C)``, ``keypoint_score`` ``(M, N * T, V)`` (optional,
    appended as a channel and removed), ``num_clips`` (default 1).
    Writes: ``keypoint`` float32 in ``layout``, e.g. ``(N, C, T, V, M)`` for ``'NCTVM'``;
    ``num_person`` (the sample's own M, when not set yet).

    Args:
        num_person: persons in the output. Default 2.
        layout: output axis order. Default ``'NCTVM'``.
    """

    def __init__(self, num_person: int = 2, layout: str = 'NCTVM') -> None:
        if num_person < 1:
            raise ValueError(f'num_person must be >= 1, got {num_person}')
        self.groups = parse_layout(layout)
        if 'M' not in ''.join(self.groups) and num_person != 1:
            raise ValueError(f'layout {layout!r} has no M axis, which needs num_person=1')
        self.num_person = num_person
        self.layout = layout

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        keypoint = require_keypoint(results, 'FormatKeypoints', coords=None).astype(np.float32)
        if 'keypoint_score' in results:
            score = np.asarray(results.pop('keypoint_score'), dtype=np.float32)
            keypoint = np.concatenate([keypoint, score[..., None]], axis=-1)
        results.setdefault('num_person', int(keypoint.shape[0]))
        persons, frames, joints, channels = keypoint.shape
        if persons >= self.num_person:
            keypoint = keypoint[:self.num_person]
        else:
            pad = np.zeros((self.num_person - persons, frames, joints, channels), np.float32)
            keypoint = np.concatenate([keypoint, pad])
        num_clips = int(results.get('num_clips', 1))
        if frames % num_clips:
            raise input_error(results, 'FormatKeypoints', f'{frames} frames do not split into '
                              f'num_clips={num_clips} clips', 'keypoint')
        # (M, N * T, V, C) -> N, then the requested order of C, T, V, M.
        keypoint = keypoint.reshape(self.num_person, num_clips, frames // num_clips, joints,
                                    channels)
        source = {'M': 0, 'T': 2, 'V': 3, 'C': 4}
        letters = ''.join(self.groups)
        keypoint = keypoint.transpose([1] + [source[a] for a in letters] +
                                      [source['M']] * ('M' not in letters))
        sizes = dict(zip(letters, keypoint.shape[1:], strict=False))
        shape = [num_clips] + [int(np.prod([sizes[a] for a in group])) for group in self.groups]
        results['keypoint'] = np.ascontiguousarray(keypoint.reshape(shape))
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(num_person={self.num_person}, layout={self.layout!r})'
