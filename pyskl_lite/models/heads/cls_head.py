"""Classification head: global average pooling, dropout, one linear layer → class logits."""
from __future__ import annotations

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError


@MODELS.register_module()
class ClsHead(BaseModule):
    """Average every axis after the channel axis, apply dropout and a linear classifier.

    Works for any backbone output with channels on axis 1: C3D ``(N, C, T, H, W)``,
    KeypointC3D ``(N, C, D1, D2, D3)``, ST-GCN ``(N, C, M, T, V)``, LSTM ``(N, C, M)``, or
    already pooled ``(N, C)``. Returns raw logits (no softmax); probabilities are computed only
    where they are reported (the recognizer's ``average_clips='prob'``).

    Args:
        num_classes: number of classes.
        in_channels: feature channels ``C`` of the backbone output.
        dropout: dropout probability before the linear layer. Default 0.5.
        init_std: standard deviation of the normal init of the linear weights (bias 0).
            Default 0.01.
        loss_cls: loss config. Default ``dict(type='CrossEntropyLoss')``.
        init_cfg: mmengine init config.
    """

    def __init__(self, num_classes: int, in_channels: int, dropout: float = 0.5,
                 init_std: float = 0.01, loss_cls: dict | None = None,
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.init_std = init_std
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc = nn.Linear(in_channels, num_classes)
        self.loss_cls = MODELS.build(loss_cls or dict(type='CrossEntropyLoss'))
        nn.init.normal_(self.fc.weight, 0, init_std)
        nn.init.zeros_(self.fc.bias)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """``(N, C, ...)`` features → ``(N, num_classes)`` logits."""
        if feats.shape[1] != self.in_channels:
            raise InputError(f'ClsHead expects {self.in_channels} channels on axis 1, got '
                             f'features of shape {tuple(feats.shape)}')
        pooled = feats.flatten(2).mean(dim=2) if feats.ndim > 2 else feats
        return self.fc(self.dropout(pooled))

    def loss(self, logits: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        """Classification loss plus top-1 accuracy (logged, not optimised).

        Args:
            logits: ``(N, num_classes)``.
            labels: ``(N,)`` int64 class indices.

        Returns:
            ``{'loss_cls': scalar, 'top1_acc': scalar}``.
        """
        with torch.no_grad():
            top1 = (logits.argmax(dim=1) == labels).float().mean()
        return {'loss_cls': self.loss_cls(logits, labels), 'top1_acc': top1}
