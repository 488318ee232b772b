"""Read video frames (decord, OpenCV fallback) and write MP4 / AVI / GIF files.

Frames are RGB ``uint8`` arrays ``(H, W, 3)`` everywhere in pyskl_lite; the writers convert to
what each container needs. decord 0.6 works with numpy 2 (it hands frames over as numpy
arrays); when ``import decord`` fails, :class:`VideoReader` falls back to
``cv2.VideoCapture``, whose frame count is the container's estimate until the video has been
decoded once.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from types import TracebackType

import cv2
import numpy as np

from pyskl_lite.utils import InputError
from pyskl_lite.utils.progress import Progress

#: ``cv2.VideoWriter`` codes by file suffix. OpenCV's wheels have no H.264 encoder and browsers
#: do not play ``mp4v``: write ``.webm`` (VP8) for a video a web page shows.
FOURCC = {'.mp4': 'mp4v', '.avi': 'MJPG', '.webm': 'VP80'}
VIDEO_SUFFIXES = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg', '.mpeg', '.wmv')
#: Frames decoded per decord call.
CHUNK = 16

try:
    import decord
except ImportError:  # pragma: no cover - decord is an install requirement
    decord = None


class VideoReader:
    """Sequential access to the frames of one video file.

    Args:
        path: the video.
        backend: ``'decord'`` (default when importable) or ``'opencv'``.

    Attributes:
        num_frames: frame count ``T`` (decord: exact; OpenCV: container estimate).
        fps: frames per second (30 when the file does not say).
        frame_shape: ``(H, W)`` of the decoded frames.

    Raises:
        InputError: ``<path>: field 'video': cannot read video (...)`` for a missing, empty or
            undecodable file.
    """

    def __init__(self, path: str | os.PathLike, backend: str | None = None) -> None:
        self.path = os.fspath(path)
        self.backend = backend or ('decord' if decord is not None else 'opencv')
        if not os.path.isfile(self.path):
            raise self._error('file not found')
        if self.backend == 'decord':
            try:
                self._reader = decord.VideoReader(self.path, num_threads=1)
                self.num_frames = len(self._reader)
                first = self._reader[0].asnumpy() if self.num_frames else None
                self.fps = float(self._reader.get_avg_fps() or 30.0)
                self._reader.seek(0)
            except (decord.DECORDError, RuntimeError, IndexError) as err:
                raise self._error(f'decord: {_short(err)}') from None
        elif self.backend == 'opencv':
            capture = cv2.VideoCapture(self.path)
            ok, frame = capture.read() if capture.isOpened() else (False, None)
            self.num_frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if ok else 0
            self.fps = float(capture.get(cv2.CAP_PROP_FPS) or 30.0)
            capture.release()
            first = frame[..., ::-1] if ok else None
        else:
            raise ValueError(f"backend must be 'decord' or 'opencv', got {backend!r}")
        if first is None or self.num_frames <= 0:
            raise self._error('no decodable frame')
        self.frame_shape: tuple[int, int] = (int(first.shape[0]), int(first.shape[1]))

    def _error(self, message: str) -> InputError:
        return InputError.at(self.path, f'cannot read video ({message})', field='video')

    def __len__(self) -> int:
        return self.num_frames

    def frames(self, stop: int | None = None, step: int = 1) -> Iterator[np.ndarray]:
        """Yield RGB frames ``0, step, 2 step, ...`` below ``stop`` (default: all).

        Raises:
            InputError: when decoding fails midway (the message names the frame).
        """
        stop = self.num_frames if stop is None else min(stop, self.num_frames)
        if self.backend == 'decord':
            yield from self._decord_frames(stop, step)
        else:
            yield from self._opencv_frames(stop, step)

    def _decord_frames(self, stop: int, step: int) -> Iterator[np.ndarray]:
        indices = np.arange(0, stop, step)
        for begin in range(0, len(indices), CHUNK):
            chunk = indices[begin:begin + CHUNK]
            try:
                batch = self._reader.get_batch(chunk.tolist()).asnumpy()
            except (decord.DECORDError, RuntimeError) as err:
                raise self._error(f'decoding frame {int(chunk[0])} failed: {_short(err)}'
                                  ) from None
            yield from batch

    def _opencv_frames(self, stop: int, step: int) -> Iterator[np.ndarray]:
        capture = cv2.VideoCapture(self.path)
        try:
            for index in range(stop):
                if index % step:
                    if not capture.grab():
                        return
                    continue
                ok, frame = capture.read()
                if not ok:
                    return
                yield np.ascontiguousarray(frame[..., ::-1])
        finally:
            capture.release()


def _short(err: Exception) -> str:
    """decord's message without its ``[hh:mm:ss] source.cc:line:`` prefixes, one line."""
    text = re.sub(r'\[\d\d:\d\d:\d\d\] \S+:\d+: ', '', ' '.join(str(err).split()))
    return text[:160]


