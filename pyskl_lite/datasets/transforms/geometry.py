"""Image-plane geometry of 2D pixel keypoints: compact box, resize, crops and flip.

Every transform here keeps ``img_shape`` ``(h, w)`` consistent with the keypoints (the canvas
``GeneratePoseTarget`` draws on) and leaves missing joints (all coordinates 0) at exactly 0.
Coordinates are pixels, ``x`` to the right and ``y`` down; only the first two channels of
``keypoint`` are touched.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from mmcv.transforms import BaseTransform

from pyskl_lite.registry import TRANSFORMS

from ..layouts import JointLayout
from .utils import (
    RandomTransform,
    check_indices,
    require_img_shape,
    require_keypoint,
    side_pairs,
    swap_permutation,
    symmetric_label_map,
    valid_joints,
)


def _float_keypoint(results: dict[str, Any], transform: str) -> np.ndarray:
    return require_keypoint(results, transform).astype(np.float32)


def _crop(results: dict[str, Any], transform: str, left: int, top: int, width: int,
          height: int) -> dict[str, Any]:
    """Move the origin to ``(left, top)`` and make the canvas ``width`` x ``height``."""
    keypoint = _float_keypoint(results, transform)
    valid = valid_joints(keypoint)
    keypoint[..., 0] = np.where(valid, keypoint[..., 0] - left, 0)
    keypoint[..., 1] = np.where(valid, keypoint[..., 1] - top, 0)
    results['keypoint'] = keypoint
    results['img_shape'] = (int(height), int(width))
    return results


@TRANSFORMS.register_module()
class PoseCompact(BaseTransform):
    """Crop the canvas to the box around all valid joints of all persons and frames.

    The tight box is enlarged by ``padding`` (0.25: 1.25 x its width and height, same centre),
    then widened or heightened to the ``hw_ratio`` (height / width) bounds; with
    ``allow_imgpad=False`` it is clipped to the image. Boxes smaller than ``threshold`` pixels
    in either direction leave the sample unchanged. Matches PoseConv3D, except that a joint is
    missing only when all its coordinates are 0 (PYSKL tests x and y separately).

    Reads: ``keypoint`` ``(M, T, V, C)`` pixels, ``img_shape`` ``(h, w)``.
    Writes: ``keypoint`` float32 (origin at the box corner), ``img_shape`` (box size).

    Args:
        padding: relative enlargement of the tight box. Default 0.25.
        threshold: minimal box size in pixels. Default 10.
        hw_ratio: None, a float, or ``(min, max)`` height/width ratio of the box.
        allow_imgpad: let the box extend beyond the image. Default True.
    """

    def __init__(self, padding: float = 0.25, threshold: float = 10,
                 hw_ratio: float | Sequence[float] | None = None,
                 allow_imgpad: bool = True) -> None:
        if padding < 0:
            raise ValueError(f'padding must be >= 0, got {padding}')
        if hw_ratio is not None:
            hw_ratio = (float(hw_ratio),) * 2 if np.isscalar(hw_ratio) else \
                tuple(float(r) for r in hw_ratio)
        self.padding = padding
        self.threshold = threshold
        self.hw_ratio = hw_ratio
        self.allow_imgpad = allow_imgpad

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        img_h, img_w = require_img_shape(results, 'PoseCompact')
        keypoint = require_keypoint(results, 'PoseCompact')
        valid = valid_joints(keypoint)
        if not valid.any():
            return results
        xs, ys = keypoint[..., 0][valid], keypoint[..., 1][valid]
        min_x, max_x, min_y, max_y = (float(xs.min()), float(xs.max()), float(ys.min()),
                                      float(ys.max()))
        if max_x - min_x < self.threshold or max_y - min_y < self.threshold:
            return results
        center_x, center_y = (max_x + min_x) / 2, (max_y + min_y) / 2
        half_w = (max_x - min_x) / 2 * (1 + self.padding)
        half_h = (max_y - min_y) / 2 * (1 + self.padding)
        if self.hw_ratio is not None:
            half_h = max(self.hw_ratio[0] * half_w, half_h)
            half_w = max(half_h / self.hw_ratio[1], half_w)
        min_x, max_x = center_x - half_w, center_x + half_w
        min_y, max_y = center_y - half_h, center_y + half_h
        if not self.allow_imgpad:
            min_x, min_y = max(0.0, min_x), max(0.0, min_y)
            max_x, max_y = min(img_w, max_x), min(img_h, max_y)
        left, top, right, bottom = int(min_x), int(min_y), int(max_x), int(max_y)
        return _crop(results, 'PoseCompact', left, top, right - left, bottom - top)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(padding={self.padding}, threshold={self.threshold}, '
                f'hw_ratio={self.hw_ratio}, allow_imgpad={self.allow_imgpad})')


@TRANSFORMS.register_module()
class Resize(BaseTransform):
    """Scale the canvas and the keypoints.

    ``keep_ratio=True``: ``scale`` is a factor (float) or a ``(w, h)`` bound; the image is made
    as large as fits ``max(scale)`` on its long side and ``min(scale)`` on its short side, and
    a ``-1`` means "no bound": ``(-1, 64)`` sets the short side to 64. ``keep_ratio=False``:
    ``scale`` is the exact ``(w, h)``. New sizes are rounded to the nearest pixel (mmcv).

    Reads: ``img_shape`` ``(h, w)``, ``keypoint`` ``(M, T, V, C)`` pixels (optional).
    Writes: ``img_shape``, ``keypoint`` float32, ``scale_factor`` float32 ``(2,)`` ``(x, y)``
    accumulated over resizes, ``keep_ratio``.

    Args:
        scale: float factor or ``(w, h)``.
        keep_ratio: keep the aspect ratio. Default True.
    """

    def __init__(self, scale: float | Sequence[int], keep_ratio: bool = True) -> None:
        if np.isscalar(scale):
            if scale <= 0:
                raise ValueError(f'scale must be positive, got {scale}')
        elif len(scale) != 2 or (not keep_ratio and min(scale) <= 0) or max(scale) <= 0:
            raise ValueError(f'scale must be a float or (w, h) (-1 = free side with '
                             f'keep_ratio), got {scale}')
        self.scale = float(scale) if np.isscalar(scale) else tuple(int(s) for s in scale)
        self.keep_ratio = keep_ratio

    def _new_size(self, img_w: int, img_h: int) -> tuple[int, int]:
        if not self.keep_ratio:
            return self.scale
        if isinstance(self.scale, float):
            factor = self.scale
        elif min(self.scale) == -1:
            factor = max(self.scale) / min(img_w, img_h)
        else:
            factor = min(max(self.scale) / max(img_w, img_h),
                         min(self.scale) / min(img_w, img_h))
        return int(img_w * factor + 0.5), int(img_h * factor + 0.5)

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        img_h, img_w = require_img_shape(results, 'Resize')
        new_w, new_h = self._new_size(img_w, img_h)
        factor = np.array([new_w / img_w, new_h / img_h], dtype=np.float32)
        if 'keypoint' in results:
            keypoint = _float_keypoint(results, 'Resize')
            keypoint[..., :2] *= factor
            results['keypoint'] = keypoint
        results['img_shape'] = (new_h, new_w)
        results['scale_factor'] = factor * results.get('scale_factor', np.ones(2, np.float32))
        results['keep_ratio'] = self.keep_ratio
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(scale={self.scale}, keep_ratio={self.keep_ratio})'


@TRANSFORMS.register_module()
class RandomResizedCrop(RandomTransform):
    """Crop a random box of random area and aspect ratio (Inception-style; PoseConv3D).

    Up to ``max_attempts`` boxes with area fraction in ``area_range`` and width/height ratio
    log-uniform in ``aspect_ratio_range`` are drawn; the first that fits is used, else the
    central square. Follow it by ``Resize`` to a fixed size.

    Reads: ``img_shape`` ``(h, w)``, ``keypoint`` ``(M, T, V, C)`` pixels.
    Writes: ``keypoint`` float32 (origin at the crop corner), ``img_shape`` (crop size),
    ``crop_bbox`` int ``(4,)`` ``(left, top, right, bottom)``.

    Args:
        area_range: ``(min, max)`` fraction of the image area. Default ``(0.08, 1.0)``.
        aspect_ratio_range: ``(min, max)`` width / height. Default ``(3/4, 4/3)``.
        max_attempts: boxes tried before the fallback. Default 10.
        seed: see ``RandomTransform``.
    """

    def __init__(self, area_range: Sequence[float] = (0.08, 1.0),
                 aspect_ratio_range: Sequence[float] = (3 / 4, 4 / 3), max_attempts: int = 10,
                 seed: int | None = None) -> None:
        super().__init__(seed)
        if not 0 < area_range[0] <= area_range[1] <= 1:
            raise ValueError(f'area_range must satisfy 0 < min <= max <= 1, got {area_range}')
        if not 0 < aspect_ratio_range[0] <= aspect_ratio_range[1]:
            raise ValueError(f'aspect_ratio_range must satisfy 0 < min <= max, got '
                             f'{aspect_ratio_range}')
        self.area_range = tuple(float(a) for a in area_range)
        self.aspect_ratio_range = tuple(float(a) for a in aspect_ratio_range)
        self.max_attempts = max_attempts

    def crop_box(self, img_h: int, img_w: int) -> tuple[int, int, int, int]:
        """``(left, top, width, height)`` of the crop."""
        rng = self.rng
        log_low, log_high = np.log(self.aspect_ratio_range)
        ratios = np.exp(rng.uniform(log_low, log_high, size=self.max_attempts))
        areas = rng.uniform(*self.area_range, size=self.max_attempts) * img_h * img_w
        widths = np.round(np.sqrt(areas * ratios)).astype(np.int64)
        heights = np.round(np.sqrt(areas / ratios)).astype(np.int64)
        for width, height in zip(widths, heights, strict=True):
            if 0 < width <= img_w and 0 < height <= img_h:
                left = rng.randint(0, img_w - width + 1)
                top = rng.randint(0, img_h - height + 1)
                return int(left), int(top), int(width), int(height)
        size = min(img_h, img_w)
        return (img_w - size) // 2, (img_h - size) // 2, size, size

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        img_h, img_w = require_img_shape(results, 'RandomResizedCrop')
        left, top, width, height = self.crop_box(img_h, img_w)
        results['crop_bbox'] = np.array([left, top, left + width, top + height])
        return _crop(results, 'RandomResizedCrop', left, top, width, height)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(area_range={self.area_range}, '
                f'aspect_ratio_range={self.aspect_ratio_range})')


@TRANSFORMS.register_module()
class CenterCrop(BaseTransform):
    """Crop the central ``crop_size`` box (it may extend beyond a smaller image).

    Reads: ``img_shape`` ``(h, w)``, ``keypoint`` ``(M, T, V, C)`` pixels.
    Writes: ``keypoint`` float32, ``img_shape`` = ``(crop_h, crop_w)``, ``crop_bbox``.

    Args:
        crop_size: int (square) or ``(w, h)``.
    """

    def __init__(self, crop_size: int | Sequence[int]) -> None:
        size = (crop_size, crop_size) if np.isscalar(crop_size) else tuple(crop_size)
        if len(size) != 2 or min(size) <= 0:
            raise ValueError(f'crop_size must be a positive int or (w, h), got {crop_size}')
        self.crop_size = (int(size[0]), int(size[1]))

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        img_h, img_w = require_img_shape(results, 'CenterCrop')
        width, height = self.crop_size
        left, top = (img_w - width) // 2, (img_h - height) // 2
        results['crop_bbox'] = np.array([left, top, left + width, top + height])
        return _crop(results, 'CenterCrop', left, top, width, height)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(crop_size={self.crop_size})'


@TRANSFORMS.register_module()
class Flip(RandomTransform):
    """Mirror the skeleton horizontally with probability ``flip_ratio``.

    ``x`` becomes ``w - x`` (PoseConv3D's convention) for valid joints, and left/right joints
    swap places (``keypoint`` and ``keypoint_score``). Flipping twice restores the input.

    Reads: ``img_shape`` ``(h, w)``, ``keypoint`` ``(M, T, V, C)`` pixels, ``keypoint_score``
    ``(M, T, V)`` (optional), ``label`` (with ``flip_label_map``).
    Writes: ``keypoint`` float32, ``keypoint_score``, ``flip`` (bool), ``flip_direction``,
    ``label`` (mapped when flipped).

    Args:
        flip_ratio: probability of flipping. Default 0.5.
        left_kp, right_kp: mirrored joint pairs; default from ``joint_layout``.
        joint_layout: layout name or dict. Default ``'coco'``.
        flip_label_map: ``{class: class of the mirrored action}`` for datasets with
            side-specific classes (wave left hand <-> wave right hand), applied both ways.
            Classes are indices or names of ``label_map``; names the label map lacks are
            ignored, so a config keeps working when pointed at another dataset.
        label_map: label-map file (or class names) resolving names in ``flip_label_map``.
        seed: see ``RandomTransform``.
    """

    def __init__(self, flip_ratio: float = 0.5, left_kp: Sequence[int] | None = None,
                 right_kp: Sequence[int] | None = None,
                 joint_layout: str | dict | JointLayout = 'coco',
                 flip_label_map: dict[int | str, int | str] | None = None,
                 label_map: str | Sequence[str] | None = None,
                 seed: int | None = None) -> None:
        super().__init__(seed)
        if not 0 <= flip_ratio <= 1:
            raise ValueError(f'flip_ratio must lie in [0, 1], got {flip_ratio}')
        self.flip_ratio = flip_ratio
        self.left_kp, self.right_kp = side_pairs(joint_layout, left_kp, right_kp)
        self.flip_label_map = symmetric_label_map(flip_label_map, 'Flip.flip_label_map',
                                                  label_map)

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        flip = bool(self.rng.rand() < self.flip_ratio)
        results['flip'] = flip
        results['flip_direction'] = 'horizontal'
        if not flip:
            return results
        _, img_w = require_img_shape(results, 'Flip')
        keypoint = _float_keypoint(results, 'Flip')
        num_joints = keypoint.shape[2]
        check_indices(results, 'Flip', self.left_kp + self.right_kp, num_joints, 'left_kp')
        keypoint[..., 0] = np.where(valid_joints(keypoint), img_w - keypoint[..., 0], 0)
        order = swap_permutation(num_joints, self.left_kp, self.right_kp)
        results['keypoint'] = keypoint[:, :, order]
        if 'keypoint_score' in results:
            results['keypoint_score'] = np.asarray(results['keypoint_score'])[:, :, order]
        if 'label' in results:
            results['label'] = self.flip_label_map.get(int(results['label']),
                                                       results['label'])
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(flip_ratio={self.flip_ratio}, left_kp={self.left_kp}, '
                f'right_kp={self.right_kp}, flip_label_map={self.flip_label_map})')

