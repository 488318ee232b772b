"""Skeletons on frames: joint visibility, 3D projection, canvas fitting and drawing.

Coordinates are handled as whole arrays ``(M, T, V, C)`` (projection, fitting, visibility,
rounding); per frame only the OpenCV calls remain, one ``cv2.line`` per visible limb and one
``cv2.circle`` per visible joint on plain Python ints. Measured on 1280 x 720 frames with two
COCO-17 persons (shared 2-core machine, OMP_NUM_THREADS=1): 0.77 ms per frame, against 1.0 ms
in the same run when limbs and joints were grouped by colour into ``cv2.polylines`` calls (the
numpy grouping cost more than the calls it saved); decoding and encoding a frame cost far more.
"""
from __future__ import annotations

import colorsys

import cv2
import numpy as np

from pyskl_lite.datasets.layouts import BODY_PARTS, JointLayout, get_layout

#: RGB colour of each body part for the first person. Other persons get the same set with the
#: hue rotated (:func:`person_colours`), so body parts and persons both stay distinguishable.
PART_COLOURS = {
    'head': (250, 210, 40),
    'torso': (235, 235, 235),
    'left_arm': (40, 150, 255),
    'right_arm': (255, 70, 60),
    'left_leg': (40, 210, 120),
    'right_leg': (255, 150, 20),
}
#: Hue rotation between successive persons, in turns.
PERSON_HUE_STEP = 0.37

#: Image axes of each view of a 3D skeleton given in camera space (Kinect / NTU RGB+D /
#: UTKinect: x towards the camera's left, y up, z away from the camera, metres):
#: ``((axis, sign) of the image's u (right), (axis, sign) of its v (down))``.
#: ``front`` is what the camera sees (a person facing it has their left side on the image's
#: right), ``back`` its mirror image, ``side`` is seen from the camera's right (depth grows to
#: the right), ``top`` from above (far from the camera at the top).
VIEWS = {
    'front': ((0, -1), (1, -1)),
    'back': ((0, 1), (1, -1)),
    'side': ((2, 1), (1, -1)),
    'top': ((0, -1), (2, -1)),
}


def person_colours(person: int) -> dict[str, tuple[int, int, int]]:
    """RGB colour per body part for person ``person`` (0-based)."""
    if person == 0:
        return dict(PART_COLOURS)
    shift = (person * PERSON_HUE_STEP) % 1.0
    colours = {}
    for part, rgb in PART_COLOURS.items():
        hue, sat, val = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
        # The grey torso has no hue to rotate: give it the person's tint instead.
        sat = max(sat, 0.35)
        shifted = colorsys.hsv_to_rgb((hue + shift) % 1.0, sat, val)
        colours[part] = tuple(int(round(c * 255)) for c in shifted)
    return colours


def visible_joints(keypoint: np.ndarray, keypoint_score: np.ndarray | None = None,
                   score_thr: float = 0.0) -> np.ndarray:
    """Which joints to draw: ``(M, T, V)`` bool.

    A joint is hidden when all its coordinates are 0 (PYSKL's missing joint), not finite, or
    its score (when given) is below ``score_thr``.

    Args:
        keypoint: ``(M, T, V, C)``.
        keypoint_score: ``(M, T, V)`` or None.
        score_thr: minimum score of a drawn joint.
    """
    coords = np.asarray(keypoint)
    visible = np.isfinite(coords).all(axis=-1) & (coords != 0).any(axis=-1)
    if keypoint_score is not None:
        visible &= np.asarray(keypoint_score) >= score_thr
    return visible


def project(keypoint: np.ndarray, view: str = 'front') -> np.ndarray:
    """Project 3D camera-space coordinates onto image axes: ``(..., 3)`` -> ``(..., 2)``.

    See :data:`VIEWS` for the axis conventions. The result is in the input's units (metres);
    :func:`fit_to_canvas` turns it into pixels.
    """
    if view not in VIEWS:
        raise ValueError(f'unknown view {view!r}; choose one of {sorted(VIEWS)}')
    (u_axis, u_sign), (v_axis, v_sign) = VIEWS[view]
    coords = np.asarray(keypoint, dtype=np.float32)
    return np.stack([u_sign * coords[..., u_axis], v_sign * coords[..., v_axis]], axis=-1)


