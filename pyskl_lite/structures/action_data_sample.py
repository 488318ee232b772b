"""The data sample that travels with every clip: ground truth, prediction and metadata."""
from collections.abc import Sequence

import numpy as np
import torch
from mmengine.structures import BaseDataElement


def _to_label_tensor(value: int | Sequence[int] | np.ndarray | torch.Tensor) -> torch.Tensor:
    """Turn a class index (or indices) into a 1-D int64 tensor."""
    if isinstance(value, torch.Tensor):
        return value.reshape(-1).long()
    return torch.as_tensor(np.asarray(value, dtype=np.int64).reshape(-1))


class ActionDataSample(BaseDataElement):
    """Ground truth and prediction of one sample.

    Data fields:
        gt_label (torch.Tensor): ``(1,)`` int64 class index.
        pred_score (torch.Tensor): ``(num_classes,)`` float, class probabilities or scores
            after view averaging (see the recognizer's ``average_clips``).
        pred_label (torch.Tensor): ``(1,)`` int64, argmax of ``pred_score``.

    Metainfo (set by ``PackSkeletonInputs``): ``frame_dir``, ``img_shape``, ``total_frames``,
    ``num_person`` and whatever else the pipeline was asked to keep.
    """

    def set_gt_label(self, value: int | Sequence[int] | np.ndarray | torch.Tensor
                     ) -> 'ActionDataSample':
        self.set_field(_to_label_tensor(value), 'gt_label', dtype=torch.Tensor)
        return self

    def set_pred_score(self, value: torch.Tensor) -> 'ActionDataSample':
        """Set ``pred_score`` ``(num_classes,)`` and derive ``pred_label`` from it."""
        if value.ndim != 1:
            raise ValueError('pred_score must be 1-D (num_classes,), got shape '
                             f'{tuple(value.shape)}')
        self.set_field(value, 'pred_score', dtype=torch.Tensor)
        self.set_field(value.argmax().reshape(1), 'pred_label', dtype=torch.Tensor)
        return self
