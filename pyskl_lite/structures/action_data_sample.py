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
        pred_prob, pred_logit (torch.Tensor): ``(num_classes,)`` float, the mean over the views
            of the softmax probabilities and of the logits; set by the recognizer whatever
            ``pred_score`` is, so that results files allow both kinds of ensemble fusion.

    Metainfo (set by ``PackSkeletonInputs``): ``frame_dir``, ``img_shape``, ``total_frames``,
    ``num_person`` and whatever else the pipeline was asked to keep; ``score_kind`` (``'prob'``
    or ``'score'``, what ``pred_score`` is) set by the recognizer.
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

    def set_view_averages(self, prob: torch.Tensor, logit: torch.Tensor,
                          score_kind: str) -> 'ActionDataSample':
        """Set ``pred_prob`` and ``pred_logit`` ``(num_classes,)`` and the metainfo
        ``score_kind`` (``'prob'`` or ``'score'``: which of the two ``pred_score`` is)."""
        self.set_field(prob, 'pred_prob', dtype=torch.Tensor)
        self.set_field(logit, 'pred_logit', dtype=torch.Tensor)
        self.set_metainfo(dict(score_kind=score_kind))
        return self
