"""One video through the web app: checks on the upload, then skeleton, actions, overlay.

:func:`probe_video` refuses what is not a decodable video or exceeds :class:`Limits`, with a
one-line :class:`~pyskl_lite.utils.InputError` naming the upload (never a server path).
:class:`VideoAnalyser` runs an accepted video through the stages of ``tools/demo.py``:
MediaPipe extraction, video-level and sliding-window recognition, the skeleton and the current
top-5 drawn on the frames, and writes into the job's folder:

- ``annotated.webm``: VP8 (browsers play it; OpenCV's wheels have no H.264 encoder and no
  browser plays ``mp4v``), the video's frame rate, the longest side at most ``max_side``;
- ``skeleton.pkl``: the PYSKL annotation pickle ``{'split': {'upload': [frame_dir]},
  'annotations': [sample]}`` with ``label`` = the predicted class (edit it for training);
- ``predictions.json``: :meth:`VideoAnalyser.__call__`'s return value.
"""
from __future__ import annotations

import json
import math
import pickle
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from pyskl_lite.apis.extraction import MediaPipePose, extract_skeleton
from pyskl_lite.apis.inference import (
    inference_recognizer,
    per_frame_scores,
    sliding_window_scores,
)
from pyskl_lite.utils import InputError
from pyskl_lite.visualization import (
    VideoReader,
    VideoWriter,
    align_frames,
    output_shape,
    render_overlay,
    top_classes,
)
from pyskl_lite.visualization.overlay import class_name

#: Files of a finished job, by the name the API serves them under.
RESULT_FILES = {'annotated.webm': 'video/webm', 'skeleton.pkl': 'application/octet-stream',
                'predictions.json': 'application/json'}
#: ``progress(stage, fraction)`` callback of :meth:`VideoAnalyser.__call__`.
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Limits:
    """What an upload may be. Defaults: 100 MiB, 60 s, 3600 frames, 4096 pixels a side."""

    max_bytes: int = 100 * 2 ** 20
    max_seconds: float = 60.0
    max_frames: int = 3600
    max_side: int = 4096


@dataclass(frozen=True)
class VideoInfo:
    """A probed video: ``frames`` (count), ``fps``, ``height`` and ``width`` in pixels."""

    frames: int
    fps: float
    height: int
    width: int

    @property
    def seconds(self) -> float:
        return self.frames / self.fps


def safe_name(name: str, default: str = 'upload') -> str:
    """A display / download name from a client's file name: the last path component's stem,
    characters other than letters, digits, ``-``, ``_`` and ``.`` replaced by ``_``, at most 64
    characters. Never used as a path."""
    stem = re.split(r'[\\/]', name or '')[-1].rsplit('.', 1)[0]
    cleaned = re.sub(r'[^A-Za-z0-9_.-]', '_', stem).strip('._')[:64]
    return cleaned or default


def probe_video(path: Path, name: str, limits: Limits) -> VideoInfo:
    """Open ``path`` and check it against ``limits``.

    Raises:
        InputError: ``<name>: field 'video': <why>`` for an empty or undecodable file, or a
            video over a limit (the message says which and the limit).
    """
    if path.stat().st_size == 0:
        raise InputError.at(name, 'the file is empty (0 bytes); upload a video file',
                            field='video')
    try:
        reader = VideoReader(path)
    except InputError:
        raise InputError.at(name, 'not a video that can be decoded; upload an MP4, WebM, AVI, '
                            'MOV or MKV file', field='video') from None
    info = VideoInfo(reader.num_frames, reader.fps, *reader.frame_shape)
    if info.seconds > limits.max_seconds:
        raise InputError.at(name, f'the video is {info.seconds:.1f} s long; the limit is '
                            f'{limits.max_seconds:g} s: upload a shorter clip', field='video')
    if info.frames > limits.max_frames:
        raise InputError.at(name, f'the video has {info.frames} frames; the limit is '
                            f'{limits.max_frames}: upload a shorter clip', field='video')
    if max(info.height, info.width) > limits.max_side:
        raise InputError.at(name, f'the frames are {info.width}x{info.height}; the limit is '
                            f'{limits.max_side} pixels a side: downscale the video',
                            field='video')
    return info


