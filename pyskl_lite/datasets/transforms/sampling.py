"""Frame sampling: which frames of a skeleton sequence form the clip(s), and decoding them."""
from __future__ import annotations

from typing import Any

import numpy as np
from mmcv.transforms import BaseTransform

from pyskl_lite.registry import TRANSFORMS

from .utils import RandomTransform, input_error, require_keypoint, valid_joints


@TRANSFORMS.register_module()
class UniformSampleFrames(RandomTransform):
    """Sample ``num_clips`` clips of ``clip_len`` frames spread uniformly over the sequence.

    The (optionally cropped, see ``p_interval``) sequence of ``n`` frames is cut into
    ``clip_len`` segments of equal length and one frame is drawn from each, as PoseConv3D and
    PYSKL do:

    - ``n < clip_len``: with ``short_clips='interpolate'`` (default) ``clip_len`` evenly
      spaced fractional positions from the first to the last frame, which ``PoseDecode``
      interpolates linearly: the action is slowed down, not repeated. ``'loop'`` is PYSKL's
      behaviour: ``clip_len`` consecutive frames from a start frame, looping around the end
      (train: random start; test: start ``i * n // num_clips`` for clip ``i``, or ``i`` when
      ``n < num_clips``); the jump from the last frame back to the first then appears as a
      spurious motion in the clip (UTKinect's push and throw last 9-12 frames: a 48-frame
      clip held 4-5 such jumps);
    - ``clip_len <= n < 2 * clip_len``: every frame once, plus ``n - clip_len`` frames skipped
      at random places, so the clip keeps the temporal order;
    - ``n >= 2 * clip_len``: one random frame in each of the ``clip_len`` segments.

    Train mode draws from the global numpy generator (or the transform's own one, see
    ``RandomTransform``). Test mode is deterministic per video: every call builds a *local*
    ``np.random.RandomState(seed)`` and draws in PYSKL's order, so a video always gets
    PYSKL's test clips; numpy's global generator is neither reseeded nor advanced.

    Reads: ``total_frames`` (T), ``start_index`` (default 0), ``keypoint`` ``(M, T, V, C)``
    (optional, checked against T), ``test_mode`` (when the ``test_mode`` argument is None).
    Writes: ``frame_inds`` ``(num_clips * clip_len,)``: int64, or float64 positions when a
    short sequence is interpolated; ``clip_len``, ``num_clips``, ``frame_interval`` (None).

    Args:
        clip_len: frames per clip.
        num_clips: clips per sample (multi-clip testing). Default 1.
        p_interval: fraction of the sequence a clip is sampled from: a float, or a
            ``(low, high)`` range drawn per clip; the sub-sequence starts at a random frame.
            Short clips loop within that sub-sequence. Default 1 (whole sequence).
        seed: seed of the local test-mode generator. Default 255 (PYSKL's).
        test_mode: force train (False) or test (True) sampling; None reads
            ``results['test_mode']``.
        train_seed: seed for train-mode draws (see ``RandomTransform``); None uses the
            global generator.
        short_clips: ``'interpolate'`` (default) or ``'loop'``, for sequences shorter than
            ``clip_len`` (see above).
    """

    def __init__(self, clip_len: int, num_clips: int = 1,
                 p_interval: float | tuple[float, float] = 1.0, seed: int = 255,
                 test_mode: bool | None = None, train_seed: int | None = None,
                 short_clips: str = 'interpolate') -> None:
        super().__init__(train_seed)
        if short_clips not in ('interpolate', 'loop'):
            raise ValueError(f"short_clips must be 'interpolate' or 'loop', got {short_clips!r}")
        self.short_clips = short_clips
        if clip_len < 1 or num_clips < 1:
            raise ValueError(f'clip_len and num_clips must be >= 1, got {clip_len}, {num_clips}')
        low, high = ((p_interval, p_interval) if np.isscalar(p_interval)
                     else tuple(p_interval))
        if not 0 < low <= high <= 1:
            raise ValueError(f'p_interval must lie in (0, 1] with low <= high, got {p_interval}')
        self.clip_len = clip_len
        self.num_clips = num_clips
        self.p_interval = (float(low), float(high))
        self.test_seed = seed
        self.test_mode = test_mode

    def _clip(self, num_frames: int, clip_index: int, rng: np.random.RandomState,
              test: bool) -> np.ndarray:
        """Frame indices ``(clip_len,)`` of one clip in ``[0, num_frames)``."""
        clip_len = self.clip_len
        low, high = self.p_interval
        length = max(1, int((rng.rand() * (high - low) + low) * num_frames))
        offset = rng.randint(num_frames - length + 1)
        if length < clip_len and self.short_clips == 'interpolate':
            return offset + np.linspace(0, length - 1, clip_len)
        if length < clip_len:
            if test:
                start = clip_index if length < self.num_clips else \
                    clip_index * length // self.num_clips
            else:
                start = rng.randint(0, length)
            inds = np.arange(start, start + clip_len) % length
        elif length < 2 * clip_len:
            skipped = rng.choice(clip_len + 1, length - clip_len, replace=False)
            shift = np.zeros(clip_len + 1, dtype=np.int64)
            shift[skipped] = 1
            inds = np.arange(clip_len) + np.cumsum(shift)[:-1]
        else:
            bounds = np.arange(clip_len + 1) * length // clip_len
            inds = bounds[:-1] + rng.randint(np.diff(bounds))
        return inds + offset

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        num_frames = int(results['total_frames'])
        if num_frames < 1:
            raise input_error(results, 'UniformSampleFrames', 'needs at least one frame',
                              'total_frames')
        if 'keypoint' in results and np.shape(results['keypoint'])[1] != num_frames:
            raise input_error(results, 'UniformSampleFrames', f'{num_frames} does not match '
                              f'keypoint T = {np.shape(results["keypoint"])[1]}',
                              'total_frames')
        test = bool(results.get('test_mode', False)) if self.test_mode is None \
            else self.test_mode
        rng = np.random.RandomState(self.test_seed) if test else self.rng
        inds = np.concatenate([self._clip(num_frames, i, rng, test)
                               for i in range(self.num_clips)])
        if np.array_equal(inds, np.round(inds)):
            inds = inds.astype(np.int64)
        results['frame_inds'] = inds + int(results.get('start_index', 0))
        results['clip_len'] = self.clip_len
        results['num_clips'] = self.num_clips
        results['frame_interval'] = None
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(clip_len={self.clip_len}, num_clips={self.num_clips}, '
                f'p_interval={self.p_interval}, seed={self.test_seed}, '
                f'test_mode={self.test_mode}, short_clips={self.short_clips!r})')


