"""A short synthetic video of a drawn person with a known COCO-17 skeleton, for tests.

The figure is a mannequin (filled torso, thick limbs, a face), waving both arms, so that a
pose estimator can find it; its joint coordinates are known exactly.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

BACKGROUND = (90, 120, 90)
SKIN, SHIRT, PANTS = (200, 170, 150), (40, 60, 160), (50, 50, 60)
#: (joint a, joint b, colour, width in pixels at 480 px height)
BODY_SEGMENTS = ((5, 7, SHIRT, 26), (7, 9, SKIN, 20), (6, 8, SHIRT, 26), (8, 10, SKIN, 20),
                 (11, 13, PANTS, 32), (13, 15, PANTS, 28), (12, 14, PANTS, 32),
                 (14, 16, PANTS, 28))


def mannequin_joints(num_frames: int, shape: tuple[int, int] = (480, 640),
                     centre: float = 0.5) -> np.ndarray:
    """``(T, 17, 2)`` float32 COCO-17 pixel coordinates of a person facing the camera and
    waving both arms (the person's left side on the image's right), standing at ``centre``
    times the frame width."""
    height, width = shape
    unit = height / 480
    joints = np.zeros((num_frames, 17, 2), np.float32)
    for t in range(num_frames):
        cx, top = width * centre, 60 * unit
        angle = np.sin(t / 4) * 0.8
        shoulder, hip = top + 80 * unit, top + 210 * unit
        j = joints[t]
        j[0] = (cx, top + 30 * unit)
        j[1], j[2] = (cx + 8 * unit, top + 22 * unit), (cx - 8 * unit, top + 22 * unit)
        j[3], j[4] = (cx + 18 * unit, top + 28 * unit), (cx - 18 * unit, top + 28 * unit)
        j[5], j[6] = (cx + 45 * unit, shoulder), (cx - 45 * unit, shoulder)
        elbow = np.array([60 + 60 * np.sin(angle), 60 * np.cos(angle)]) * unit
        j[7], j[8] = (cx + elbow[0], shoulder + elbow[1]), (cx - elbow[0], shoulder + elbow[1])
        wrist = np.array([50 * np.sin(2 * angle), 60 * np.cos(2 * angle)]) * unit
        j[9], j[10] = j[7] + wrist, j[8] + wrist * (-1, 1)
        j[11], j[12] = (cx + 30 * unit, hip), (cx - 30 * unit, hip)
        j[13], j[14] = (cx + 35 * unit, hip + 85 * unit), (cx - 35 * unit, hip + 85 * unit)
        j[15], j[16] = (cx + 38 * unit, hip + 170 * unit), (cx - 38 * unit, hip + 170 * unit)
    return joints


def draw_mannequin(joints: np.ndarray, shape: tuple[int, int] = (480, 640),
                   image: np.ndarray | None = None) -> np.ndarray:
    """RGB frame of the mannequin at ``joints (17, 2)``, drawn on ``image`` (in place) or on
    a new frame of the background colour."""
    unit = shape[0] / 480
    if image is None:
        image = np.empty((*shape, 3), np.uint8)
        image[:] = BACKGROUND

    def point(index: int) -> tuple[int, int]:
        return int(round(joints[index, 0])), int(round(joints[index, 1]))

    cv2.fillPoly(image, [np.array([point(5), point(6), point(12), point(11)])], SHIRT)
    for a, b, colour, width in BODY_SEGMENTS:
        cv2.line(image, point(a), point(b), colour, max(2, int(width * unit)), cv2.LINE_AA)
    cv2.circle(image, point(0), int(34 * unit), SKIN, -1, cv2.LINE_AA)
    for eye in (1, 2):
        cv2.circle(image, point(eye), max(1, int(5 * unit)), (30, 30, 30), -1)
    mouth = int(16 * unit)
    cv2.line(image, (point(0)[0] - mouth, point(0)[1] + mouth),
             (point(0)[0] + mouth, point(0)[1] + mouth), (120, 40, 40), max(1, int(3 * unit)))
    return image


def write_mannequin_video(path: Path, num_frames: int = 24, shape: tuple[int, int] = (480, 640),
                          fps: float = 25.0, centres: tuple[float, ...] = (0.5,)) -> np.ndarray:
    """Write the video (MP4, ``mp4v``) of one mannequin per ``centres`` entry and return
    their joints: ``(T, 17, 2)`` for one, ``(P, T, 17, 2)`` for several."""
    joints = np.stack([mannequin_joints(num_frames, shape, centre) for centre in centres])
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (shape[1], shape[0]))
    for step in range(num_frames):
        frame = None
        for person in joints[:, step]:
            frame = draw_mannequin(person, shape, frame)
        writer.write(frame[..., ::-1])
    writer.release()
    return joints[0] if len(centres) == 1 else joints


def mannequin_sample(joints: np.ndarray, shape: tuple[int, int] = (480, 640),
                     frame_dir: str = 'mannequin', label: int = 1) -> dict:
    """A PYSKL 2D sample (M = 1) of the mannequin's joints, all scores 1."""
    return dict(frame_dir=frame_dir, label=label, total_frames=len(joints), img_shape=shape,
                original_shape=shape, keypoint=joints[None].astype(np.float32),
                keypoint_score=np.ones(joints.shape[:2], np.float32)[None])
