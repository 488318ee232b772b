"""Final formatting: heatmap volumes to ``(views, K, T, H, W)`` and packing for the model."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from pyskl_lite.registry import TRANSFORMS
from pyskl_lite.structures import ActionDataSample

from .utils import input_error


@TRANSFORMS.register_module()
class FormatShape(BaseTransform):
    """Group the heatmap frames into clips: ``'NCTHW_Heatmap'`` (PoseConv3D).

    Reads: ``imgs`` ``(V * N * T, K, H, W)`` from ``GeneratePoseTarget`` (``V`` = 2 with
    ``double``), ``num_clips`` N, ``clip_len`` T.
    Writes: ``imgs`` float32 ``(V * N, K, T, H, W)`` (all clips of the original view, then of the
    mirrored one), ``input_shape``.

    Args:
        input_format: ``'NCTHW_Heatmap'``.
    """

    FORMATS = ('NCTHW_Heatmap',)

    def __init__(self, input_format: str = 'NCTHW_Heatmap') -> None:
        if input_format not in self.FORMATS:
            raise ValueError(f'input_format must be one of {self.FORMATS}, got {input_format!r}')
        self.input_format = input_format

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        imgs = results.get('imgs')
        if imgs is None or np.ndim(imgs) != 4:
            raise input_error(results, 'FormatShape', 'expected heatmaps (frames, K, H, W) '
                              'from GeneratePoseTarget', 'imgs')
        num_clips = int(results.get('num_clips', 1))
        clip_len = int(results.get('clip_len', imgs.shape[0] // num_clips))
        if imgs.shape[0] % (num_clips * clip_len):
            raise input_error(results, 'FormatShape', f'{imgs.shape[0]} frames are not a '
                              f'multiple of num_clips x clip_len = {num_clips} x {clip_len}',
                              'imgs')
        volume = imgs.reshape((-1, clip_len) + imgs.shape[1:]).transpose(0, 2, 1, 3, 4)
        results['imgs'] = np.ascontiguousarray(volume, dtype=np.float32)
        results['input_shape'] = results['imgs'].shape
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(input_format={self.input_format!r})'


DEFAULT_META_KEYS = ('frame_dir', 'img_shape', 'total_frames', 'num_person')


@TRANSFORMS.register_module()
class PackSkeletonInputs(BaseTransform):
    """Pack the model input and an :class:`~pyskl_lite.structures.ActionDataSample`.

    Reads: ``imgs`` ``(num_views, K, T, H, W)`` (heatmaps) or ``keypoint`` ``(num_views, ...)``
    (from ``FormatKeypoints``), ``label`` (optional), and the meta keys present.
    Writes (returns): ``{'inputs': torch.float32 tensor (num_views, ...), 'data_samples':
    ActionDataSample}`` with ``gt_label`` ``(1,)`` and metainfo of the meta keys the sample has
    (3D samples have no ``img_shape``). Works with mmengine's ``pseudo_collate``.

    Args:
        inputs_key: the key holding the input; None takes ``imgs`` when present, else
            ``keypoint``.
        extra_meta_keys: keys kept in the metainfo besides ``frame_dir``, ``img_shape``,
            ``total_frames`` and ``num_person``.
    """

    def __init__(self, inputs_key: str | None = None,
                 extra_meta_keys: Sequence[str] = ()) -> None:
        self.inputs_key = inputs_key
        self.meta_keys = DEFAULT_META_KEYS + tuple(k for k in extra_meta_keys
                                                   if k not in DEFAULT_META_KEYS)

    def transform(self, results: dict[str, Any]) -> dict[str, Any]:
        key = self.inputs_key or ('imgs' if 'imgs' in results else 'keypoint')
        if key not in results:
            raise input_error(results, 'PackSkeletonInputs', 'no model input in the results',
                              key)
        inputs = np.ascontiguousarray(results[key], dtype=np.float32)
        if inputs.ndim < 2:
            raise input_error(results, 'PackSkeletonInputs', f'expected (num_views, ...), got '
                              f'shape {inputs.shape}', key)
        sample = ActionDataSample()
        if results.get('label') is not None:
            sample.set_gt_label(int(results['label']))
        sample.set_metainfo({k: results[k] for k in self.meta_keys if k in results})
        return {'inputs': torch.from_numpy(inputs), 'data_samples': sample}

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(inputs_key={self.inputs_key!r}, '
                f'meta_keys={self.meta_keys})')
