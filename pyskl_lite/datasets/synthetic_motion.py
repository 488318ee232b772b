"""Motion model of the synthetic benchmark (:mod:`pyskl_lite.datasets.synthetic`).

People are a kinematic skeleton: the NTU-25 joint tree of
:func:`~pyskl_lite.datasets.layouts.get_layout` ``('nturgb+d')`` plus five face points (nose,
eyes, ears, for COCO-17), with per-subject bone lengths. An action sets named joint angles over
time (:class:`_Body` channels such as ``shoulder_flex`` or ``knee_flex``); forward kinematics
turns them into joint positions, the feet are planted on the ground and the body is placed
and turned in the scene. Units: metres, radians inside (degrees in the action code), 30 fps.

Classes (label: name) and their structure:

* time-reversed pairs: 0 sit down / 1 stand up, 2 pick up / 3 put down, 16 put on hat /
  17 take off hat, 22 approach each other / 23 walk apart: the second class *is* the first
  played backwards (same random draws), so a time-order-blind model confuses them;
* mirrored pairs that differ only in the moving limb: 4 wave left hand / 5 wave right hand,
  6 kick with left leg / 7 kick with right leg (the second is the exact mirror image). A
  horizontal-flip augmentation that swaps left/right joints turns one into the other: train
  these data without ``Flip``, or swap the labels of :data:`MIRRORED_PAIRS` when flipping;
* other single-person actions: 8 jump up, 9 clap, 10 walk, 11 throw, 12 drink water,
  13 answer phone, 14 squat down, 15 bow (fine-grained neighbours: drink / phone, squat / sit
  / pick up, bow / pick up);
* two-person interactions (``M = 2``, the actor first): 18 shake hands, 19 push, 20 punch,
  21 hug, 22 and 23.

Single-person samples have ``M = 1``, except that with probability :data:`BYSTANDER_PROB` a
passive bystander standing nearby is a second person (``M = 2``), as NTU's Kinect sometimes
records a second body; so ``M`` alone does not reveal an interaction.

Variation: per subject, body size (height about 1.5-2.0 m) and bone proportions, posture,
movement amplitude and speed; per sample, the action's variant (which hand, how high, how
many repetitions, ...), duration, 0-30 idle frames before and after, a non-uniform tempo, an
incidental gesture (:data:`GESTURE_PROB`: scratch head, touch face, look around, shift weight,
hands on hips) and slow random sway of every joint.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .layouts import get_layout

FPS = 30.0
MIN_FRAMES, MAX_FRAMES = 30, 300
BYSTANDER_PROB = 0.1

# ----------------------------------------------------------------------------------------------
# Skeleton: NTU-25 joints plus five face points (for COCO-17's nose, eyes and ears).
# Body frame: x = the person's left, y = up, z = forward (the direction the person faces).

_NTU = get_layout('nturgb+d')
_FACE_POINTS = ('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear')
JOINT_NAMES: tuple[str, ...] = _NTU.joint_names + _FACE_POINTS
_JOINT = {name: index for index, name in enumerate(JOINT_NAMES)}
NUM_JOINTS = len(JOINT_NAMES)
_PARENTS = np.array(_NTU.parents + (_JOINT['head'],) * len(_FACE_POINTS))
_FK_ORDER = np.argsort([_NTU.depths[v] if v < _NTU.num_joints else 99 for v in
                        range(NUM_JOINTS)], kind='stable')
_FLIP = np.array(_NTU.flip_index + tuple(
    _JOINT[n.replace('left', 'right') if 'left' in n else n.replace('right', 'left')]
    for n in _FACE_POINTS))
_FEET = np.array([_JOINT[n] for n in ('left_ankle', 'left_foot', 'right_ankle', 'right_foot')])
_BOTH_ANKLES = (_JOINT['left_ankle'], _JOINT['right_ankle'])

# Bone offset of each joint from its parent at rest (standing, arms down) for a 1.75 m person,
# metres in the body frame, and the proportion group a subject scales it with. Right-side
# joints mirror their left twins.
_REST_BONES: dict[str, tuple[tuple[float, float, float], str]] = {
    'spine_base': ((0.0, 0.0, 0.0), 'torso'),
    'spine_mid': ((0.0, 0.24, 0.0), 'torso'),
    'spine_shoulder': ((0.0, 0.26, 0.0), 'torso'),
    'neck': ((0.0, 0.07, 0.0), 'neck'),
    'head': ((0.0, 0.15, 0.01), 'neck'),
    'left_shoulder': ((0.17, -0.03, -0.01), 'shoulders'),
    'left_elbow': ((0.0, -0.28, 0.0), 'upper_arm'),
    'left_wrist': ((0.0, -0.25, 0.0), 'forearm'),
    'left_hand': ((0.0, -0.07, 0.0), 'hand'),
    'left_hand_tip': ((0.0, -0.08, 0.0), 'hand'),
    'left_thumb': ((-0.02, -0.04, 0.04), 'hand'),
    'left_hip': ((0.09, -0.03, 0.0), 'hips'),
    'left_knee': ((0.0, -0.43, 0.0), 'thigh'),
    'left_ankle': ((0.0, -0.42, 0.0), 'shin'),
    'left_foot': ((0.0, -0.06, 0.12), 'foot'),
    'nose': ((0.0, -0.02, 0.10), 'face'),
    'left_eye': ((0.032, 0.02, 0.085), 'face'),
    'left_ear': ((0.075, 0.0, 0.0), 'face'),
}
_PROPORTION_GROUPS = ('torso', 'neck', 'shoulders', 'upper_arm', 'forearm', 'hand', 'hips',
                      'thigh', 'shin', 'foot', 'face')


def _rest_bone(name: str) -> tuple[np.ndarray, str]:
    if name in _REST_BONES:
        offset, group = _REST_BONES[name]
        return np.array(offset), group
    offset, group = _REST_BONES[name.replace('right', 'left')]
    return np.array(offset) * (-1.0, 1.0, 1.0), group


# ----------------------------------------------------------------------------------------------
# Motion channels: named joint angles. A channel rotates the bone that ends at ``joint`` (and
# everything below it) about the parent-frame ``axis`` (0 = x, 1 = y, 2 = z) by
# ``sign * angle``, so that a positive angle means the named movement. Limb channels exist per
# side; the right side mirrors the left (y and z rotations change sign).

_TRUNK_CHANNELS = {
    'waist_bend': ('spine_mid', 0, 1.0),      # trunk forward
    'waist_lean': ('spine_mid', 2, -1.0),     # trunk towards the person's left
    'waist_twist': ('spine_mid', 1, 1.0),     # shoulders turn to the left
    'neck_bend': ('head', 0, 1.0),            # nod forward
    'head_turn': ('head', 1, 1.0),            # look to the left
}
_LIMB_CHANNELS = {
    'shoulder_flex': ('elbow', 0, -1.0),      # upper arm forward / up
    'shoulder_abduct': ('elbow', 2, 1.0),     # upper arm out to the side
    'shoulder_twist': ('elbow', 1, 1.0),      # upper arm turns outwards (external)
    'elbow_flex': ('wrist', 0, -1.0),
    'hip_flex': ('knee', 0, -1.0),            # thigh forward
    'hip_abduct': ('knee', 2, 1.0),
    'knee_flex': ('ankle', 0, 1.0),
    'ankle_flex': ('foot', 0, -1.0),          # toes up
}


def _channel_slot(channel: str, side: str | None) -> tuple[int, int, float]:
    if side is None:
        joint, axis, sign = _TRUNK_CHANNELS[channel]
        return _JOINT[joint], axis, sign
    joint, axis, sign = _LIMB_CHANNELS[channel]
    if side == 'right' and axis != 0:
        sign = -sign
    return _JOINT[f'{side}_{joint}'], axis, sign


class _Body:
    """One person's motion over ``T`` frames, being built by an action.

    Attributes:
        angles: ``(J, T, 3)`` bone rotations (x, y, z Euler angles, radians), J = 30.
        position: ``(T, 3)`` where the person stands in the scene, metres (y unused).
        facing: ``(T,)`` yaw of the body about the vertical, radians; 0 faces scene +z.
        lift: ``(T,)`` height of the lowest foot above the ground, metres (jumps).
        anchor: joints whose mean horizontal position stays where it is at rest (the feet
            stay planted while the body moves); empty for locomotion.
    """

    def __init__(self, num_frames: int) -> None:
        self.angles = np.zeros((NUM_JOINTS, num_frames, 3))
        self.position = np.zeros((num_frames, 3))
        self.facing = np.zeros(num_frames)
        self.lift = np.zeros(num_frames)
        self.anchor: tuple[int, ...] = _BOTH_ANKLES

    def add(self, channel: str, degrees: np.ndarray | float, side: str | None = None) -> None:
        joint, axis, sign = _channel_slot(channel, side)
        self.angles[joint, :, axis] += np.deg2rad(sign * degrees)

    def both(self, channel: str, degrees: np.ndarray | float) -> None:
        self.add(channel, degrees, 'left')
        self.add(channel, degrees, 'right')

    def mirrored(self) -> _Body:
        """The mirror image through the body's sagittal plane (scene x -> -x)."""
        body = _Body(self.angles.shape[1])
        body.angles = self.angles[_FLIP] * (1.0, -1.0, -1.0)
        body.position = self.position * (-1.0, 1.0, 1.0)
        body.facing = -self.facing
        body.lift = self.lift
        body.anchor = tuple(int(_FLIP[j]) for j in self.anchor)
        return body

    def reversed(self) -> _Body:
        """The same motion played backwards."""
        body = _Body(self.angles.shape[1])
        body.angles = self.angles[:, ::-1].copy()
        body.position = self.position[::-1].copy()
        body.facing = self.facing[::-1].copy()
        body.lift = self.lift[::-1].copy()
        body.anchor = self.anchor
        return body


