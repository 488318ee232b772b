"""Skeletons from your own videos: MediaPipe Pose -> PYSKL annotation dicts.

MediaPipe (``pip install 'pyskl_lite[pose]'``, ``mediapipe==0.10.14``) is imported only when an
estimator is built. Only the BlazePose *full* landmark model (``model_complexity=1``) ships in
that wheel; the lite and heavy models would be downloaded at run time, so they are not offered.

Persons: the solutions API's Pose finds one person and tracks it across frames. The
multi-person ``PoseLandmarker`` of MediaPipe's tasks API needs a ``.task`` model file that is
not in the wheel, so it is not used. For ``num_persons = M > 1`` :class:`MediaPipePose` runs
``M`` trackers, each on the frame with the other trackers' people painted over (grey boxes
around their landmarks): tracker ``m`` follows "its" person, and a person that leaves frees
the tracker for the next one. Each tracker costs one pose inference per frame. Person ``m`` of
the sample is tracker ``m``; trackers that never found anyone are dropped (``M`` is at most
``num_persons``). The default is one person.

Coordinates are pixels of the decoded frame (``img_shape = original_shape = (H, W)``), scores
are MediaPipe's per-landmark ``visibility``; frames without a detection hold zeros with
score 0 (PYSKL's missing joints). With a frame stride ``k`` the sample holds video frames
``0, k, 2k, ...`` and records ``frame_stride = k``.
"""
from __future__ import annotations

import multiprocessing
import os
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pyskl_lite.utils import InputError
from pyskl_lite.visualization.video_io import VideoReader

from .dataset_builder import LabelledInput, map_to_coco17

POSE_EXTRA_HINT = "install the pose extra: pip install 'pyskl_lite[pose]' (mediapipe==0.10.14)"
NUM_LANDMARKS = 33


def mediapipe_available() -> bool:
    """Whether ``mediapipe`` can be imported."""
    try:
        import mediapipe  # noqa: F401
    except ImportError:
        return False
    return True


