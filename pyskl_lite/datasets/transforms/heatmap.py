"""PoseConv3D pseudo-heatmap volumes, vectorised over persons, frames, joints and limbs."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from mmcv.transforms import BaseTransform

from pyskl_lite.registry import TRANSFORMS

from ..layouts import JointLayout, get_layout
from .utils import (
    check_indices,
    require_img_shape,
    require_keypoint,
    side_pairs,
    swap_permutation,
    valid_joints,
)

#: PoseConv3D draws no gaussian whose peak (score) is below this.
MIN_PEAK = 1e-3


@TRANSFORMS.register_module()
class GeneratePoseTarget(BaseTransform):
    """Render 2D keypoints as gaussian pseudo-heatmaps, one channel per joint and/or limb.

    The PoseConv3D definition, to the value: on an ``H x W`` canvas (``img_shape`` times
    ``scaling``, rounded) each joint of each person in each frame adds
    ``peak * exp(-d^2 / (2 sigma^2))``, ``d`` the distance from the pixel centre
    ``(x, y)`` (integer coordinates) to the joint, inside the window
    ``[max(int(mu - 3 sigma), 0), min(int(mu + 3 sigma) + 1, size))`` on each axis and zero
    outside it; ``peak`` is the joint's score (``use_score``) or 1, and peaks below
    :data:`MIN_PEAK` are skipped. A limb ``(a, b)`` uses the distance to the segment, the window
    around both end points and the smaller of the two peaks; a limb shorter than 1 pixel is
    drawn as joint ``a`` with ``a``'s peak. Persons (and overlapping windows) merge by maximum.
    Missing joints (all coordinates 0) have peak 0, so they and their limbs draw nothing (PoseConv3D
    relies on their score being 0; here they stay blank with ``use_score=False`` too).

    Instead of a Python loop over persons x frames x joints, all windows are laid out as one
    ragged batch of pixels (numpy), evaluated at once and scattered per person with a maximum.

    Reads: ``keypoint`` ``(M, T, V, 2)`` pixels of the canvas, ``keypoint_score`` ``(M, T, V)``
    (optional; 1 when absent), ``img_shape`` ``(h, w)``.
    Writes: ``imgs`` float32 ``(T, K, H, W)``, ``K`` = V joint channels (``with_kp``) followed by
    ``len(skeletons)`` limb channels (``with_limb``); with ``double`` ``(2 T, K, H, W)``: the
    mirrored copy (``W`` axis reversed, left/right channels swapped) appended along ``T``.
    (A transposed view of channel-major memory, so that ``FormatShape`` need not copy it.)

    Args:
        sigma: gaussian standard deviation in pixels. Default 0.6.
        use_score: scale each gaussian by the joint score. Default True.
        with_kp: joint channels. Default True.
        with_limb: limb channels. Default False. At least one of the two.
        skeletons: limbs as ``(a, b)`` joint pairs; default ``joint_layout``'s limbs (for COCO
            the PoseConv3D list).
        double: append the mirrored heatmaps (flip test). Default False.
        left_kp, right_kp: mirrored joint channels; default from ``joint_layout``.
        left_limb, right_limb: mirrored limb channels (indices into ``skeletons``); default
            ``joint_layout``'s ``left_limbs``/``right_limbs``.
        scaling: canvas and coordinate scale. Default 1.
        joint_layout: layout name or dict. Default ``'coco'``.
    """

    def __init__(self, sigma: float = 0.6, use_score: bool = True, with_kp: bool = True,
                 with_limb: bool = False,
                 skeletons: Sequence[Sequence[int]] | None = None, double: bool = False,
                 left_kp: Sequence[int] | None = None, right_kp: Sequence[int] | None = None,
                 left_limb: Sequence[int] | None = None,
                 right_limb: Sequence[int] | None = None, scaling: float = 1.0,
                 joint_layout: str | dict | JointLayout = 'coco') -> None:
        if not (with_kp or with_limb):
            raise ValueError('at least one of with_kp and with_limb must be True')
        if sigma <= 0 or scaling <= 0:
            raise ValueError(f'sigma and scaling must be positive, got {sigma}, {scaling}')
        layout = get_layout(joint_layout)
        own_limbs = skeletons is not None and \
            tuple(map(tuple, skeletons)) != tuple(map(tuple, layout.limbs))
        if own_limbs and double and with_limb and left_limb is None:
            raise ValueError('double=True with custom skeletons needs left_limb and right_limb')
        self.sigma = float(sigma)
        self.use_score = use_score
        self.with_kp = with_kp
        self.with_limb = with_limb
        self.skeletons = tuple((int(a), int(b)) for a, b in
                               (skeletons if skeletons is not None else layout.limbs))
        self.double = double
        self.left_kp, self.right_kp = side_pairs(layout, left_kp, right_kp)
        self.left_limb, self.right_limb = ((), ()) if own_limbs and left_limb is None else \
            side_pairs(layout, left_limb, right_limb, kind='limb')
        self.scaling = float(scaling)

    def _segments(self, coords: np.ndarray, peaks: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per channel and person: segment start and end ``(M, T, K, 2)`` and peak ``(M, T, K)``.

        A joint is the segment from itself to itself.
        """
        starts, ends, values = [], [], []
        if self.with_kp:
            starts.append(coords)
            ends.append(coords)
            values.append(peaks)
        if self.with_limb:
            first, second = (np.array(side) for side in zip(*self.skeletons, strict=True))
            start, end = coords[:, :, first], coords[:, :, second]
            start_peak = peaks[:, :, first]
            value = np.minimum(start_peak, peaks[:, :, second])
            short = ((start - end) ** 2).sum(-1) < 1
            starts.append(start)
            ends.append(np.where(short[..., None], start, end))
            values.append(np.where(value < MIN_PEAK, 0, np.where(short, start_peak, value)))
        return (np.concatenate(starts, axis=2), np.concatenate(ends, axis=2),
                np.concatenate(values, axis=2))

    def render(self, keypoint: np.ndarray, score: np.ndarray | None, img_h: int,
               img_w: int, copies: int = 1) -> np.ndarray:
        """Heatmaps of ``keypoint`` ``(M, T, V, 2)`` on an ``img_h x img_w`` canvas (before
        ``scaling``), as a channel-major buffer ``(K, copies * T, H, W)`` whose frames
        ``[0, T)`` are drawn and the rest zero (room for the mirrored copy).

        Channel-major memory makes ``FormatShape``'s ``(N, K, T, H, W)`` of one clip a view.
        """
        height, width = int(img_h * self.scaling + 0.5), int(img_w * self.scaling + 0.5)
        coords = keypoint.astype(np.float32) * np.float32(self.scaling)
        peaks = valid_joints(keypoint).astype(np.float32)
        if self.use_score and score is not None:
            peaks *= score
        start, end, peak = self._segments(coords, peaks)
        num_person, num_frames, num_channels = peak.shape
        buffer_frames = copies * num_frames
        heatmap = np.zeros(num_channels * buffer_frames * height * width, dtype=np.float32)

        reach = 3 * self.sigma
        low = np.maximum(np.trunc(np.minimum(start, end) - reach), 0).astype(np.int64)
        high = np.minimum(np.trunc(np.maximum(start, end) + reach) + 1,
                          np.array([width, height])).astype(np.int64)
        size = np.clip(high - low, 0, None)
        chosen = np.flatnonzero((peak >= MIN_PEAK) & (size > 0).all(-1))
        if chosen.size == 0:
            return heatmap.reshape(num_channels, buffer_frames, height, width)

        # One entry per drawn window, person-major (the flat order of (M, T, K)).
        start, end = start.reshape(-1, 2)[chosen], end.reshape(-1, 2)[chosen]
        low, size = low.reshape(-1, 2)[chosen], size.reshape(-1, 2)[chosen]
        cols, rows = size[:, 0], size[:, 1]
        direction = end - start
        length2 = (direction ** 2).sum(-1)
        inv_length2 = np.divide(1, length2, out=np.zeros_like(length2), where=length2 > 0)
        # Pixel (low + (c, r)) relative to the segment start is corner + (c, r); its position
        # along the segment (0 at start, 1 at end) is along0 + c * along_step + r * along_row.
        corner = low.astype(np.float32) - start
        along_step = direction[:, 0] * inv_length2
        along0 = (corner * direction).sum(-1) * inv_length2
        along_row = direction[:, 1] * inv_length2
        frame, channel = chosen // num_channels % num_frames, chosen % num_channels
        first_pixel = ((channel * buffer_frames + frame) * height + low[:, 1]) * width + \
            low[:, 0]

        # Window rows, then their pixels: a ragged batch without padding.
        row = _ragged_arange(rows)
        row_f = row.astype(np.float32)
        row_cols = np.repeat(cols, rows)
        row_along = np.repeat(along0, rows) + row_f * np.repeat(along_row, rows)
        row_off_y = np.repeat(corner[:, 1], rows) + row_f
        row_pixel = np.repeat(first_pixel, rows) + row * width
        col = _ragged_arange(row_cols)
        col_f = col.astype(np.float32)

        area = cols * rows

        def per_pixel(per_window: np.ndarray) -> np.ndarray:
            return np.repeat(per_window, area)  # a window's pixels are contiguous

        along = np.repeat(row_along, row_cols) + col_f * per_pixel(along_step)
        np.clip(along, 0, 1, out=along)
        off_x = per_pixel(corner[:, 0]) + col_f - along * per_pixel(direction[:, 0])
        off_y = np.repeat(row_off_y, row_cols) - along * per_pixel(direction[:, 1])
        value = np.exp((off_x * off_x + off_y * off_y) * np.float32(-0.5 / self.sigma ** 2))
        value *= per_pixel(peak.reshape(-1)[chosen])
        index = np.repeat(row_pixel, row_cols) + col

        # Within one person every (frame, channel) has one window, so indices are unique and a
        # gather-max-scatter per person is an exact maximum over persons.
        person = chosen // (num_frames * num_channels)
        bounds = np.concatenate([[0], np.cumsum(np.bincount(
            person, weights=area, minlength=num_person)).astype(np.int64)])
        for begin, stop in zip(bounds[:-1], bounds[1:], strict=True):
            part = index[begin:stop]
            heatmap[part] = np.maximum(heatmap[part], value[begin:stop])
        return heatmap.reshape(num_channels, buffer_frames, height, width)

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        keypoint = require_keypoint(results, 'GeneratePoseTarget', coords=(2,))
        num_joints = keypoint.shape[2]
        if self.with_limb:
            check_indices(results, 'GeneratePoseTarget', [j for limb in self.skeletons
                                                          for j in limb], num_joints,
                          'skeletons')
        if self.double and self.with_kp:
            check_indices(results, 'GeneratePoseTarget', self.left_kp + self.right_kp,
                          num_joints, 'left_kp/right_kp')
        img_h, img_w = require_img_shape(results, 'GeneratePoseTarget')
        score = results.get('keypoint_score')
        heatmap = self.render(keypoint, None if score is None else
                              np.asarray(score, dtype=np.float32), img_h, img_w,
                              copies=2 if self.double else 1)
        if self.double:
            num_frames = keypoint.shape[1]
            for target, source in enumerate(self.mirror_order(num_joints)):
                heatmap[target, num_frames:] = heatmap[source, :num_frames, :, ::-1]
        results['imgs'] = heatmap.transpose(1, 0, 2, 3)
        return results

    def mirror_order(self, num_joints: int) -> np.ndarray:
        """Channel ``k`` of the mirrored heatmaps is channel ``order[k]`` flipped along W."""
        orders = []
        if self.with_kp:
            orders.append(swap_permutation(num_joints, self.left_kp, self.right_kp))
        if self.with_limb:
            orders.append(swap_permutation(len(self.skeletons), self.left_limb,
                                           self.right_limb) + (num_joints if self.with_kp
                                                               else 0))
        return np.concatenate(orders)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(sigma={self.sigma}, use_score={self.use_score}, '
                f'with_kp={self.with_kp}, with_limb={self.with_limb}, double={self.double}, '
                f'scaling={self.scaling})')


def _ragged_arange(lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(n) for n in lengths])`` without a Python loop."""
    ends = np.cumsum(lengths)
    return np.arange(ends[-1] if ends.size else 0) - np.repeat(ends - lengths, lengths)