@TRANSFORMS.register_module()
class PoseDecode(BaseTransform):
    """Gather the sampled frames of ``keypoint`` and ``keypoint_score`` as float32.

    Fractional ``frame_inds`` (``UniformSampleFrames`` on a short sequence) are interpolated
    linearly between the two neighbouring frames; where one of them misses a joint, that joint
    takes the nearer frame's value, so it never blends towards 0.

    Reads: ``keypoint`` ``(M, T, V, C)`` (float16 or float32), ``keypoint_score`` ``(M, T, V)``
    (optional), ``frame_inds`` ``(N,)`` int or float (optional: all T frames), ``offset``
    (optional, added to ``frame_inds``; ``start_index`` is already in them).
    Writes: ``keypoint`` float32 ``(M, N, V, C)``, ``keypoint_score`` float32 ``(M, N, V)``,
    ``num_person`` (M, unless already set), ``frame_inds``.
    """

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        keypoint = require_keypoint(results, 'PoseDecode', coords=None)
        inds = results.get('frame_inds')
        if inds is None:
            inds = np.arange(keypoint.shape[1])
        inds = np.asarray(inds).reshape(-1)
        if not np.issubdtype(inds.dtype, np.integer):
            inds = inds.astype(np.float64)
        results['frame_inds'] = inds
        inds = inds + int(results.get('offset', 0)) - int(results.get('start_index', 0))
        if inds.size and (inds.min() < 0 or inds.max() > keypoint.shape[1] - 1):
            raise input_error(results, 'PoseDecode', f'frame indices [{inds.min()}, '
                              f'{inds.max()}] outside the {keypoint.shape[1]} frames',
                              'frame_inds')
        results.setdefault('num_person', int(keypoint.shape[0]))
        score = results.get('keypoint_score')
        if np.issubdtype(inds.dtype, np.integer):
            results['keypoint'] = keypoint[:, inds].astype(np.float32)
            if score is not None:
                results['keypoint_score'] = np.asarray(score)[:, inds].astype(np.float32)
            return results
        below = np.floor(inds).astype(np.int64)
        above = np.minimum(below + 1, keypoint.shape[1] - 1)
        weight = (inds - below).astype(np.float32)[None, :, None]
        first, second = (keypoint[:, frames].astype(np.float32) for frames in (below, above))
        valid_first, valid_second = valid_joints(first), valid_joints(second)
        weight = np.where(valid_first & valid_second, weight, np.round(weight))
        results['keypoint'] = first + weight[..., None] * (second - first)
        if score is not None:
            score = np.asarray(score, dtype=np.float32)
            results['keypoint_score'] = score[:, below] + weight * (score[:, above] -
                                                                     score[:, below])
        return results
