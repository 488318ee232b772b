"""Synthetic NTU-style skeleton action data: the project's embedded default benchmark data.

Every sample is simulated, not drawn from noise: a kinematic human skeleton moves through one
of 24 actions (:mod:`pyskl_lite.datasets.synthetic_motion` describes the people, the classes
and their variation), one of three cameras sees it, and a detector-like observation of it is
stored in the PYSKL annotation format::

    {'split': {'xsub_train', 'xsub_val', 'xview_train', 'xview_val': [frame_dir, ...]},
     'annotations': [{'frame_dir', 'label', 'total_frames', 'keypoint', ...}, ...]}

* ``dim=2``: COCO-17 ``keypoint (M, T, 17, 2)`` in pixels of a 1920x1080 frame, with
  ``keypoint_score (M, T, 17)`` in [0, 1], ``img_shape = original_shape = (1080, 1920)``.
  Errors: gaussian jitter growing with joint speed; lower scores for joints behind the body and
  fast joints; short low-score outlier bursts; missing joints (coordinates 0 and score 0);
  dropped frames (a whole person 0, in 20 % of samples); joints outside the frame clamped to its
  border with a low score.
* ``dim=3``: NTU-25 ``keypoint (M, T, 25, 3)`` in metres in Kinect camera space (x towards the
  camera's left, y up, z depth: a person facing the camera has left joints at smaller x), no
  scores and no ``img_shape``, like PYSKL's ``ntu60_3danno.pkl``. Errors: jitter growing with
  speed, outlier bursts, missing joints and dropped frames as zeros.

``M`` is 1 or 2, ``T`` 30 to 300 frames (30 fps). Cameras follow NTU: camera 1 in front of the
performer (0 degrees), 2 at +45, 3 at -45 degrees, each setup with its own distance (2.8-3.6 m,
farther for walking and interactions), height and focal length, plus per-sample jitter and
framing offsets; the performer faces the front camera within +-30 degrees (walkers cross the
view).

Frame directories are ``SsssCcccPpppRrrrAaaa`` (setup, camera 1-3, subject, replication,
action = label + 1). Splits: ``xsub_train`` / ``xsub_val`` by subject (:func:`is_xsub_train`:
60 % / 40 % of the subjects, none in both), ``xview_train`` / ``xview_val`` by camera (2 and 3 /
1). Classes are balanced (round-robin).

The generator is deterministic: the same arguments give byte-identical pickles. Each sample has
its own random stream seeded by ``(seed, 0, sample index)``, so samples do not depend on how
many others are generated.
"""
from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .camera import PinholeCamera
from .layouts import get_layout
from .synthetic_motion import (
    ACTIONS,
    JOINT_NAMES,
    MIRRORED_PAIRS,
    REVERSED_PAIRS,
    SYNTHETIC_CLASSES,
    Action,
    simulate_motion,
    yaw_matrices,
)

__all__ = ['DEFAULT_NUM_SAMPLES', 'MIRRORED_PAIRS', 'REVERSED_PAIRS', 'SYNTHETIC_CLASSES',
           'SampleSpec', 'dump_synthetic_dataset', 'is_xsub_train', 'label_map_path',
           'make_synthetic_dataset', 'plan_samples', 'render_sample', 'simulate_scene']

IMG_SHAPE = (1080, 1920)
DEFAULT_NUM_SUBJECTS = 40
# Every subject performs every class once per camera: 24 x 40 x 3.
DEFAULT_NUM_SAMPLES = len(ACTIONS) * DEFAULT_NUM_SUBJECTS * 3
CAMERA_YAW_DEG = {1: 0.0, 2: 45.0, 3: -45.0}
XVIEW_VAL_CAMERAS = (1,)
_COCO_FROM_JOINTS = np.array([JOINT_NAMES.index(name) for name in get_layout('coco').joint_names])
_NTU_JOINTS = np.arange(get_layout('nturgb+d').num_joints)


def is_xsub_train(subject_id: int) -> bool:
    """Cross-subject protocol: subject ids 1, 2, 4 mod 5 train (60 %), 0 and 3 mod 5 validate."""
    return subject_id % 5 in (1, 2, 4)


@dataclass(frozen=True)
class SampleSpec:
    """What one sample shows; ``seed`` is its random stream's seed (timing, style, view,
    noise), ``seed[0]`` the dataset seed (which also fixes the subjects' bodies)."""

    label: int
    setup: int
    camera: int
    subject: int
    replication: int
    seed: tuple[int, ...] = (0, 0, 0)

    @property
    def frame_dir(self) -> str:
        return (f'S{self.setup:03d}C{self.camera:03d}P{self.subject:03d}'
                f'R{self.replication:03d}A{self.label + 1:03d}')