# ----------------------------------------------------------------------------------------------
# Time shapes over the action phase ``s`` in [0, 1].

def _ramp(s: np.ndarray, start: float, end: float) -> np.ndarray:
    """Smooth step: 0 for ``s <= start``, 1 for ``s >= end``."""
    x = np.clip((s - start) / (end - start), 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _bump(s: np.ndarray, rise: float, top: float, fall: float, end: float) -> np.ndarray:
    """0, smoothly up to 1 over ``[rise, top]``, held, back to 0 over ``[fall, end]``."""
    return _ramp(s, rise, top) - _ramp(s, fall, end)


@dataclass
class _Phase:
    """Timing of one sample: ``s (T,)`` runs 0 -> 1 over the action (held before and after),
    ``seconds`` is the action's duration, ``amplitude`` scales movements, ``rng`` draws the
    action's own choices."""

    s: np.ndarray
    seconds: float
    amplitude: float
    rng: np.random.Generator

    def angle(self, hz: float) -> np.ndarray:
        """``(T,)`` phase angle in radians of an oscillation at ``hz`` over the action."""
        return 2.0 * np.pi * hz * self.seconds * self.s

    def travelled(self, envelope: np.ndarray, metres: float) -> np.ndarray:
        """``(T,)`` distance covered so far, ``metres`` in total, at a speed ~ ``envelope``."""
        steps = 0.5 * (envelope[1:] + envelope[:-1]) * np.diff(self.s)
        cumulative = np.concatenate([[0.0], np.cumsum(steps)])
        return metres * cumulative / max(cumulative[-1], 1e-9)


def _walk_cycle(body: _Body, phase: _Phase, gait: np.ndarray, metres: float,
                stride: float = 1.3) -> np.ndarray:
    """Add a walking gait (legs and arm swing) with the envelope ``gait (T,)`` covering
    ``metres``; returns the ``(T,)`` distance walked, for the caller to move the body along."""
    distance = phase.travelled(gait, metres)
    cycle = 2.0 * np.pi * distance / stride + phase.rng.uniform(0.0, 2.0 * np.pi)
    amp = phase.amplitude * gait
    for side, shift in (('left', 0.0), ('right', np.pi)):
        swing = np.sin(cycle + shift)
        body.add('hip_flex', 24.0 * amp * swing, side)
        body.add('knee_flex', 50.0 * amp * np.maximum(np.sin(cycle + shift + 1.2), 0.0) + 5.0,
                 side)
        body.add('shoulder_flex', -18.0 * amp * swing, side)
        body.add('elbow_flex', 15.0 * gait, side)
    body.anchor = ()
    return distance


# ----------------------------------------------------------------------------------------------
# Actions. Each returns its bodies (one, or two for interactions) in the scene frame. Every
# action has random variants (which arm, how high, how many repetitions, ...), so that a class
# is a family of movements rather than one template.

def _sit_down(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    body = _Body(len(s))
    down = _ramp(s, 0.1, 0.9)
    lean = _bump(s, 0.05, 0.4, 0.6, 0.95)
    body.both('hip_flex', rng.uniform(80.0, 95.0) * down)
    body.both('knee_flex', rng.uniform(80.0, 105.0) * down)
    body.both('hip_abduct', rng.uniform(0.0, 12.0) * down)
    body.add('waist_bend', rng.uniform(15.0, 45.0) * a * lean + rng.uniform(-5.0, 12.0) * down)
    arms = rng.integers(3)
    if arms == 0:  # hands come to rest on the thighs
        body.both('shoulder_flex', 25.0 * a * lean + 20.0 * down)
        body.both('elbow_flex', 45.0 * down)
    elif arms == 1:  # arms crossed in front
        body.both('shoulder_flex', 30.0 * down)
        body.both('shoulder_twist', -70.0 * down)
        body.both('elbow_flex', 110.0 * down)
    else:  # hands push on the knees or armrests while going down
        body.both('shoulder_flex', 45.0 * a * lean + 10.0 * down)
        body.both('elbow_flex', 20.0 * lean + 10.0 * down)
    return [body]


def _pick_up(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    body = _Body(len(s))
    reach = _bump(s, 0.1, 0.4, 0.5, 0.75)
    hold = _ramp(s, 0.5, 0.85)
    squat = rng.uniform()  # 0 = stoop with straight legs, 1 = squat with a straight back
    body.add('waist_bend', (85.0 - 45.0 * squat) * a * reach)
    body.add('neck_bend', 25.0 * reach)
    body.both('hip_flex', (10.0 + 60.0 * squat) * reach)
    body.both('knee_flex', (15.0 + 90.0 * squat) * reach)
    sides = ('left', 'right') if rng.random() < 0.6 else (rng.choice(('left', 'right')),)
    for side in sides:
        body.add('shoulder_flex', 50.0 * reach + rng.uniform(25.0, 50.0) * hold, side)
        body.add('elbow_flex', 10.0 * reach + rng.uniform(60.0, 100.0) * a * hold, side)
    return [body]


def _wave_left(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    body = _Body(len(s))
    raised = _bump(s, 0.0, 0.2, 0.8, 1.0)
    waving = np.sin(phase.angle(rng.uniform(1.5, 3.0))) * _bump(s, 0.15, 0.25, 0.75, 0.85)
    if rng.random() < 0.6:  # forearm wave, upper arm out to the side
        body.add('shoulder_abduct', rng.uniform(60.0, 90.0) * raised, 'left')
        body.add('shoulder_flex', rng.uniform(0.0, 30.0) * raised, 'left')
        body.add('shoulder_twist', 90.0 * raised, 'left')
        body.add('elbow_flex', (100.0 + 30.0 * a * waving) * raised, 'left')
    else:  # whole arm overhead, swinging from the shoulder
        body.add('shoulder_abduct', (rng.uniform(130.0, 160.0) + 20.0 * a * waving) * raised,
                 'left')
        body.add('elbow_flex', rng.uniform(5.0, 30.0) * raised, 'left')
    body.add('head_turn', rng.uniform(-10.0, 25.0) * raised)
    body.add('waist_lean', -4.0 * raised)
    return [body]


def _kick_left(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    body = _Body(len(s))
    windup = _bump(s, 0.1, 0.3, 0.32, 0.45) * rng.uniform(0.3, 1.0)
    kick = _bump(s, 0.35, 0.5, 0.55, 0.85)
    chamber = _bump(s, 0.3, 0.4, 0.45, 0.55) * rng.uniform(0.0, 1.0)
    body.add('hip_flex', -20.0 * windup + rng.uniform(45.0, 90.0) * a * kick, 'left')
    body.add('knee_flex', 80.0 * windup + 90.0 * chamber + 25.0 * _bump(s, 0.6, 0.7, 0.75, 0.85),
             'left')
    body.add('ankle_flex', -20.0 * kick, 'left')
    body.add('knee_flex', 10.0 * (windup + kick), 'right')
    body.add('waist_bend', -12.0 * kick)
    body.both('shoulder_abduct', rng.uniform(5.0, 30.0) * (windup + kick))
    body.add('shoulder_flex', 30.0 * kick, 'right')
    body.add('shoulder_flex', -20.0 * kick, 'left')
    body.anchor = (_JOINT['right_ankle'],)
    return [body]


def _hop(body: _Body, s: np.ndarray, start: float, span: float, arm_swing: float,
         height: float, a: float) -> None:
    """One vertical jump over the phase window ``[start, start + span]``: crouch, arm swing,
    flight of ``height`` metres, landing."""
    def at(x: float) -> float:
        return start + span * x
    crouch = (_bump(s, at(0.05), at(0.3), at(0.32), at(0.4))
              + 0.8 * _bump(s, at(0.55), at(0.62), at(0.68), at(0.9)))
    body.both('hip_flex', 50.0 * crouch)
    body.both('knee_flex', 90.0 * crouch)
    body.both('ankle_flex', 15.0 * crouch)
    body.add('waist_bend', 35.0 * crouch)
    body.both('shoulder_flex', arm_swing * (-40.0 * _bump(s, at(0.05), at(0.3), at(0.3), at(0.36))
                                            + 150.0 * a * _bump(s, at(0.32), at(0.42), at(0.48),
                                                                at(0.65))))
    body.lift += height * a * np.sin(np.pi * np.clip((s - at(0.4)) / (0.16 * span), 0.0, 1.0))


def _jump(phase: _Phase) -> list[_Body]:
    body = _Body(len(phase.s))
    hops = 1 + int(phase.rng.random() < 0.3)
    arm_swing = phase.rng.uniform(0.0, 1.0)
    for hop in range(hops):
        _hop(body, phase.s, hop / hops, 1.0 / hops, arm_swing, phase.rng.uniform(0.12, 0.35),
             phase.amplitude)
    return [body]


def _clap(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    body = _Body(len(s))
    raised = _bump(s, 0.0, 0.15, 0.85, 1.0)
    opening = 0.5 - 0.5 * np.cos(phase.angle(rng.uniform(1.5, 3.5)))
    opening *= _bump(s, 0.1, 0.2, 0.8, 0.9)
    overhead = rng.random() < 0.25
    body.both('shoulder_flex', (140.0 if overhead else rng.uniform(35.0, 70.0)) * raised)
    body.both('shoulder_twist', -70.0 * raised)
    body.both('elbow_flex', rng.uniform(50.0, 90.0) * raised)
    body.both('shoulder_abduct', (30.0 * a * opening - 8.0) * raised)
    return [body]


def _walk(phase: _Phase) -> list[_Body]:
    body = _Body(len(phase.s))
    metres = phase.rng.uniform(1.5, 3.0)
    distance = _walk_cycle(body, phase, _bump(phase.s, 0.0, 0.08, 0.9, 1.0), metres)
    body.position[:, 2] = distance - metres / 2
    return [body]


def _throw(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    body = _Body(len(s))
    windup = _bump(s, 0.1, 0.4, 0.45, 0.55)
    release = _bump(s, 0.45, 0.55, 0.6, 0.9)
    hand, other = ('left', 'right') if rng.random() < 0.15 else ('right', 'left')
    twist = 1.0 if hand == 'right' else -1.0
    if rng.random() < 0.7:  # overhand
        body.add('shoulder_flex', 150.0 * windup + 70.0 * a * release, hand)
        body.add('shoulder_abduct', 30.0 * windup, hand)
        body.add('elbow_flex', 100.0 * windup + 15.0 * release, hand)
    else:  # underhand: swing back low, release forward at chest height
        body.add('shoulder_flex', -40.0 * windup + 90.0 * a * release, hand)
        body.add('elbow_flex', 20.0 * windup + 10.0 * release, hand)
    body.add('shoulder_flex', rng.uniform(10.0, 50.0) * windup, other)
    body.add('waist_twist', twist * (-30.0 * windup + 25.0 * a * release))
    body.add('waist_bend', -10.0 * windup + 25.0 * release)
    body.add('hip_flex', 20.0 * (windup + release), other)
    body.add('knee_flex', 15.0 * (windup + release), other)
    return [body]


def _drink(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    body = _Body(len(s))
    side = 'right' if rng.random() < 0.8 else 'left'
    lifted = _bump(s, 0.1, 0.35, 0.7, 0.92)
    sip = _bump(s, 0.38, 0.45, 0.62, 0.68)
    body.add('shoulder_flex', rng.uniform(35.0, 55.0) * lifted + 15.0 * sip, side)
    body.add('shoulder_twist', -30.0 * lifted, side)
    body.add('elbow_flex', rng.uniform(120.0, 140.0) * lifted, side)
    body.add('neck_bend', -15.0 * a * sip)
    return [body]


def _answer_phone(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    body = _Body(len(s))
    side = 'right' if rng.random() < 0.7 else 'left'
    held = _bump(s, 0.05, 0.25, 0.8, 0.95)
    body.add('shoulder_flex', rng.uniform(10.0, 30.0) * held, side)
    body.add('shoulder_abduct', rng.uniform(30.0, 45.0) * held, side)
    body.add('shoulder_twist', rng.uniform(70.0, 90.0) * held, side)
    body.add('elbow_flex', rng.uniform(140.0, 155.0) * held, side)
    body.add('neck_bend', 6.0 * a * np.sin(phase.angle(rng.uniform(0.4, 1.2))) * held)
    body.add('head_turn', rng.uniform(-20.0, 20.0) * held)
    return [body]


def _squat_down(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    body = _Body(len(s))
    down = _ramp(s, 0.1, 0.85)
    body.both('hip_flex', rng.uniform(95.0, 120.0) * down)
    body.both('knee_flex', rng.uniform(115.0, 140.0) * down)
    body.both('hip_abduct', rng.uniform(5.0, 20.0) * down)
    body.add('waist_bend', rng.uniform(10.0, 35.0) * a * down)
    if rng.random() < 0.5:  # arms forward for balance
        body.both('shoulder_flex', rng.uniform(50.0, 90.0) * down)
        body.both('elbow_flex', rng.uniform(5.0, 40.0) * down)
    else:  # hands on the knees
        body.both('shoulder_flex', 45.0 * down)
        body.both('elbow_flex', 50.0 * down)
    return [body]


def _bow(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    body = _Body(len(s))
    bows = 1 + int(rng.random() < 0.25)
    depth = rng.uniform(30.0, 60.0) * a
    bend = sum(_bump(s, (k + 0.15) / bows, (k + 0.4) / bows, (k + 0.6) / bows, (k + 0.85) / bows)
               for k in range(bows))
    body.add('waist_bend', depth * bend)
    body.add('neck_bend', 15.0 * bend)
    if rng.random() < 0.6:  # arms keep hanging straight down
        body.both('shoulder_flex', depth * bend)
    else:  # hands held together in front
        together = _bump(s, 0.0, 0.1, 0.9, 1.0)
        body.both('shoulder_flex', 20.0 * together + 0.7 * depth * bend)
        body.both('shoulder_twist', -40.0 * together)
        body.both('elbow_flex', 40.0 * together)
    return [body]


def _put_on_hat(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    body = _Body(len(s))
    up = _ramp(s, 0.05, 0.3)       # hands in front, up above the head
    onto = _ramp(s, 0.3, 0.5)      # down onto the head, to its sides
    release = _ramp(s, 0.65, 0.95)  # slowly back down
    adjust = np.sin(phase.angle(rng.uniform(1.5, 3.0))) * _bump(s, 0.5, 0.55, 0.6, 0.65)
    keep = 1.0 - release
    body.both('shoulder_flex', (rng.uniform(140.0, 170.0) * a * up - 40.0 * onto) * keep)
    body.both('shoulder_abduct', (35.0 * onto + 8.0 * adjust) * keep)
    body.both('elbow_flex', (70.0 * up + 60.0 * onto) * keep)
    body.add('neck_bend', 10.0 * onto * keep)
    return [body]


def _face_each_other(bodies: list[_Body], gap: np.ndarray) -> None:
    """Stand the actor at scene x = -gap/2 facing +x and the other at +gap/2 facing -x."""
    for body, sign in zip(bodies, (-1.0, 1.0), strict=True):
        body.position[:, 0] = sign * gap / 2
        body.facing[:] = -sign * np.pi / 2


def _shake_hands(phase: _Phase) -> list[_Body]:
    s, rng = phase.s, phase.rng
    bodies = [_Body(len(s)), _Body(len(s))]
    closer = _ramp(s, 0.05, 0.25) - _ramp(s, 0.8, 0.97)
    _face_each_other(bodies, rng.uniform(1.3, 1.7) - rng.uniform(0.35, 0.6) * closer)
    extend = _bump(s, 0.15, 0.32, 0.72, 0.88)
    pump = np.sin(phase.angle(rng.uniform(1.5, 3.0))) * _bump(s, 0.35, 0.42, 0.62, 0.7)
    step = _bump(s, 0.05, 0.12, 0.15, 0.25) + _bump(s, 0.8, 0.85, 0.9, 0.97)
    for body in bodies:
        body.add('shoulder_flex', rng.uniform(35.0, 60.0) * extend
                 + 10.0 * phase.amplitude * pump, 'right')
        body.add('shoulder_abduct', -12.0 * extend, 'right')
        body.add('elbow_flex', rng.uniform(15.0, 45.0) * extend, 'right')
        body.add('hip_flex', 15.0 * step, 'right')
        body.add('knee_flex', 25.0 * step, 'right')
        body.anchor = ()
    return bodies


def _push(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    pusher, pushed = bodies = [_Body(len(s)), _Body(len(s))]
    ready = _bump(s, 0.1, 0.3, 0.55, 0.8)
    thrust = _bump(s, 0.35, 0.45, 0.5, 0.7)
    shove = _ramp(s, 0.42, 0.62)
    _face_each_other(bodies, rng.uniform(0.8, 1.0) + rng.uniform(0.3, 0.7) * a * shove)
    pusher.position[:, 0] += rng.uniform(0.0, 0.25) * _bump(s, 0.35, 0.45, 0.6, 0.85)
    one_hand = rng.random() < 0.3
    for side in (rng.choice(('left', 'right')),) if one_hand else ('left', 'right'):
        pusher.add('shoulder_flex', 45.0 * ready + 40.0 * thrust, side)
        pusher.add('elbow_flex', np.maximum(100.0 * ready - 90.0 * thrust, 0.0), side)
    pusher.add('waist_bend', 15.0 * thrust)
    recoil = _bump(s, 0.42, 0.5, 0.55, 0.8)
    pushed.add('waist_bend', -20.0 * a * recoil)
    pushed.both('shoulder_abduct', rng.uniform(10.0, 40.0) * recoil)
    pushed.both('shoulder_flex', rng.uniform(10.0, 40.0) * recoil)
    pushed.add('hip_flex', -25.0 * recoil, 'right')
    pushed.add('knee_flex', 30.0 * recoil, 'right')
    for body in bodies:
        body.anchor = ()
    return bodies


def _punch(phase: _Phase) -> list[_Body]:
    s, a, rng = phase.s, phase.amplitude, phase.rng
    puncher, hit = bodies = [_Body(len(s)), _Body(len(s))]
    _face_each_other(bodies, rng.uniform(0.7, 0.9) + 0.1 * _ramp(s, 0.4, 0.6))
    guard = _bump(s, 0.05, 0.25, 0.75, 0.95)
    puncher.both('shoulder_flex', rng.uniform(30.0, 50.0) * guard)
    puncher.both('elbow_flex', 120.0 * guard)
    strikes = 1 + int(rng.random() < 0.4)
    side = 'right' if rng.random() < 0.75 else 'left'
    for k in range(strikes):
        t0 = 0.35 + 0.2 * k
        thrust = _bump(s, t0, t0 + 0.05, t0 + 0.08, t0 + 0.16)
        recoil = _bump(s, t0 + 0.05, t0 + 0.1, t0 + 0.14, t0 + 0.3)
        puncher.add('shoulder_flex', 50.0 * a * thrust, side)
        puncher.add('elbow_flex', -110.0 * thrust, side)
        puncher.add('waist_twist', (-15.0 if side == 'right' else 15.0) * thrust)
        hit.add('waist_bend', -12.0 * recoil)
        hit.add('neck_bend', -20.0 * a * recoil)
        hit.add('head_turn', rng.uniform(-25.0, 25.0) * recoil)
    for body in bodies:
        body.anchor = ()
    return bodies


def _hug(phase: _Phase) -> list[_Body]:
    s, rng = phase.s, phase.rng
    bodies = [_Body(len(s)), _Body(len(s))]
    start, close_gap = rng.uniform(1.1, 1.4), rng.uniform(0.3, 0.4)
    closer = _ramp(s, 0.05, 0.3) - _ramp(s, 0.75, 0.95)
    _face_each_other(bodies, start - (start - close_gap) * closer)
    wrap = _bump(s, 0.2, 0.35, 0.7, 0.82)
    step = _bump(s, 0.05, 0.15, 0.2, 0.3) + _bump(s, 0.75, 0.82, 0.88, 0.95)
    pat = np.sin(phase.angle(rng.uniform(1.0, 2.5))) * _bump(s, 0.35, 0.4, 0.6, 0.65)
    heights = (80.0, 60.0) if rng.random() < 0.5 else (60.0, 80.0)
    for body, height, turn in zip(bodies, heights, (25.0, -25.0), strict=True):
        body.both('shoulder_flex', height * wrap)
        body.both('shoulder_abduct', 25.0 * wrap)
        body.both('shoulder_twist', -50.0 * wrap)
        body.both('elbow_flex', 95.0 * wrap + rng.uniform(0.0, 15.0) * pat)
        body.add('waist_bend', 10.0 * wrap)
        body.add('head_turn', turn * wrap)
        body.add('hip_flex', 15.0 * step, 'left')
        body.add('knee_flex', 25.0 * step, 'left')
        body.anchor = ()
    return bodies


def _approach(phase: _Phase) -> list[_Body]:
    s, rng = phase.s, phase.rng
    bodies = [_Body(len(s)), _Body(len(s))]
    start, end = rng.uniform(2.8, 3.6), rng.uniform(0.9, 1.4)
    share = rng.uniform(0.3, 0.7)  # one may walk further than the other
    gait = _bump(s, 0.0, 0.1, 0.85, 1.0)
    walked = [_walk_cycle(body, phase, gait, (start - end) * part)
              for body, part in zip(bodies, (share, 1.0 - share), strict=True)]
    _face_each_other(bodies, start - walked[0] - walked[1])
    return bodies


# Incidental gestures that any performer may make before, during or after the action.
def _scratch_head(body: _Body, when: np.ndarray, rng: np.random.Generator) -> None:
    side = rng.choice(('left', 'right'))
    body.add('shoulder_flex', 120.0 * when, side)
    body.add('shoulder_abduct', 40.0 * when, side)
    body.add('elbow_flex', 130.0 * when, side)


def _touch_face(body: _Body, when: np.ndarray, rng: np.random.Generator) -> None:
    side = rng.choice(('left', 'right'))
    body.add('shoulder_flex', 45.0 * when, side)
    body.add('shoulder_twist', -40.0 * when, side)
    body.add('elbow_flex', 140.0 * when, side)


def _look_around(body: _Body, when: np.ndarray, rng: np.random.Generator) -> None:
    body.add('head_turn', rng.choice((-1.0, 1.0)) * rng.uniform(30.0, 60.0) * when)
    body.add('waist_twist', rng.uniform(-15.0, 15.0) * when)


def _shift_weight(body: _Body, when: np.ndarray, rng: np.random.Generator) -> None:
    lean = rng.choice((-1.0, 1.0)) * rng.uniform(4.0, 10.0)
    body.add('waist_lean', lean * when)
    body.add('knee_flex', 15.0 * when, 'left' if lean < 0 else 'right')


def _hands_on_hips(body: _Body, when: np.ndarray, rng: np.random.Generator) -> None:
    body.both('shoulder_abduct', 35.0 * when)
    body.both('shoulder_twist', -60.0 * when)
    body.both('elbow_flex', 100.0 * when)


_GESTURES = (_scratch_head, _touch_face, _look_around, _shift_weight, _hands_on_hips)
GESTURE_PROB = 0.5


def _add_gesture(body: _Body, rng: np.random.Generator) -> None:
    """With :data:`GESTURE_PROB`, one incidental gesture at a random time (any length)."""
    if rng.random() >= GESTURE_PROB:
        return
    frames = body.angles.shape[1]
    gesture = _GESTURES[rng.integers(len(_GESTURES))]
    t = np.arange(frames) / frames
    start = rng.uniform(-0.2, 0.8)
    length = rng.uniform(0.15, 0.5)
    gesture(body, _bump(t, start, start + 0.25 * length, start + 0.75 * length, start + length),
            rng)


@dataclass(frozen=True)
class Action:
    """One class. A base class has ``motion`` and ``frames``, the range of its active duration
    at normal speed (30 fps); a class with ``reverse_of`` / ``mirror_of`` is that class played
    backwards / mirrored, with the same random draws."""

    name: str
    frames: tuple[int, int] | None = None
    motion: Callable[[_Phase], list[_Body]] | None = None
    reverse_of: str | None = None
    mirror_of: str | None = None
    interaction: bool = False
    walks: bool = False


ACTIONS: tuple[Action, ...] = (
    Action('sit down', (40, 100), _sit_down),
    Action('stand up', reverse_of='sit down'),
    Action('pick up', (50, 120), _pick_up),
    Action('put down', reverse_of='pick up'),
    Action('wave left hand', (45, 140), _wave_left),
    Action('wave right hand', mirror_of='wave left hand'),
    Action('kick with left leg', (25, 60), _kick_left),
    Action('kick with right leg', mirror_of='kick with left leg'),
    Action('jump up', (30, 80), _jump),
    Action('clap', (40, 130), _clap),
    Action('walk', (60, 150), _walk, walks=True),
    Action('throw', (30, 65), _throw),
    Action('drink water', (60, 150), _drink),
    Action('answer phone', (90, 200), _answer_phone),
    Action('squat down', (40, 100), _squat_down),
    Action('bow', (40, 100), _bow),
    Action('put on hat', (60, 130), _put_on_hat),
    Action('take off hat', reverse_of='put on hat'),
    Action('shake hands', (70, 150), _shake_hands, interaction=True),
    Action('push', (30, 70), _push, interaction=True),
    Action('punch', (30, 80), _punch, interaction=True),
    Action('hug', (80, 180), _hug, interaction=True),
    Action('approach each other', (80, 170), _approach, interaction=True),
    Action('walk apart', reverse_of='approach each other', interaction=True),
)
SYNTHETIC_CLASSES: tuple[str, ...] = tuple(action.name for action in ACTIONS)
_LABEL = {name: label for label, name in enumerate(SYNTHETIC_CLASSES)}
REVERSED_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (_LABEL[a.reverse_of], label) for label, a in enumerate(ACTIONS) if a.reverse_of)
MIRRORED_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (_LABEL[a.mirror_of], label) for label, a in enumerate(ACTIONS) if a.mirror_of)


def _base_action(action: Action) -> tuple[Action, Callable[[_Body], _Body] | None]:
    """The class whose motion ``action`` plays, and how it transforms that motion."""
    if action.reverse_of:
        return ACTIONS[_LABEL[action.reverse_of]], _Body.reversed
    if action.mirror_of:
        return ACTIONS[_LABEL[action.mirror_of]], _Body.mirrored
    return action, None


def _perform(action: Action, phase: _Phase) -> list[_Body]:
    """The bodies of a sample of base class ``action``: its motion, a possible bystander,
    incidental gestures and sway."""
    rng = phase.rng
    bodies = action.motion(phase)
    if not action.interaction and rng.random() < BYSTANDER_PROB:
        bystander = _Body(len(phase.s))
        bystander.position[:] = (rng.choice((-1.0, 1.0)) * rng.uniform(1.2, 2.0), 0.0,
                                 rng.uniform(-0.5, 0.5))
        bystander.facing[:] = np.deg2rad(rng.uniform(-60.0, 60.0))
        bodies.append(bystander)
    for body in bodies:
        _add_gesture(body, rng)
        _add_sway(body, rng)
    return bodies


# ----------------------------------------------------------------------------------------------
# Subjects and kinematics.

@dataclass(frozen=True)
class Subject:
    """A synthetic performer.

    Attributes:
        bones: ``(J, 3)`` bone offsets from the parent joint at rest, metres, body frame.
        rest: ``(J, 3)`` joint positions at rest relative to the root, metres.
        posture: ``(J, 3)`` constant joint angles added to every motion, radians (symmetric).
        amplitude: scale of the subject's movements (about 0.8-1.2).
        speed: tempo of the subject (about 0.8-1.25; durations divide by it).
    """

    subject_id: int
    bones: np.ndarray
    rest: np.ndarray
    posture: np.ndarray
    amplitude: float
    speed: float


@lru_cache(maxsize=256)
def make_subject(seed: int, subject_id: int) -> Subject:
    """The subject ``subject_id`` (1-based) of the dataset generated with ``seed``."""
    rng = np.random.default_rng((seed, 1, subject_id))
    height = np.clip(rng.normal(1.0, 0.055), 0.86, 1.14)
    proportions = np.clip(rng.normal(1.0, 0.04, len(_PROPORTION_GROUPS)), 0.9, 1.1)
    scales = dict(zip(_PROPORTION_GROUPS, proportions, strict=True))
    bones = np.empty((NUM_JOINTS, 3))
    for joint, name in enumerate(JOINT_NAMES):
        offset, group = _rest_bone(name)
        bones[joint] = offset * height * scales[group]
    posture_body = _Body(1)
    posture_body.add('waist_bend', rng.normal(3.0, 3.0))
    posture_body.add('neck_bend', rng.normal(5.0, 5.0))
    posture_body.both('elbow_flex', rng.uniform(5.0, 20.0))
    posture_body.both('shoulder_abduct', rng.uniform(3.0, 10.0))
    posture_body.both('knee_flex', rng.uniform(0.0, 6.0))
    posture_body.both('hip_abduct', rng.uniform(0.0, 5.0))
    rest = _forward_kinematics(np.zeros((NUM_JOINTS, 1, 3)), bones)[:, 0]
    return Subject(subject_id, bones, rest, posture_body.angles[:, 0],
                   float(rng.uniform(0.8, 1.2)), float(rng.uniform(0.8, 1.25)))


def _rotation_matrices(angles: np.ndarray) -> np.ndarray:
    """``(..., 3)`` Euler angles (x, y, z) -> ``(..., 3, 3)`` matrices ``Rz @ Rx @ Ry``."""
    cx, cy, cz = np.cos(angles[..., 0]), np.cos(angles[..., 1]), np.cos(angles[..., 2])
    sx, sy, sz = np.sin(angles[..., 0]), np.sin(angles[..., 1]), np.sin(angles[..., 2])
    rows = (
        (cz * cy - sz * sx * sy, -sz * cx, cz * sy + sz * sx * cy),
        (sz * cy + cz * sx * sy, cz * cx, sz * sy - cz * sx * cy),
        (-cx * sy, sx, cx * cy),
    )
    return np.stack([np.stack(row, axis=-1) for row in rows], axis=-2)


def yaw_matrices(yaw: np.ndarray) -> np.ndarray:
    """``(T,)`` yaw about +y (radians) -> ``(T, 3, 3)``."""
    return _rotation_matrices(np.stack([np.zeros_like(yaw), yaw, np.zeros_like(yaw)], -1))


def _forward_kinematics(angles: np.ndarray, bones: np.ndarray) -> np.ndarray:
    """Joint positions ``(J, T, 3)`` relative to the root from bone rotations ``(J, T, 3)``
    and bone offsets ``(J, 3)`` (metres): ``x[j] = x[parent] + R_global[j] @ bones[j]``."""
    local = _rotation_matrices(angles)
    world = np.empty_like(local)
    positions = np.zeros(angles.shape)
    for joint in _FK_ORDER:
        parent = _PARENTS[joint]
        if parent < 0:
            world[joint] = local[joint]
            continue
        world[joint] = world[parent] @ local[joint]
        positions[joint] = positions[parent] + world[joint] @ bones[joint]
    return positions


def _place(body: _Body, subject: Subject) -> np.ndarray:
    """Pose, plant on the ground and place one body: ``(T, J, 3)`` scene metres, y up."""
    joints = _forward_kinematics(body.angles + subject.posture[:, None], subject.bones)
    if body.anchor:
        anchor = list(body.anchor)
        drift = joints[anchor].mean(0) - subject.rest[anchor].mean(0)
        joints[..., 0] -= drift[:, 0]
        joints[..., 2] -= drift[:, 2]
    joints[..., 1] += body.lift - joints[_FEET, :, 1].min(0)
    joints = np.einsum('tab,jtb->tja', yaw_matrices(body.facing), joints)
    return joints + body.position[:, None] * (1.0, 0.0, 1.0)


def _add_sway(body: _Body, rng: np.random.Generator, degrees: float = 2.5) -> None:
    """Small slow random movements of every joint (a person never stands perfectly still)."""
    shape = (NUM_JOINTS, 3, 3)
    hz, offset = rng.uniform(0.1, 0.7, shape), rng.uniform(0.0, 2.0 * np.pi, shape)
    amp = np.deg2rad(rng.uniform(0.0, degrees / 2, shape))
    t = np.arange(body.angles.shape[1]) / FPS
    sway = (amp[..., None] * np.sin(2.0 * np.pi * hz[..., None] * t + offset[..., None])).sum(2)
    body.angles += sway.transpose(0, 2, 1)


def _timing(action: Action, subject: Subject, rng: np.random.Generator) -> tuple[np.ndarray,
                                                                                   float]:
    """``s (T,)`` action phase per frame and the action's duration in seconds.

    The action takes ``action.frames`` frames divided by the subject's and the sample's speed,
    between 0 and 30 idle frames before and after (T within [30, 300]); its tempo is
    non-uniform (a random piecewise-linear time warp with 4 pieces)."""
    lo, hi = action.frames
    active = int(np.clip(round(rng.uniform(lo, hi) / (subject.speed * rng.uniform(0.85, 1.15))),
                         20, MAX_FRAMES))
    before, after = rng.integers(0, 31, size=2)
    spare = MAX_FRAMES - active
    before, after = min(before, spare // 2), min(after, spare - spare // 2)
    after = max(after, MIN_FRAMES - active - before)
    linear = np.clip((np.arange(before + active + after) - before) / (active - 1), 0.0, 1.0)
    knots = np.concatenate([[0.0], np.cumsum(rng.dirichlet(np.full(4, 4.0)))])
    return np.interp(linear, knots, np.linspace(0.0, 1.0, 5)), active / FPS


def simulate_motion(label: int, seed: int, subject_id: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Noise-free motion of one sample of class ``label`` performed by ``subject_id`` of the
    dataset ``seed``, drawing from ``rng``: ``(M, T, J, 3)`` joint positions in metres in the
    scene frame (y up, ground at y = 0), J = 30 (:data:`JOINT_NAMES`)."""
    action, transform = _base_action(ACTIONS[label])
    subject = make_subject(seed, subject_id)
    s, seconds = _timing(action, subject, rng)
    amplitude = subject.amplitude * rng.uniform(0.9, 1.1)
    bodies = _perform(action, _Phase(s, seconds, amplitude, rng))
    if transform is not None:
        bodies = [transform(body) for body in bodies]
    partners = [subject] + [make_subject(seed, int(rng.integers(1000, 2000)))
                            for _ in bodies[1:]]
    return np.stack([_place(body, person) for body, person in zip(bodies, partners, strict=True)])
