"""Batch assembly for the recognizer: stack the packed samples and move them to the device."""
from __future__ import annotations

from collections.abc import Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError


@MODELS.register_module()
class ActionDataPreprocessor(BaseDataPreprocessor):
    """Stack ``inputs`` of a ``pseudo_collate``-d batch to ``(B, num_views, ...)`` float32.

    Accepts a list of per-sample tensors ``(num_views, ...)`` (``pseudo_collate``) or an already
    stacked tensor (``default_collate``); ``data_samples`` pass through unchanged apart from the
    device move.

    Args:
        non_blocking: asynchronous host-to-device copies. Default False.
    """

    def __init__(self, non_blocking: bool = False) -> None:
        super().__init__(non_blocking=non_blocking)

    def forward(self, data: dict, training: bool = False) -> dict:
        """``{'inputs': list | Tensor, 'data_samples': list}`` → the same with a stacked tensor."""
        inputs = data['inputs']
        if isinstance(inputs, Sequence):
            shapes = {tuple(x.shape) for x in inputs}
            if len(shapes) > 1:
                raise InputError('samples of a batch must share one (num_views, ...) shape; got '
                                 f'{sorted(shapes)}: fix the pipeline (clip_len, num_clips, '
                                 'num_person) so that every sample has the same size')
            inputs = torch.stack(list(inputs))
        if inputs.ndim < 3:
            raise InputError(f'inputs must be (B, num_views, ...), got shape {tuple(inputs.shape)}')
        return self.cast_data({'inputs': inputs.float(), 'data_samples': data.get('data_samples')})
