"""Pinhole projection of camera-space 3D joints to image pixels.

Used by the synthetic data (its 2D detections) and by ``tools/data/project_to_2d.py``, which
turns a 3D pickle (Kinect, NTU) into the 2D pixel pickle that the 2D and heatmap configs read.
Camera space: x right, y up (``y_up=True``, Kinect's and NTU's convention) or down, z the depth
in front of the camera, any length unit; pixels: u right, v down, origin at the top-left corner.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PinholeCamera:
    """Intrinsics of a pinhole camera without lens distortion.

    Args:
        focal: ``(fx, fy)`` focal lengths in pixels.
        center: ``(cx, cy)`` principal point in pixels.
        img_shape: ``(h, w)`` of the frame in pixels (stored as the samples' ``img_shape``;
            points outside the frame are kept, not clipped).
        y_up: the camera's y axis points up (then ``v = cy - fy * y / z``) or down
            (``v = cy + fy * y / z``). Default True.
    """

    focal: tuple[float, float]
    center: tuple[float, float]
    img_shape: tuple[int, int]
    y_up: bool = True

    def pixels(self, xy: np.ndarray, depth: np.ndarray) -> np.ndarray:
        """``(..., 2)`` pixels ``(u, v)`` of points ``xy (..., 2)`` at ``depth (...)`` (> 0),
        computed in the inputs' dtype."""
        (fx, fy), (cx, cy) = self.focal, self.center
        v_step = fy * xy[..., 1] / depth
        return np.stack([cx + fx * xy[..., 0] / depth,
                         cy - v_step if self.y_up else cy + v_step], axis=-1)

    def project(self, keypoint: np.ndarray, keypoint_score: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """Pixels ``(M, T, V, 2)`` and scores ``(M, T, V)``, float32, of joints ``(M, T, V, 3)``
        (computed in float64, rounded once).

        A joint with depth z <= 0 (Kinect's all-zero "not tracked" joints, or one behind the
        camera) has no image: it becomes ``(0, 0)`` with score 0. The other scores are the
        given ``keypoint_score``, or 1 when there is none.
        """
        keypoint = keypoint.astype(np.float64)
        depth = keypoint[..., 2]
        in_front = depth > 0
        pixels = self.pixels(keypoint[..., :2], np.where(in_front, depth, 1.0))
        pixels[~in_front] = 0
        score = np.ones(depth.shape, np.float32) if keypoint_score is None \
            else keypoint_score.astype(np.float32)
        return pixels.astype(np.float32), np.where(in_front, score, np.float32(0))

    def project_sample(self, sample: dict[str, Any]) -> dict[str, Any]:
        """A copy of a validated 3D annotation with 2D ``keypoint``, ``keypoint_score``,
        ``img_shape`` and ``original_shape`` (this camera's frame); other fields are kept."""
        keypoint, score = self.project(sample['keypoint'], sample.get('keypoint_score'))
        return dict(sample, keypoint=keypoint, keypoint_score=score,
                    img_shape=tuple(self.img_shape), original_shape=tuple(self.img_shape))


#: Kinect v1's depth camera (UTKinect-Action3D, MSR Action3D and others of its time):
#: 285.63 px focal length, 320 x 240 frames.
KINECT_V1 = PinholeCamera(focal=(285.63, 285.63), center=(160.0, 120.0), img_shape=(240, 320))
