"""Cross-entropy classification loss with optional label smoothing and class weights."""
from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError


@MODELS.register_module()
class CrossEntropyLoss(nn.Module):
    """Softmax cross-entropy on logits, averaged over the batch.

    With label smoothing ``ε`` the target is ``(1 - ε)`` on the true class plus ``ε / K``
    spread over all ``K`` classes.

    Args:
        loss_weight: factor applied to the loss. Default 1.0.
        label_smoothing: ``ε`` in ``[0, 1)``. Default 0.0.
        class_weight: optional per-class weights (length ``K``); the mean is then weighted by
            the weight of each sample's true class. Default None.
    """

    def __init__(self, loss_weight: float = 1.0, label_smoothing: float = 0.0,
                 class_weight: Sequence[float] | None = None) -> None:
        super().__init__()
        if not 0.0 <= label_smoothing < 1.0:
            raise InputError(f'label_smoothing must lie in [0, 1), got {label_smoothing}')
        self.loss_weight = loss_weight
        self.label_smoothing = label_smoothing
        self.class_weight: torch.Tensor | None
        self.register_buffer(
            'class_weight',
            None if class_weight is None else torch.as_tensor(class_weight, dtype=torch.float32))

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """``(N, K)`` logits and ``(N,)`` int64 labels → scalar loss."""
        loss = F.cross_entropy(logits, labels, weight=self.class_weight,
                               label_smoothing=self.label_smoothing)
        return self.loss_weight * loss
