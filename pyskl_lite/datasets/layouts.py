"""Joint layouts as data: joint names, kinematic parents, left/right pairs, limbs and body parts.

A layout is everything that depends on *which* skeleton a pickle holds: flipping swaps
``left``/``right``, bone features follow ``parents``, limb heatmaps and overlays draw ``limbs``,
graph networks build their adjacency from ``limbs`` and ``center``. Built-in layouts:
``coco`` (COCO-17), ``openpose`` (OpenPose-18), ``nturgb+d`` (NTU-25), ``kinect`` (Kinect v1,
20 joints, NTU joints 1-20) and ``mediapipe`` (MediaPipe Pose, 33 landmarks).

A user layout is given as a file wherever a layout name is accepted (``--cfg-options
joint_layout=my_layout.json``; JSON or Python, see :func:`read_layout_file`), or registered from a
config by passing a dict::

    joint_layout = dict(name='my_hand', joint_names=['wrist', 'thumb', ...], parents=[-1, 0, ...],
                        left=[], right=[])

or in code with :func:`register_layout`.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from mmengine.registry import Registry

from pyskl_lite.utils import InputError

LAYOUTS = Registry('joint layout', scope='pyskl_lite')

_ARM_WORDS = ('shoulder', 'elbow', 'wrist', 'hand', 'thumb', 'pinky', 'index', 'finger')
_LEG_WORDS = ('hip', 'knee', 'ankle', 'foot', 'heel', 'toe')
BODY_PARTS = ('head', 'torso', 'left_arm', 'right_arm', 'left_leg', 'right_leg')


def _side(name: str) -> str:
    """'left', 'right' or '' from a joint name such as ``left_elbow`` or ``r_knee``."""
    lowered = name.lower()
    if lowered.startswith(('left', 'l_')):
        return 'left'
    if lowered.startswith(('right', 'r_')):
        return 'right'
    return ''


def _body_part(name: str) -> str:
    """The body part a joint belongs to, one of :data:`BODY_PARTS`, guessed from its name."""
    lowered = name.lower()
    side = _side(name)
    if side and any(word in lowered for word in _ARM_WORDS):
        return f'{side}_arm'
    if side and any(word in lowered for word in _LEG_WORDS):
        return f'{side}_leg'
    if any(word in lowered for word in ('spine', 'neck', 'hip', 'pelvis', 'chest', 'torso',
                                        'center', 'shoulder')):
        return 'torso'
    return 'head'


@dataclass(frozen=True)
class JointLayout:
    """One skeleton definition.

    Attributes:
        name: registry key, e.g. ``'coco'``.
        joint_names: ``V`` joint names, in the order of the keypoint array's joint axis.
        parents: ``V`` parent indices of the kinematic tree, ``-1`` for the root. A bone of
            joint ``v`` is ``x[v] - x[parents[v]]`` (zero for the root).
        left: joints on the left side; ``right[i]`` is the mirror twin of ``left[i]``.
        right: joints on the right side, same length as ``left``.
        limbs: ``(a, b)`` joint pairs drawn as segments (overlays, limb heatmaps, graph edges).
            Defaults to the tree's ``(child, parent)`` edges.
        center: the joint graph networks treat as the centre (ST-GCN's spatial partition);
            defaults to the root.
        dim: native coordinate dimension of data in this layout (2 or 3); informative only.
    """

    name: str
    joint_names: tuple[str, ...]
    parents: tuple[int, ...]
    left: tuple[int, ...] = ()
    right: tuple[int, ...] = ()
    limbs: tuple[tuple[int, int], ...] = ()
    center: int = -1
    dim: int = 2
    body_parts: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        num = len(self.joint_names)
        where = f'joint layout {self.name!r}'
        if len(self.parents) != num:
            raise ValueError(f'{where}: {len(self.parents)} parents for {num} joints')
        if any(p < -1 or p >= num for p in self.parents):
            raise ValueError(f'{where}: parents must lie in [-1, {num - 1}], got {self.parents}')
        roots = [v for v, p in enumerate(self.parents) if p == -1]
        if len(roots) != 1:
            raise ValueError(f'{where}: the tree needs exactly one root (-1), found {roots}')
        if len(self.left) != len(self.right):
            raise ValueError(f'{where}: left has {len(self.left)} joints, right {len(self.right)}')
        limbs = self.limbs or tuple((v, p) for v, p in enumerate(self.parents) if p >= 0)
        for a, b in limbs:
            if not (0 <= a < num and 0 <= b < num):
                raise ValueError(f'{where}: limb {(a, b)} names a joint outside [0, {num - 1}]')
        object.__setattr__(self, 'joint_names', tuple(self.joint_names))
        object.__setattr__(self, 'parents', tuple(int(p) for p in self.parents))
        object.__setattr__(self, 'left', tuple(int(v) for v in self.left))
        object.__setattr__(self, 'right', tuple(int(v) for v in self.right))
        object.__setattr__(self, 'limbs', tuple((int(a), int(b)) for a, b in limbs))
        object.__setattr__(self, 'center', roots[0] if self.center < 0 else int(self.center))
        object.__setattr__(self, 'body_parts', tuple(_body_part(n) for n in self.joint_names))

    @property
    def num_joints(self) -> int:
        return len(self.joint_names)

    @property
    def root(self) -> int:
        return self.parents.index(-1)

    @property
    def flip_index(self) -> tuple[int, ...]:
        """Permutation ``idx`` with ``x_flipped = x[..., idx, :]``: left and right swapped."""
        idx = list(range(self.num_joints))
        for a, b in zip(self.left, self.right, strict=True):
            idx[a], idx[b] = b, a
        return tuple(idx)

    @property
    def depths(self) -> tuple[int, ...]:
        """Number of bones between each joint and the root."""
        depths = []
        for v in range(self.num_joints):
            depth = 0
            while self.parents[v] >= 0:
                v, depth = self.parents[v], depth + 1
            depths.append(depth)
        return tuple(depths)

    @property
    def limb_parts(self) -> tuple[str, ...]:
        """Body part of each limb: that of its joint farther from the root."""
        parts, depths = self.body_parts, self.depths
        return tuple(parts[a] if depths[a] >= depths[b] else parts[b] for a, b in self.limbs)

    @property
    def left_limbs(self) -> tuple[int, ...]:
        """Indices into ``limbs`` of limbs whose joints are all left or centre, with a left one."""
        return self._side_limbs(set(self.left))

    @property
    def right_limbs(self) -> tuple[int, ...]:
        """Indices into ``limbs`` mirroring :attr:`left_limbs` pairwise."""
        mirror = self.flip_index
        limb_index = {tuple(sorted(limb)): i for i, limb in enumerate(self.limbs)}
        result = []
        for i in self.left_limbs:
            a, b = self.limbs[i]
            twin = limb_index.get(tuple(sorted((mirror[a], mirror[b]))))
            if twin is None:
                raise ValueError(f'joint layout {self.name!r}: limb {(a, b)} has no mirror limb')
            result.append(twin)
        return tuple(result)

    def _side_limbs(self, side: set[int]) -> tuple[int, ...]:
        other = set(self.right) if side == set(self.left) else set(self.left)
        return tuple(i for i, (a, b) in enumerate(self.limbs)
                     if (a in side or b in side) and a not in other and b not in other)


def register_layout(layout: JointLayout, force: bool = False) -> JointLayout:
    """Add ``layout`` to the registry under ``layout.name`` and return it."""
    LAYOUTS.register_module(name=layout.name, module=_Holder(layout), force=force)
    return layout


class _Holder:
    """Registry entries must be callables; this one returns its layout."""

    def __init__(self, layout: JointLayout) -> None:
        self.layout = layout
        self.__name__ = layout.name

    def __call__(self) -> JointLayout:
        return self.layout


LAYOUT_FILE_SUFFIXES = ('.json', '.py')


def read_layout_file(path: str) -> dict[str, Any]:
    """The layout dict of a ``.json`` file (an object with :class:`JointLayout`'s fields) or a
    ``.py`` file (the same fields as top-level variables, or one dict named ``joint_layout``;
    read like a config file, so keep it to plain values)."""
    try:
        if path.endswith('.json'):
            with open(path, encoding='utf-8') as file:
                spec = json.load(file)
        else:
            from mmengine.config import Config

            spec = Config.fromfile(path).to_dict()
            spec = spec.get('joint_layout', spec)
    except (OSError, ValueError, SyntaxError) as err:
        raise InputError.at(path, f'cannot read the joint layout: {err}',
                            field='joint_layout') from None
    if not isinstance(spec, dict):
        raise InputError.at(path, 'a layout file holds one object with name, joint_names, '
                            'parents (and optionally left, right, limbs, center)',
                            field='joint_layout')
    fields = {'name', 'joint_names', 'parents', 'left', 'right', 'limbs', 'center', 'dim'}
    spec = {key: value for key, value in spec.items() if key in fields}
    spec.setdefault('name', os.path.splitext(os.path.basename(path))[0])
    return spec


def get_layout(layout: str | dict[str, Any] | JointLayout) -> JointLayout:
    """Resolve a layout from its name, a layout file (``.json``/``.py``, see
    :func:`read_layout_file`), a config dict (registered on first use) or itself.

    Raises:
        KeyError: with the list of known layouts, for an unknown name.
    """
    if isinstance(layout, JointLayout):
        return layout
    if isinstance(layout, str) and layout.endswith(LAYOUT_FILE_SUFFIXES):
        if not os.path.isfile(layout):
            raise InputError.at(layout, 'joint layout file not found', field='joint_layout')
        try:
            return get_layout(read_layout_file(layout))
        except (TypeError, ValueError) as err:
            raise InputError.at(layout, f'not a valid joint layout: {err}',
                                field='joint_layout') from None
    if isinstance(layout, dict):
        spec = dict(layout)
        built = JointLayout(**spec)
        existing = LAYOUTS.get(built.name)
        if existing is not None and existing() != built:
            raise ValueError(f'joint layout {built.name!r} is already registered with other '
                             'joints; choose another name')
        return existing() if existing is not None else register_layout(built)
    holder = LAYOUTS.get(layout)
    if holder is None:
        raise KeyError(f'unknown joint layout {layout!r}; known: {sorted(LAYOUTS.module_dict)}')
    return holder()


def layout_names() -> list[str]:
    """Names of every registered layout."""
    return sorted(LAYOUTS.module_dict)


COCO17 = register_layout(JointLayout(
    name='coco',
    joint_names=('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder',
                 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
                 'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle'),
    parents=(-1, 0, 0, 1, 2, 0, 0, 5, 6, 7, 8, 5, 6, 11, 12, 13, 14),
    left=(1, 3, 5, 7, 9, 11, 13, 15),
    right=(2, 4, 6, 8, 10, 12, 14, 16),
    # The PoseConv3D limb set: head, arms, trunk sides, legs and the hip bar.
    limbs=((0, 1), (0, 2), (1, 3), (2, 4), (0, 5), (5, 7), (7, 9), (0, 6), (6, 8), (8, 10),
           (5, 11), (11, 13), (13, 15), (6, 12), (12, 14), (14, 16), (11, 12)),
    dim=2,
))

OPENPOSE18 = register_layout(JointLayout(
    name='openpose',
    joint_names=('nose', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist', 'left_shoulder',
                 'left_elbow', 'left_wrist', 'right_hip', 'right_knee', 'right_ankle', 'left_hip',
                 'left_knee', 'left_ankle', 'right_eye', 'left_eye', 'right_ear', 'left_ear'),
    parents=(1, -1, 1, 2, 3, 1, 5, 6, 1, 8, 9, 1, 11, 12, 0, 0, 14, 15),
    left=(5, 6, 7, 11, 12, 13, 15, 17),
    right=(2, 3, 4, 8, 9, 10, 14, 16),
    dim=2,
))

NTU25 = register_layout(JointLayout(
    name='nturgb+d',
    joint_names=('spine_base', 'spine_mid', 'neck', 'head', 'left_shoulder', 'left_elbow',
                 'left_wrist', 'left_hand', 'right_shoulder', 'right_elbow', 'right_wrist',
                 'right_hand', 'left_hip', 'left_knee', 'left_ankle', 'left_foot', 'right_hip',
                 'right_knee', 'right_ankle', 'right_foot', 'spine_shoulder', 'left_hand_tip',
                 'left_thumb', 'right_hand_tip', 'right_thumb'),
    parents=(-1, 0, 20, 2, 20, 4, 5, 6, 20, 8, 9, 10, 0, 12, 13, 14, 0, 16, 17, 18, 1, 7, 7, 11,
             11),
    left=(4, 5, 6, 7, 12, 13, 14, 15, 21, 22),
    right=(8, 9, 10, 11, 16, 17, 18, 19, 23, 24),
    center=20,
    dim=3,
))

KINECT20 = register_layout(JointLayout(
    name='kinect',
    joint_names=('hip_center', 'spine', 'shoulder_center', 'head', 'left_shoulder', 'left_elbow',
                 'left_wrist', 'left_hand', 'right_shoulder', 'right_elbow', 'right_wrist',
                 'right_hand', 'left_hip', 'left_knee', 'left_ankle', 'left_foot', 'right_hip',
                 'right_knee', 'right_ankle', 'right_foot'),
    parents=(-1, 0, 1, 2, 2, 4, 5, 6, 2, 8, 9, 10, 0, 12, 13, 14, 0, 16, 17, 18),
    left=(4, 5, 6, 7, 12, 13, 14, 15),
    right=(8, 9, 10, 11, 16, 17, 18, 19),
    center=2,
    dim=3,
))

MEDIAPIPE33 = register_layout(JointLayout(
    name='mediapipe',
    joint_names=('nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner',
                 'right_eye', 'right_eye_outer', 'left_ear', 'right_ear', 'mouth_left',
                 'mouth_right', 'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
                 'left_wrist', 'right_wrist', 'left_pinky', 'right_pinky', 'left_index',
                 'right_index', 'left_thumb', 'right_thumb', 'left_hip', 'right_hip', 'left_knee',
                 'right_knee', 'left_ankle', 'right_ankle', 'left_heel', 'right_heel',
                 'left_foot_index', 'right_foot_index'),
    parents=(-1, 0, 1, 2, 0, 4, 5, 3, 6, 0, 0, 0, 0, 11, 12, 13, 14, 15, 16, 15, 16, 15, 16, 11,
             12, 23, 24, 25, 26, 27, 28, 27, 28),
    left=(1, 2, 3, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31),
    right=(4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32),
    dim=2,
))

# Index maps into COCO-17: ``coco = other[..., TO_COCO17[name], :]``.
TO_COCO17: dict[str, tuple[int, ...]] = {
    'openpose': (0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10),
    'mediapipe': (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28),
}