class VideoAnalyser:
    """Skeleton, actions over time and annotated video of one video (module doc).

    Args:
        model: a recognizer from :func:`~pyskl_lite.apis.init_recognizer` whose config's
            ``joint_layout`` is ``'coco'`` (default) or ``'mediapipe'``.
        classes: class names; default the model's ``dataset_meta['classes']``, else
            ``class <i>``. Kept as ``classes``, one per output of the model's head.
        window: skeleton frames per window. Default 32.
        stride: window step in skeleton frames. Default 8.
        frame_stride: pose on every k-th video frame. Default 1.
        max_persons: people tracked. Default 1.
        max_side: longest side of the annotated video in pixels. Default 960.
        estimator_factory: builds the pose estimator of one video (``num_persons=``); default
            :class:`~pyskl_lite.apis.extraction.MediaPipePose`.

    Raises:
        InputError: when the model expects another skeleton than MediaPipe gives.
    """

    def __init__(self, model: torch.nn.Module, classes: Sequence[str] | None = None,
                 window: int = 32, stride: int = 8, frame_stride: int = 1, max_persons: int = 1,
                 max_side: int = 960,
                 estimator_factory: Callable[..., Any] = MediaPipePose) -> None:
        self.model = model
        self.layout = model.cfg.get('joint_layout', 'coco')
        if self.layout not in ('coco', 'mediapipe'):
            raise InputError.at(model.cfg.filename or '<config>', f'the model expects '
                                f"{self.layout!r} skeletons; MediaPipe gives 2D 'coco' or "
                                "'mediapipe' ones", field='joint_layout')
        names = classes or model.dataset_meta.get('classes')
        self.classes = [class_name(i, names) for i in range(model.cls_head.num_classes)]
        self.window, self.stride, self.frame_stride = window, stride, frame_stride
        self.max_persons, self.max_side = max_persons, max_side
        self.estimator_factory = estimator_factory

    def __call__(self, video: Path, out_dir: Path, name: str, progress: Progress
                 ) -> dict[str, Any]:
        """Analyse ``video`` (display name ``name``) into ``out_dir``; ``progress`` is called
        with ``('extract' | 'recognise' | 'render', fraction done)``.

        Returns:
            The predictions: ``video`` (``name``, ``frames``, ``fps``, ``width``,
            ``height``, ``seconds``), ``classes``, ``top5`` (``[{index, name, score}]``, the
            whole video), ``windows`` (``size`` and ``stride`` in skeleton frames,
            ``frame_stride``, and per window ``start`` / ``end`` video frame, ``start_s`` /
            ``end_s`` seconds and ``scores``, one per class), ``persons`` and
            ``frames_with_person``.

        Raises:
            InputError: when no person is found in any frame.
        """
        reader = VideoReader(video)
        sample, detected = self._extract(video, name, reader, progress)
        progress('recognise', 0.0)
        video_scores = inference_recognizer(self.model, sample).pred_score.numpy()
        starts, window_scores = sliding_window_scores(self.model, sample, self.window,
                                                      self.stride)
        progress('recognise', 1.0)
        top5 = top_classes(video_scores, self.classes)
        with open(out_dir / 'skeleton.pkl', 'wb') as file:
            pickle.dump({'split': {'upload': [sample['frame_dir']]},
                         'annotations': [dict(sample, label=top5[0][0])]}, file, protocol=4)
        predictions = self._predictions(reader, name, sample, detected, top5, starts,
                                        window_scores)
        (out_dir / 'predictions.json').write_text(json.dumps(predictions))
        frame_scores = per_frame_scores(starts, window_scores, self.window,
                                        sample['keypoint'].shape[1])
        self._render(reader, sample, frame_scores, out_dir / 'annotated.webm', progress)
        return predictions

    def _extract(self, video: Path, name: str, reader: VideoReader, progress: Progress
                 ) -> tuple[dict[str, Any], int]:
        """The unlabelled sample and the number of frames with a person."""
        total = max(math.ceil(reader.num_frames / self.frame_stride), 1)
        done = 0

        def on_frame() -> None:
            nonlocal done
            done += 1
            progress('extract', min(done / total, 1.0))

        estimator = self.estimator_factory(num_persons=self.max_persons)
        try:
            record = extract_skeleton(video, estimator, frame_stride=self.frame_stride,
                                      joint_layout=self.layout, frame_dir=safe_name(name),
                                      on_frame=on_frame)
        finally:
            if hasattr(estimator, 'close'):
                estimator.close()
        if record.annotation is None:
            raise InputError.at(name, f'no person found in any of its {record.sampled} '
                                'frames; upload a video with a person in full view',
                                field='video')
        sample = record.annotation
        del sample['label']
        return sample, record.detected

    def _predictions(self, reader: VideoReader, name: str, sample: dict[str, Any],
                     detected: int, top5: list[tuple[int, str, float]], starts: np.ndarray,
                     window_scores: np.ndarray) -> dict[str, Any]:
        num_skeleton = sample['keypoint'].shape[1]
        step = self.frame_stride
        info = VideoInfo(reader.num_frames, reader.fps, *reader.frame_shape)
        windows = []
        for start, scores in zip(starts.tolist(), window_scores.tolist(), strict=True):
            end = min(min(start + self.window, num_skeleton) * step, info.frames) - 1
            windows.append(dict(start=start * step, end=end, start_s=start * step / info.fps,
                                end_s=(end + 1) / info.fps, scores=scores))
        return dict(
            video=dict(name=name, **asdict(info), seconds=info.seconds),
            classes=self.classes, persons=int(sample['keypoint'].shape[0]),
            frames_with_person=int(detected),
            top5=[dict(index=i, name=n, score=s) for i, n, s in top5],
            windows=dict(size=self.window, stride=self.stride, frame_stride=step,
                         items=windows))

    def _render(self, reader: VideoReader, sample: dict[str, Any], frame_scores: np.ndarray,
                out: Path, progress: Progress) -> None:
        alignment = align_frames(sample['keypoint'].shape[1], reader.num_frames,
                                 self.frame_stride)
        frames = render_overlay(sample, reader.frames(stop=alignment.num_output),
                                output_shape(sample, reader.frame_shape, self.max_side),
                                alignment, frame_scores[alignment.skeleton_index], self.classes)
        with VideoWriter(out, reader.fps) as writer:
            for frame in frames:
                writer.write(frame)
                progress('render', writer.count / alignment.num_output)