class VideoWriter:
    """Write RGB frames to ``.mp4`` (``mp4v``), ``.avi`` (MJPG), ``.webm`` (VP8) or ``.gif``
    (Pillow).

    GIF frames are kept in memory (downscaled to ``gif_max_side``) and written on close.
    Use as a context manager; ``count`` is the number of frames written.

    Args:
        path: output file; its suffix picks the format. Parent folders are created.
        fps: frames per second.
        gif_max_side: longest side of GIF frames in pixels. Default 480.

    Raises:
        InputError: for an unknown suffix or when OpenCV cannot open the file for writing.
    """

    def __init__(self, path: str | os.PathLike, fps: float, gif_max_side: int = 480) -> None:
        self.path = os.fspath(path)
        self.fps = float(fps)
        self.suffix = os.path.splitext(self.path)[1].lower()
        if self.suffix not in FOURCC and self.suffix != '.gif':
            raise InputError.at(self.path, f'unknown output format {self.suffix!r}; use '
                                f'{", ".join(sorted(FOURCC))} or .gif', field='out')
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        self.gif_max_side = gif_max_side
        self.count = 0
        self._writer: cv2.VideoWriter | None = None
        self._gif_frames: list = []

    def write(self, frame: np.ndarray) -> None:
        """Append one RGB ``uint8`` frame ``(H, W, 3)``; all frames must have one size."""
        if self.suffix == '.gif':
            self._gif_frames.append(_gif_frame(frame, self.gif_max_side))
        else:
            if self._writer is None:
                height, width = frame.shape[:2]
                self._writer = cv2.VideoWriter(
                    self.path, cv2.VideoWriter_fourcc(*FOURCC[self.suffix]), self.fps,
                    (width, height))
                if not self._writer.isOpened():
                    raise InputError.at(self.path, 'OpenCV cannot write this file (codec '
                                        f'{FOURCC[self.suffix]!r} unavailable?)', field='out')
            self._writer.write(np.ascontiguousarray(frame[..., ::-1]))
        self.count += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if self._gif_frames:
            first, *rest = self._gif_frames
            first.save(self.path, save_all=True, append_images=rest, loop=0,
                       duration=max(int(round(1000 / self.fps)), 20))
            self._gif_frames = []

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def write_video(frames: Iterable[np.ndarray], out: str | os.PathLike, fps: float,
                gif: bool = False, total: int | None = None) -> list[tuple[str, int]]:
    """Write RGB ``frames`` to ``out`` and, with ``gif``, to ``<out stem>.gif`` as well, with a
    progress bar when ``total`` is at least 64 frames.

    Returns:
        ``(path, frames written)`` of each file, ``out`` first.
    """
    out = os.fspath(out)
    writers = [VideoWriter(out, fps)]
    if gif and not out.lower().endswith('.gif'):
        writers.append(VideoWriter(os.path.splitext(out)[0] + '.gif', fps))
    bar = Progress(total, f'writing {os.path.basename(out)}', unit='frame', leave=False) \
        if total is not None and total >= 64 else None
    try:
        for frame in frames:
            for writer in writers:
                writer.write(frame)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        for writer in writers:
            writer.close()
    return [(writer.path, writer.count) for writer in writers]


def _gif_frame(frame: np.ndarray, max_side: int):
    """A palette image for GIF, the longest side at most ``max_side``."""
    from PIL import Image

    height, width = frame.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    if scale < 1.0:
        frame = cv2.resize(frame, (max(1, round(width * scale)), max(1, round(height * scale))),
                           interpolation=cv2.INTER_AREA)
    return Image.fromarray(frame).quantize(colors=128, method=Image.Quantize.FASTOCTREE)


def find_video(video_dir: str | os.PathLike, frame_dir: str) -> str:
    """The video in ``video_dir`` (searched recursively) whose name is ``frame_dir``.

    ``frame_dir`` may also be the name with an ``_rgb`` suffix, as NTU RGB+D videos are named
    (``S001C001P001R001A001_rgb.avi`` for sample ``S001C001P001R001A001``).

    Raises:
        InputError: when no video or more than one matches.
    """
    root = os.fspath(video_dir)
    if not os.path.isdir(root):
        raise InputError.at(root, 'video folder not found', field='video_dir')
    stems = {frame_dir, f'{frame_dir}_rgb', os.path.basename(frame_dir)}
    matches = []
    for folder, _, names in os.walk(root):
        for name in names:
            stem, suffix = os.path.splitext(name)
            if suffix.lower() in VIDEO_SUFFIXES and stem in stems:
                matches.append(os.path.join(folder, name))
    if len(matches) != 1:
        what = 'no video' if not matches else f'{len(matches)} videos ({", ".join(matches[:3])})'
        raise InputError.at(root, f'{what} named {frame_dir!r} (+ a video suffix)',
                            sample=frame_dir, field='video_dir')
    return matches[0]
