"""Overlay a sample's skeletons and the model's top-5 on video frames or a black canvas.

:func:`render_overlay` is the one entry point: it maps the sample's coordinates to the output
frame (2D: ``img_shape`` pixels scaled to the frame; 3D: projected and fitted), pairs skeleton
frames with video frames (:func:`align_frames`) and yields finished RGB frames.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from mmengine.logging import print_log

from pyskl_lite.utils import InputError

from .skeleton import SkeletonPainter, fit_to_canvas, project, visible_joints

MISMATCH_POLICIES = ('truncate', 'stretch', 'error')
#: Canvas ``(H, W)`` for samples without a video and without ``img_shape`` (3D).
CANVAS_3D = (720, 720)
TRUTH_COLOUR = (60, 230, 90)
TEXT_COLOUR = (255, 255, 255)


def sample_name(sample: dict[str, Any]) -> str:
    return str(sample.get('frame_dir', sample.get('filename', '?')))


def output_shape(sample: dict[str, Any], video_shape: tuple[int, int] | None = None,
                 max_side: int | None = None) -> tuple[int, int]:
    """``(H, W)`` of the output frames: the video's, else ``img_shape`` (2D), else
    :data:`CANVAS_3D`; scaled down (aspect kept, even sizes) so the longer side is at most
    ``max_side``."""
    if video_shape is not None:
        height, width = video_shape
    elif sample['keypoint'].shape[-1] == 2 and 'img_shape' in sample:
        height, width = (int(v) for v in sample['img_shape'])
    else:
        height, width = CANVAS_3D
    scale = min(1.0, max_side / max(height, width)) if max_side else 1.0
    return max(2, 2 * round(height * scale / 2)), max(2, 2 * round(width * scale / 2))


def skeleton_pixels(sample: dict[str, Any], frame_shape: tuple[int, int],
                    score_thr: float = 0.3, view: str = 'front'
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates of every joint on frames of ``frame_shape`` and which to draw.

    2D samples with ``img_shape`` are scaled from ``img_shape`` to ``frame_shape`` (the
    coordinates are pixels of a frame of that size); 3D samples are projected
    (:func:`~pyskl_lite.visualization.skeleton.project`, ``view``) and fitted to the frame, as
    are 2D samples without ``img_shape``.

    Returns:
        ``(pixels (M, T, V, 2) float32, visible (M, T, V) bool)``.
    """
    keypoint = np.asarray(sample['keypoint'], dtype=np.float32)
    visible = visible_joints(keypoint, sample.get('keypoint_score'), score_thr)
    if keypoint.shape[-1] == 3:
        return fit_to_canvas(project(keypoint, view), visible, frame_shape), visible
    if 'img_shape' not in sample:
        return fit_to_canvas(keypoint[..., :2], visible, frame_shape), visible
    img_h, img_w = (float(v) for v in sample['img_shape'])
    scale = np.array([frame_shape[1] / img_w, frame_shape[0] / img_h], dtype=np.float32)
    return keypoint[..., :2] * scale, visible


@dataclass(frozen=True)
class FrameAlignment:
    """Which skeleton frame goes on which output frame.

    Attributes:
        skeleton_index: ``(num_output,)`` skeleton frame of output frame ``i``; output frame
            ``i`` shows video frame ``i`` when there is a video.
        message: what was done about a frame-count mismatch, '' when the counts agree.
    """

    skeleton_index: np.ndarray
    message: str = ''

    @property
    def num_output(self) -> int:
        return len(self.skeleton_index)