def plan_samples(num_samples: int, seed: int = 0,
                 num_subjects: int = DEFAULT_NUM_SUBJECTS) -> list[SampleSpec]:
    """The ``num_samples`` samples of a dataset, classes round-robin (balanced).

    Sample ``index`` is class ``index % num_classes`` in round ``k = index // num_classes``,
    by subject ``(k + label) % num_subjects + 1`` (so consecutive samples come from different
    subjects and even a tiny dataset has both cross-subject splits); its repetition
    ``r = k // num_subjects`` picks camera ``1 + (subject + r) % 3`` (each subject is seen by
    all three cameras), replication ``1 + (r // 3) % 2`` and setup ``1 + r // 6``. Every
    (setup, camera, subject, replication, action) is unique.
    """
    specs = []
    for index in range(num_samples):
        round_, label = divmod(index, len(ACTIONS))
        subject = (round_ + label) % num_subjects + 1
        repeat = round_ // num_subjects
        specs.append(SampleSpec(label=label, setup=1 + repeat // 6,
                                camera=1 + (subject + repeat) % 3, subject=subject,
                                replication=1 + (repeat // 3) % 2, seed=(seed, 0, index)))
    return specs


def simulate_scene(spec: SampleSpec, rng: np.random.Generator | None = None) -> np.ndarray:
    """Noise-free 3D motion of a sample: ``(M, T, J, 3)`` joints in metres in the scene frame
    (y up, ground at y = 0, before the camera), J = 30 (NTU-25, then nose, eyes, ears).

    ``rng`` continues the sample's stream (:func:`render_sample` passes it); by default a
    fresh one is seeded from ``spec.seed``.
    """
    rng = np.random.default_rng(spec.seed) if rng is None else rng
    return simulate_motion(spec.label, spec.seed[0], spec.subject, rng)


# ----------------------------------------------------------------------------------------------
# Camera and observation.

def _camera(spec: SampleSpec, action: Action, rng: np.random.Generator) -> dict[str, Any]:
    """Camera pose and focal length for a sample: per (setup, camera) base plus jitter."""
    base = np.random.default_rng((spec.seed[0], 2, spec.setup, spec.camera))
    distance = base.uniform(2.8, 3.6) + rng.normal(0.0, 0.15)
    distance += 0.7 if action.interaction else 0.5 if action.walks else 0.0
    yaw = np.deg2rad(CAMERA_YAW_DEG[spec.camera] + rng.normal(0.0, 3.0))
    height = base.uniform(0.8, 1.4) + rng.normal(0.0, 0.05)
    lateral = rng.uniform(-0.35, 0.35)
    target = np.array([lateral * np.cos(yaw), base.uniform(0.8, 1.0), -lateral * np.sin(yaw)])
    position = np.array([distance * np.sin(yaw), height, distance * np.cos(yaw)])
    forward = (target - position) / np.linalg.norm(target - position)
    right = np.cross(forward, (0.0, 1.0, 0.0))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    return dict(position=position, axes=np.stack([right, up, forward]),
                focal=base.uniform(1150.0, 1450.0) + rng.normal(0.0, 20.0))


def _scene_yaw(action: Action, rng: np.random.Generator) -> float:
    """Orientation of the scene (where the performer faces) relative to camera 1, radians."""
    if action.walks:
        return np.deg2rad(rng.choice((-90.0, 90.0)) + rng.uniform(-35.0, 35.0))
    if action.interaction:
        return np.deg2rad(rng.uniform(-25.0, 25.0))
    return np.deg2rad(rng.uniform(-30.0, 30.0))


def _segments(rng: np.random.Generator, shape: tuple[int, int, int], per_100_frames: float,
              max_length: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Boolean ``(M, T, K)`` mask of random runs of 1..max_length frames of entry ``k``
    (chosen with ``weights``), about ``per_100_frames`` runs per person per 100 frames."""
    persons, frames, entries = shape
    count = rng.poisson(per_100_frames * frames / 100.0, size=persons)
    total = int(count.sum())
    edges = np.zeros((persons, frames + 1, entries), dtype=np.int32)
    person = np.repeat(np.arange(persons), count)
    entry = rng.choice(entries, size=total, p=weights)
    start = rng.integers(0, frames, size=total)
    stop = np.minimum(start + rng.integers(1, max_length + 1, size=total), frames)
    np.add.at(edges, (person, start, entry), 1)
    np.add.at(edges, (person, stop, entry), -1)
    return np.cumsum(edges, axis=1)[:, :frames] > 0


def _speed(points: np.ndarray) -> np.ndarray:
    """``(M, T, V)`` per-frame displacement of ``(M, T, V, C)`` points."""
    return np.linalg.norm(np.diff(points, axis=1, prepend=points[:, :1]), axis=-1)


# COCO-17 detector confidence of a clearly visible, still joint; extremities are harder.
_BASE_SCORE = np.array([0.95, 0.93, 0.93, 0.86, 0.86, 0.92, 0.92, 0.88, 0.88, 0.82, 0.82, 0.86,
                        0.86, 0.87, 0.87, 0.83, 0.83])
# How often each COCO joint goes missing: wrists, ankles and ears most.
_MISS_WEIGHT = np.array([1, 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3], dtype=float)
_MISS_WEIGHT /= _MISS_WEIGHT.sum()


def _observe_2d(camera_xyz: np.ndarray, focal: float, rng: np.random.Generator,
                clean: bool) -> tuple[np.ndarray, np.ndarray]:
    """COCO-17 detections ``(M, T, 17, 2)`` pixels and scores ``(M, T, 17)`` from camera-space
    joints ``(M, T, J, 3)`` (x right, y up, z depth, metres)."""
    xyz = camera_xyz[:, :, _COCO_FROM_JOINTS]
    depth = np.maximum(xyz[..., 2], 0.3)
    height, width = IMG_SHAPE
    pixels = PinholeCamera((focal, focal), (width / 2, height / 2), IMG_SHAPE).pixels(
        xyz[..., :2], depth)
    if clean:
        return pixels, np.ones(pixels.shape[:-1])
    person_px = focal * 1.7 / np.median(depth, axis=(1, 2))[:, None, None]
    speed = _speed(pixels)
    sigma = 0.008 * person_px + 0.15 * speed
    pixels = pixels + rng.normal(size=pixels.shape) * sigma[..., None]
    torso_depth = depth[:, :, [5, 6, 11, 12]].mean(-1, keepdims=True)
    hidden = np.clip((depth - torso_depth) / 0.15, 0.0, 1.0)
    score = (_BASE_SCORE - 0.3 * hidden - 0.3 * np.clip(speed / person_px * 5.0, 0.0, 1.0)
             + rng.normal(0.0, 0.04, depth.shape))
    outlier = _segments(rng, depth.shape, 1.5, 6)
    pixels[outlier] += rng.normal(0.0, 0.06, (int(outlier.sum()), 2)) * np.broadcast_to(
        person_px, depth.shape)[outlier][:, None]
    score[outlier] = rng.uniform(0.05, 0.35, int(outlier.sum()))
    outside = ((pixels[..., 0] < 0) | (pixels[..., 0] > width - 1)
               | (pixels[..., 1] < 0) | (pixels[..., 1] > height - 1))
    pixels = np.clip(pixels, 0.0, (width - 1, height - 1))
    score[outside] *= 0.3
    missing = _segments(rng, depth.shape, 1.0, 12, _MISS_WEIGHT) | _dropped_frames(rng, depth)
    pixels[missing] = 0.0
    score = np.clip(score, 0.01, 1.0)
    score[missing] = 0.0
    return pixels, score


def _dropped_frames(rng: np.random.Generator, like: np.ndarray) -> np.ndarray:
    """``(M, T, 1)`` frames in which a person is not detected at all (20 % of samples)."""
    if rng.random() >= 0.2:
        return np.zeros(like.shape[:2] + (1,), dtype=bool)
    return _segments(rng, like.shape[:2] + (1,), 2.0, 5)


def _observe_3d(camera_xyz: np.ndarray, rng: np.random.Generator, clean: bool) -> np.ndarray:
    """NTU-25 joints ``(M, T, 25, 3)`` in Kinect camera space (x to the camera's left, y up,
    z depth; metres) from camera-space joints ``(M, T, J, 3)`` with x to the right."""
    joints = camera_xyz[:, :, _NTU_JOINTS] * (-1.0, 1.0, 1.0)
    if clean:
        return joints
    shape = joints.shape[:-1]
    sigma = 0.01 + 0.2 * _speed(joints)
    joints = joints + rng.normal(size=joints.shape) * sigma[..., None]
    outlier = _segments(rng, shape, 1.5, 6)
    joints[outlier] += rng.normal(0.0, 0.06, (int(outlier.sum()), 3))
    missing = _segments(rng, shape, 0.7, 12) | _dropped_frames(rng, joints)
    joints[missing] = 0.0
    return joints


def render_sample(spec: SampleSpec, dim: int = 2, dtype: str = 'float32',
                  clean: bool = False) -> dict[str, Any]:
    """One annotation in the PYSKL format.

    Returns:
        ``frame_dir``, ``label``, ``total_frames`` T and ``keypoint``: for ``dim=2`` COCO-17
        pixels ``(M, T, 17, 2)`` plus ``keypoint_score (M, T, 17)``, ``img_shape`` and
        ``original_shape`` ``(1080, 1920)``; for ``dim=3`` NTU-25 metres ``(M, T, 25, 3)``.
        ``clean=True`` skips every observation error (scores all 1).
    """
    if dim not in (2, 3):
        raise ValueError(f'dim must be 2 or 3, got {dim}')
    if dtype not in ('float32', 'float16'):
        raise ValueError(f"dtype must be 'float32' or 'float16', got {dtype!r}")
    rng = np.random.default_rng(spec.seed)
    action = ACTIONS[spec.label]
    scene = simulate_scene(spec, rng)
    camera = _camera(spec, action, rng)
    world = np.einsum('ab,mtjb->mtja', yaw_matrices(np.array([_scene_yaw(action, rng)]))[0],
                      scene)
    camera_xyz = np.einsum('ab,mtjb->mtja', camera['axes'], world - camera['position'])
    annotation = dict(frame_dir=spec.frame_dir, label=spec.label,
                      total_frames=int(scene.shape[1]))
    if dim == 3:
        annotation['keypoint'] = _observe_3d(camera_xyz, rng, clean).astype(dtype)
        return annotation
    keypoint, score = _observe_2d(camera_xyz, camera['focal'], rng, clean)
    annotation.update(img_shape=IMG_SHAPE, original_shape=IMG_SHAPE,
                      keypoint=keypoint.astype(dtype), keypoint_score=score.astype(dtype))
    return annotation


# ----------------------------------------------------------------------------------------------
# Dataset API.

def make_synthetic_dataset(num_samples: int = DEFAULT_NUM_SAMPLES, dim: int = 2, seed: int = 0,
                           dtype: str = 'float32',
                           num_subjects: int = DEFAULT_NUM_SUBJECTS,
                           on_sample: Callable[[], None] | None = None) -> dict[str, Any]:
    """Generate a synthetic dataset in the PYSKL annotation format.

    Args:
        num_samples: number of samples, classes balanced round-robin. The default 2880 is every
            subject performing every class once per camera (24 x 40 x 3); 56,880 is NTU60 size.
        dim: 2 for COCO-17 pixels with scores, 3 for NTU-25 metres without scores.
        seed: dataset seed; equal arguments give identical data.
        dtype: ``'float32'`` or ``'float16'`` for ``keypoint`` (and ``keypoint_score``).
        num_subjects: synthetic performers (>= 3 so that both cross-subject splits exist).
        on_sample: called after each rendered sample (a progress display). Default None.

    Returns:
        ``{'split': {'xsub_train', 'xsub_val', 'xview_train', 'xview_val': [frame_dir]},
        'annotations': [dict, ...]}``, see :func:`render_sample`.
    """
    if num_samples < 1:
        raise ValueError(f'num_samples must be >= 1, got {num_samples}')
    if num_subjects < 3:
        raise ValueError(f'num_subjects must be >= 3, got {num_subjects}')
    specs = plan_samples(num_samples, seed, num_subjects)
    annotations = []
    for spec in specs:
        annotations.append(render_sample(spec, dim, dtype))
        if on_sample is not None:
            on_sample()
    split = dict(
        xsub_train=[s.frame_dir for s in specs if is_xsub_train(s.subject)],
        xsub_val=[s.frame_dir for s in specs if not is_xsub_train(s.subject)],
        xview_train=[s.frame_dir for s in specs if s.camera not in XVIEW_VAL_CAMERAS],
        xview_val=[s.frame_dir for s in specs if s.camera in XVIEW_VAL_CAMERAS],
    )
    return dict(split=split, annotations=annotations)


def label_map_path(ann_file: str | os.PathLike) -> Path:
    """``<ann_file minus .pkl>_label_map.txt`` beside the annotation pickle."""
    path = Path(ann_file)
    stem = path.name[:-4] if path.name.endswith('.pkl') else path.name
    return path.with_name(f'{stem}_label_map.txt')


def dump_synthetic_dataset(data: dict[str, Any], out: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``data`` to the pickle ``out`` and the class names to :func:`label_map_path`;
    returns both paths. Each file is written aside and then renamed over the old one, so an
    interrupted run never leaves a truncated pickle."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    label_map = label_map_path(out)
    # Protocol 5 writes each array's buffer directly; protocol 4 would keep a bytes copy of every
    # array in the pickler's memo until the end, doubling peak memory at NTU scale.
    _replace(out, lambda file: pickle.dump(data, file, protocol=5))
    _replace(label_map, lambda file: file.write(''.join(
        f'{name}\n' for name in SYNTHETIC_CLASSES).encode()))
    return out, label_map


def _replace(path: Path, write: Callable[[BinaryIO], Any]) -> None:
    partial = path.with_name(path.name + '.partial')
    with open(partial, 'wb') as file:
        write(file)
    os.replace(partial, path)