class MediaPipePose:
    """MediaPipe Pose (BlazePose full, 33 landmarks) on RGB frames, up to ``num_persons``.

    Args:
        num_persons: people tracked at once (module doc). Default 1.
        min_detection_confidence: person detector threshold. Default 0.5.
        min_tracking_confidence: below this a person is re-detected. Default 0.5.
        static_image_mode: detect on every frame instead of tracking (slower; use for
            unrelated images). Default False.
        smooth_landmarks: MediaPipe's temporal filter (tracking mode only). Default True.
        mask_padding: the grey box around another tracker's person extends its landmarks'
            box by this fraction of its size (plus 16 pixels) on each side. Default 0.15.

    Raises:
        ImportError: with the install hint when mediapipe is missing.
    """

    def __init__(self, num_persons: int = 1, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, static_image_mode: bool = False,
                 smooth_landmarks: bool = True, mask_padding: float = 0.15) -> None:
        if num_persons < 1:
            raise ValueError(f'num_persons must be >= 1, got {num_persons}')
        # Quieten MediaPipe's C++ log (TFLite / feedback-manager notices on every graph).
        os.environ.setdefault('GLOG_minloglevel', '2')
        warnings.filterwarnings('ignore', message='SymbolDatabase.GetPrototype',
                                category=UserWarning)
        try:
            from mediapipe.python.solutions import pose
        except ImportError as err:
            raise ImportError(f'MediaPipe Pose is unavailable ({err}); {POSE_EXTRA_HINT}'
                              ) from None
        self._trackers = [
            pose.Pose(static_image_mode=static_image_mode, model_complexity=1,
                      smooth_landmarks=smooth_landmarks,
                      min_detection_confidence=min_detection_confidence,
                      min_tracking_confidence=min_tracking_confidence)
            for _ in range(num_persons)]
        self.mask_padding = mask_padding
        self._boxes: list[tuple[int, int, int, int] | None] = [None] * num_persons

    def __call__(self, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Landmarks of the people in an RGB ``uint8`` frame ``(H, W, 3)``.

        Returns:
            ``(keypoint (num_persons, 33, 2) float32 pixels, score (num_persons, 33) float32
            visibility)`` with zeros for trackers without a person, or None when nobody was
            found.
        """
        height, width = frame.shape[:2]
        keypoint = np.zeros((len(self._trackers), NUM_LANDMARKS, 2), np.float32)
        score = np.zeros((len(self._trackers), NUM_LANDMARKS), np.float32)
        for index, tracker in enumerate(self._trackers):
            image = self._masked(frame, index)
            found = tracker.process(image).pose_landmarks
            if found is None:
                self._boxes[index] = None
                continue
            values = np.array([(p.x, p.y, p.visibility) for p in found.landmark], np.float32)
            keypoint[index] = values[:, :2] * np.array([width, height], dtype=np.float32)
            score[index] = values[:, 2]
            self._boxes[index] = self._box(keypoint[index], frame.shape)
        return (keypoint, score) if score.any() else None

    def _masked(self, frame: np.ndarray, index: int) -> np.ndarray:
        """``frame`` with the other trackers' people (latest boxes) painted grey."""
        others = [box for other, box in enumerate(self._boxes) if other != index and box]
        if not others:
            return np.ascontiguousarray(frame)
        image = np.array(frame, copy=True)
        for left, top, right, bottom in others:
            image[top:bottom, left:right] = 127
        return image

    def _box(self, keypoint: np.ndarray, shape: tuple[int, ...]
             ) -> tuple[int, int, int, int] | None:
        """Padded box ``(left, top, right, bottom)`` around landmarks inside the frame."""
        height, width = shape[:2]
        inside = (keypoint[:, 0] >= 0) & (keypoint[:, 0] < width) & \
            (keypoint[:, 1] >= 0) & (keypoint[:, 1] < height)
        if len(self._trackers) == 1 or inside.sum() < 3:
            return None
        low, high = keypoint[inside].min(axis=0), keypoint[inside].max(axis=0)
        pad = (high - low) * self.mask_padding + 16
        low, high = np.maximum(low - pad, 0), np.minimum(high + pad, (width, height))
        return int(low[0]), int(low[1]), int(high[0]), int(high[1])

    def close(self) -> None:
        for tracker in self._trackers:
            tracker.close()

    def reset(self) -> None:
        """Forget the tracked people (call between videos)."""
        for tracker in self._trackers:
            tracker.reset()
        self._boxes = [None] * len(self._trackers)


@dataclass
class ExtractionRecord:
    """The log line of one video.

    Attributes:
        status: ``'ok'``, ``'skipped'`` (too few detections) or ``'failed'`` (error).
        video_frames: frames in the video; ``sampled``: frames the estimator ran on;
        detected: sampled frames with a person; ``seconds``: wall time.
    """

    path: str
    frame_dir: str
    status: str = 'ok'
    video_frames: int = 0
    sampled: int = 0
    detected: int = 0
    seconds: float = 0.0
    message: str = ''
    annotation: dict[str, Any] | None = field(default=None, repr=False)

    def line(self) -> str:
        rate = f'{self.sampled / self.seconds:.1f} fps' if self.seconds > 0 else '-'
        counts = (f'{self.video_frames} frames, pose on {self.sampled}, person in '
                  f'{self.detected}' if self.sampled else '')
        text = '; '.join(t for t in (counts, rate if self.sampled else '', self.message) if t)
        return f'{self.status:7s} {self.frame_dir}: {text}'


def extract_skeleton(video: str | os.PathLike, estimator: Callable[[np.ndarray], Any],
                     label: int = -1, frame_dir: str | None = None, frame_stride: int = 1,
                     joint_layout: str = 'coco', min_frames: int = 1,
                     on_frame: Callable[[], None] | None = None) -> ExtractionRecord:
    """Run ``estimator`` on every ``frame_stride``-th frame of ``video``.

    Args:
        video: the video file.
        estimator: frame -> ``(keypoint (33, 2) or (P, 33, 2), score (33,) or (P, 33))`` or
            None when nobody is found (:class:`MediaPipePose`).
        label: class index stored in the annotation (-1: unknown).
        frame_dir: sample id; default the file name without suffix.
        frame_stride: pose on frames ``0, k, 2k, ...``. Default 1.
        joint_layout: ``'coco'`` (COCO-17, default) or ``'mediapipe'`` (all 33 landmarks).
        min_frames: fewer frames with a person -> status ``'skipped'``, no annotation.
        on_frame: called after each processed frame (progress bars).

    Returns:
        The record; ``record.annotation`` is the PYSKL sample (``keypoint`` float32
        ``(M, T, V, 2)``, ``keypoint_score`` ``(M, T, V)``, ``img_shape``, ``original_shape``,
        ``total_frames = T = ceil(video frames / frame_stride)``, ``label``, ``frame_dir``,
        ``frame_stride``) when status is ``'ok'``.

    Raises:
        InputError: for an unreadable video.
    """
    if joint_layout not in ('coco', 'mediapipe'):
        raise ValueError(f"joint_layout must be 'coco' or 'mediapipe', got {joint_layout!r}")
    path = os.fspath(video)
    record = ExtractionRecord(path, frame_dir or os.path.splitext(os.path.basename(path))[0])
    start = time.perf_counter()
    reader = VideoReader(path)
    record.video_frames = reader.num_frames
    if hasattr(estimator, 'reset'):
        estimator.reset()
    found_frames = []
    for frame in reader.frames(step=frame_stride):
        found = estimator(frame)
        found_frames.append(None if found is None else (
            np.asarray(found[0], np.float32).reshape(-1, NUM_LANDMARKS, 2),
            np.asarray(found[1], np.float32).reshape(-1, NUM_LANDMARKS)))
        if on_frame is not None:
            on_frame()
    record.sampled = len(found_frames)
    record.detected = sum(found is not None for found in found_frames)
    record.seconds = time.perf_counter() - start
    if record.detected < min_frames:
        record.status = 'skipped'
        record.message = f'person in {record.detected} frames < --min-frames {min_frames}'
        return record
    num_person = max(found[0].shape[0] for found in found_frames if found is not None)
    keypoint = np.zeros((num_person, record.sampled, NUM_LANDMARKS, 2), np.float32)
    score = np.zeros((num_person, record.sampled, NUM_LANDMARKS), np.float32)
    for index, found in enumerate(found_frames):
        if found is not None:
            keypoint[:len(found[0]), index], score[:len(found[1]), index] = found
    # Trackers that never found anyone are dropped (at least one person stays).
    present = score.any(axis=(1, 2))
    present[0] |= not present.any()
    keypoint, score = keypoint[present], score[present]
    if len(keypoint) > 1:
        counts = (score.max(axis=2) > 0).sum(axis=1)
        record.message = 'frames per person: ' + ', '.join(map(str, counts))
    if joint_layout == 'coco':
        keypoint, score = map_to_coco17(keypoint, score, 'mediapipe')
    record.annotation = dict(
        frame_dir=record.frame_dir, label=int(label), total_frames=record.sampled,
        img_shape=reader.frame_shape, original_shape=reader.frame_shape,
        keypoint=np.ascontiguousarray(keypoint, dtype=np.float32),
        keypoint_score=np.ascontiguousarray(score, dtype=np.float32),
        frame_stride=int(frame_stride))
    return record


_WORKER_ESTIMATOR: Any = None


def _init_worker(factory: Callable[..., Any], estimator_kwargs: dict[str, Any]) -> None:
    global _WORKER_ESTIMATOR
    _WORKER_ESTIMATOR = factory(**estimator_kwargs)


def _run_job(job: tuple[LabelledInput, dict[str, Any]]) -> ExtractionRecord:
    """One video in a worker; any error becomes a ``'failed'`` record, never a crash."""
    item, options = job
    try:
        return extract_skeleton(item.path, _WORKER_ESTIMATOR, item.label, item.frame_dir,
                                **options)
    except InputError as err:
        return ExtractionRecord(item.path, item.frame_dir, 'failed', message=str(err))
    except Exception as err:  # noqa: BLE001 - a bad video must not stop the other videos
        where = traceback.extract_tb(err.__traceback__)[-1]
        return ExtractionRecord(
            item.path, item.frame_dir, 'failed',
            message=f'{type(err).__name__}: {err} ({os.path.basename(where.filename)}:'
                    f'{where.lineno})')


def extract_many(items: Iterable[LabelledInput], workers: int = 1,
                 estimator_kwargs: dict[str, Any] | None = None,
                 estimator_factory: Callable[..., Any] = MediaPipePose,
                 **options: Any) -> Iterator[ExtractionRecord]:
    """Extract every input; yields one record per video as it finishes (in input order with
    one worker, completion order with several).

    Args:
        items: the videos with labels and ids.
        workers: processes, each with its own :class:`MediaPipePose` (spawned, so MediaPipe's
            threads are never forked). Default 1: in this process.
        estimator_kwargs: arguments of the estimator.
        estimator_factory: builds each process's estimator (a picklable callable for
            ``workers > 1``); default :class:`MediaPipePose`.
        **options: ``frame_stride``, ``joint_layout``, ``min_frames`` of
            :func:`extract_skeleton`.
    """
    jobs = [(item, options) for item in items]
    kwargs = dict(estimator_kwargs or {})
    if workers <= 1:
        _init_worker(estimator_factory, kwargs)
        try:
            yield from map(_run_job, jobs)
        finally:
            if hasattr(_WORKER_ESTIMATOR, 'close'):
                _WORKER_ESTIMATOR.close()
        return
    context = multiprocessing.get_context('spawn')
    with context.Pool(workers, initializer=_init_worker,
                      initargs=(estimator_factory, kwargs)) as pool:
        yield from pool.imap_unordered(_run_job, jobs)