def align_frames(num_skeleton: int, num_video: int | None = None, frame_stride: int = 1,
                 policy: str = 'truncate', source: str = '', sample: str | None = None
                 ) -> FrameAlignment:
    """Pair ``num_skeleton`` skeleton frames with ``num_video`` video frames.

    A skeleton extracted with a frame stride ``s`` (annotation key ``frame_stride``) holds
    video frames ``0, s, 2s, ...``: video frame ``i`` shows skeleton frame ``i // s``, and
    ``ceil(num_video / s)`` skeleton frames are expected. When the counts differ, ``policy``
    decides: ``'truncate'`` draws the frames both have (``min``), ``'stretch'`` spreads the
    skeleton frames evenly over all video frames, ``'error'`` raises.

    Raises:
        InputError: for a mismatch under ``policy='error'``, naming both counts.
    """
    if policy not in MISMATCH_POLICIES:
        raise ValueError(f'policy must be one of {MISMATCH_POLICIES}, got {policy!r}')
    stride = max(int(frame_stride), 1)
    if num_video is None:
        return FrameAlignment(np.arange(num_skeleton))
    expected = math.ceil(num_video / stride)
    if expected == num_skeleton:
        return FrameAlignment(np.arange(num_video) // stride)
    counts = (f'the video has {num_video} frames, the sample {num_skeleton} skeleton frames'
              + (f' (frame stride {stride}: {expected} expected)' if stride > 1 else ''))
    if policy == 'error':
        raise InputError.at(source, f'{counts}; choose --frame-mismatch truncate or stretch',
                            sample=sample, field='total_frames')
    if policy == 'stretch':
        index = np.minimum(np.arange(num_video) * num_skeleton // num_video, num_skeleton - 1)
        return FrameAlignment(index, f'{counts}: stretched the {num_skeleton} skeleton frames '
                                     f'over all {num_video} video frames')
    count = min(num_video, num_skeleton * stride)
    return FrameAlignment(np.arange(count) // stride,
                          f'{counts}: drew the first {count} frames')


def top_classes(scores: np.ndarray, classes: Sequence[str] | None, topk: int = 5
                ) -> list[tuple[int, str, float]]:
    """``(class index, name, score)`` of the ``topk`` best classes, best first."""
    scores = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-scores, kind='stable')[:topk]
    return [(int(i), class_name(int(i), classes), float(scores[i])) for i in order]


def format_score(score: float, scores: np.ndarray) -> str:
    """``'87.3%'`` when ``scores`` are probabilities (non-negative, summing to 1), else the
    raw score (``average_clips='score'`` logits) as ``'2.41'``."""
    probabilities = scores.min() >= 0 and abs(float(scores.sum()) - 1) < 1e-3
    return f'{100 * score:.1f}%' if probabilities else f'{score:.2f}'


def class_name(index: int, classes: Sequence[str] | None) -> str:
    return classes[index] if classes is not None and 0 <= index < len(classes) \
        else f'class {index}'


def draw_predictions(frame: np.ndarray, scores: np.ndarray | None,
                     classes: Sequence[str] | None = None, gt_label: int | None = None,
                     header: str | None = None, topk: int = 5) -> np.ndarray:
    """Write a header line, the top-``topk`` classes with their scores and the ground truth in
    the top-left corner of ``frame`` (in place) on a darkened box; returns ``frame``.

    The ground-truth class is drawn in green, in the list when it is among the ``topk``.
    Probabilities (the recognizer's ``pred_score`` with ``average_clips='prob'``) are printed
    as percentages, other scores as they are (:func:`format_score`).
    """
    lines: list[tuple[str, tuple[int, int, int]]] = []
    if header:
        lines.append((header, TEXT_COLOUR))
    if scores is not None:
        scores = np.asarray(scores, dtype=np.float32)
        for rank, (index, name, score) in enumerate(top_classes(scores, classes, topk), 1):
            colour = TRUTH_COLOUR if index == gt_label else TEXT_COLOUR
            lines.append((f'{rank}. {name} {format_score(score, scores)}', colour))
    if gt_label is not None:
        lines.append((f'truth: {class_name(gt_label, classes)}', TRUTH_COLOUR))
    if not lines:
        return frame
    height, width = frame.shape[:2]
    font_scale = max(0.35, min(height, width) / 900)
    stroke = max(1, round(font_scale * 2))
    line_height = int(round(30 * font_scale)) + 4
    text_width = max(cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, font_scale, stroke)[0][0]
                     for text, _ in lines)
    pad = max(4, line_height // 3)
    box_w = min(width, text_width + 2 * pad)
    box_h = min(height, line_height * len(lines) + pad)
    box = frame[:box_h, :box_w]
    box[:] = (box.astype(np.uint16) * 2 // 5).astype(np.uint8)
    for row, (text, colour) in enumerate(lines):
        baseline = pad + line_height * row + int(round(22 * font_scale))
        cv2.putText(frame, text, (pad, baseline), cv2.FONT_HERSHEY_SIMPLEX, font_scale, colour,
                    stroke, cv2.LINE_AA)
    return frame


def render_overlay(sample: dict[str, Any],
                   frames: Iterable[np.ndarray] | None = None,
                   frame_shape: tuple[int, int] | None = None,
                   alignment: FrameAlignment | None = None,
                   scores: np.ndarray | None = None,
                   classes: Sequence[str] | None = None,
                   joint_layout: Any = None,
                   score_thr: float = 0.3,
                   view: str = 'front',
                   show_text: bool = True,
                   painter: SkeletonPainter | None = None) -> Iterator[np.ndarray]:
    """Yield RGB ``uint8`` frames with the sample's skeletons (and predictions) drawn.

    Args:
        sample: annotation dict (``keypoint (M, T, V, C)``, optional ``keypoint_score``,
            ``img_shape``, ``label``, ``frame_dir``).
        frames: the video's RGB frames in order (resized to ``frame_shape`` when they differ);
            None draws on black.
        frame_shape: ``(H, W)`` of the output; default :func:`output_shape` of the sample.
        alignment: skeleton frame per output frame; default one output frame per skeleton
            frame.
        scores: ``(num_classes,)`` for the whole sample, or ``(num_output, num_classes)`` per
            output frame (rows of NaN draw no prediction); None draws none.
        classes: class names for the labels.
        joint_layout: layout of the keypoints; default guessed from ``V`` (17 ``coco``, 18
            ``openpose``, 20 ``kinect``, 25 ``nturgb+d``, 33 ``mediapipe``).
        score_thr: joints scoring below are hidden. Default 0.3.
        view: projection of 3D samples (see ``VIEWS``). Default ``'front'``.
        show_text: draw the header / top-5 / truth box. Default True.
        painter: reuse a painter (its layout wins over ``joint_layout``).
    """
    keypoint = sample['keypoint']
    num_frames, num_joints = keypoint.shape[1:3]
    painter = painter or SkeletonPainter(joint_layout or guess_layout(num_joints))
    shape = frame_shape or output_shape(sample)
    pixels, visible = skeleton_pixels(sample, shape, score_thr, view)
    alignment = alignment or FrameAlignment(np.arange(num_frames))
    gt_label = sample.get('label')
    gt_label = int(gt_label) if gt_label is not None and int(gt_label) >= 0 else None
    scores = None if scores is None else np.asarray(scores, dtype=np.float32)
    name = sample_name(sample)
    source = iter(frames) if frames is not None else None
    for out_index, skeleton_index in enumerate(alignment.skeleton_index):
        if source is None:
            frame = np.zeros((*shape, 3), dtype=np.uint8)
        else:
            frame = next(source, None)
            if frame is None:
                print_log(f'{name}: the video ended after {out_index} of '
                          f'{alignment.num_output} frames', logger='current',
                          level=logging.WARNING)
                return
            frame = _fit_frame(frame, shape)
        painter.draw(frame, pixels[:, skeleton_index], visible[:, skeleton_index])
        if show_text:
            frame_scores = scores if scores is None or scores.ndim == 1 else scores[out_index]
            if frame_scores is not None and not np.isfinite(frame_scores).all():
                frame_scores = None
            header = f'{name}  {skeleton_index + 1}/{num_frames}'
            draw_predictions(frame, frame_scores, classes, gt_label, header)
        yield frame


def _fit_frame(frame: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A writable copy of ``frame`` at ``shape``."""
    if frame.shape[:2] == tuple(shape):
        return np.array(frame, dtype=np.uint8, copy=True)
    return cv2.resize(frame, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


#: Layout guessed from the number of joints when none is given.
LAYOUT_BY_JOINTS = {17: 'coco', 18: 'openpose', 20: 'kinect', 25: 'nturgb+d', 33: 'mediapipe'}


def guess_layout(num_joints: int) -> str:
    """The built-in layout with ``num_joints`` joints.

    Raises:
        ValueError: when no built-in layout has that many joints.
    """
    if num_joints not in LAYOUT_BY_JOINTS:
        raise ValueError(f'no built-in joint layout has {num_joints} joints (built-in: '
                         f'{LAYOUT_BY_JOINTS}); name the layout')
    return LAYOUT_BY_JOINTS[num_joints]