def fit_to_canvas(points: np.ndarray, visible: np.ndarray, canvas_shape: tuple[int, int],
                  margin: float = 0.08) -> np.ndarray:
    """Scale and shift 2D points so that every visible one fits the canvas, aspect kept.

    One transform for the whole sequence, so motion and size changes stay visible.

    Args:
        points: ``(M, T, V, 2)`` in any unit.
        visible: ``(M, T, V)`` joints that count for the bounds.
        canvas_shape: ``(H, W)`` in pixels.
        margin: free border on each side, as a fraction of the canvas. Default 0.08.

    Returns:
        ``(M, T, V, 2)`` float32 pixel coordinates (invisible joints transformed alike).
    """
    height, width = canvas_shape
    shown = points[visible]
    if shown.size == 0:
        return np.zeros_like(points, dtype=np.float32)
    low, high = shown.min(axis=0), shown.max(axis=0)
    extent = np.maximum(high - low, 1e-6)
    usable = np.array([width, height], dtype=np.float64) * (1 - 2 * margin)
    scale = float(np.min(usable / extent))
    centre = np.array([width, height]) / 2 - scale * (low + high) / 2
    return (points * scale + centre).astype(np.float32)


class SkeletonPainter:
    """Draws the persons of one frame in a joint layout's limbs, coloured by body part.

    Body parts come from the layout's ``body_parts``; a limb between two parts is torso.

    Args:
        joint_layout: layout name, dict or :class:`JointLayout`. Default ``'coco'``.
        thickness: limb width in pixels; None scales it with the frame (about 1/240 of its
            shorter side, at least 2).
        radius: joint radius in pixels; None: ``thickness + 1``.
    """

    def __init__(self, joint_layout: str | dict | JointLayout = 'coco',
                 thickness: int | None = None, radius: int | None = None) -> None:
        self.layout = get_layout(joint_layout)
        self._limbs = np.asarray(self.layout.limbs, dtype=np.int64).reshape(-1, 2)
        joint_parts = np.array([BODY_PARTS.index(p) for p in self.layout.body_parts], dtype=int)
        # A limb inside one body part takes its colour; one joining two parts (neck, shoulder
        # and hip bars, the trunk sides of COCO) belongs to the torso.
        limb_parts = np.where(joint_parts[self._limbs[:, 0]] == joint_parts[self._limbs[:, 1]],
                              joint_parts[self._limbs[:, 0]], BODY_PARTS.index('torso'))
        self._limb_parts = [BODY_PARTS[i] for i in limb_parts]
        self._joint_parts = [BODY_PARTS[i] for i in joint_parts]
        self.thickness = thickness
        self.radius = radius

    def sizes(self, frame_shape: tuple[int, ...]) -> tuple[int, int]:
        """``(limb thickness, joint radius)`` in pixels for a frame of this shape."""
        thickness = self.thickness or max(2, round(min(frame_shape[:2]) / 240))
        return thickness, self.radius or thickness + 1

    def draw(self, frame: np.ndarray, joints: np.ndarray, visible: np.ndarray) -> np.ndarray:
        """Draw in place and return ``frame``.

        Args:
            frame: RGB ``uint8`` ``(H, W, 3)``.
            joints: ``(M, V, 2)`` pixel coordinates ``(x, y)``.
            visible: ``(M, V)`` bool; a limb is drawn when both its joints are visible.
        """
        num_joints = self.layout.num_joints
        if joints.shape[-2] != num_joints:
            raise ValueError(f'joint layout {self.layout.name!r} has {num_joints} joints, the '
                             f'keypoints have {joints.shape[-2]}')
        thickness, radius = self.sizes(frame.shape)
        bound = 4 * max(frame.shape[:2])
        points = np.clip(np.rint(joints), -bound, bound).astype(np.int32).tolist()
        limb_shown = (visible[:, self._limbs[:, 0]] & visible[:, self._limbs[:, 1]]).tolist()
        joint_shown = np.asarray(visible).tolist()
        for person, person_points in enumerate(points):
            colours = person_colours(person)
            for (a, b), part, shown in zip(self.layout.limbs, self._limb_parts,
                                           limb_shown[person], strict=True):
                if shown:
                    cv2.line(frame, person_points[a], person_points[b], colours[part],
                             thickness, cv2.LINE_AA)
            for point, part, shown in zip(person_points, self._joint_parts, joint_shown[person],
                                          strict=True):
                if shown:
                    colour = colours[part]
                    cv2.circle(frame, point, radius, tuple((c + 255) // 2 for c in colour), -1,
                               cv2.LINE_AA)
        return frame
