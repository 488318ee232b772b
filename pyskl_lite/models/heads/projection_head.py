"""The projection head of contrastive pretraining: pooling and a small MLP."""
from __future__ import annotations

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError


@MODELS.register_module()
class ProjectionHead(BaseModule):
    """Average every axis after the channel axis, then ``num_layers`` linear layers with batch
    norm and ReLU between them (SimCLR's non-linear projection ``g``).

    Used only during pretraining: a fine-tuned recognizer keeps the backbone and drops this head
    (its weights are under ``projector.`` in the checkpoint, which ``Recognizer`` ignores).

    Args:
        in_channels: feature channels ``C`` of the backbone output.
        hidden_channels: width of the hidden layers. Default 256.
        out_channels: embedding size ``D``. Default 128.
        num_layers: linear layers (>= 1). Default 2.
        init_cfg: mmengine init config.

    Input: ``(N, C, ...)`` backbone features. Output: ``(N, D)`` (not normalised; the loss
    normalises).
    """

    def __init__(self, in_channels: int, hidden_channels: int = 256, out_channels: int = 128,
                 num_layers: int = 2, init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_layers < 1:
            raise InputError(f'ProjectionHead num_layers must be >= 1, got {num_layers}')
        self.in_channels = in_channels
        widths = [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
        layers: list[nn.Module] = []
        for index, (width_in, width_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
            layers.append(nn.Linear(width_in, width_out))
            if index < num_layers - 1:
                layers += [nn.BatchNorm1d(width_out), nn.ReLU(inplace=True)]
        self.mlp = nn.Sequential(*layers)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """``(N, C, ...)`` → ``(N, out_channels)``."""
        if feats.shape[1] != self.in_channels:
            raise InputError(f'ProjectionHead expects {self.in_channels} channels on axis 1, '
                             f'got features of shape {tuple(feats.shape)}')
        pooled = feats.flatten(2).mean(dim=2) if feats.ndim > 2 else feats
        return self.mlp(pooled)
