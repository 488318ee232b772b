"""LSTM over per-person sequences of flattened joints: the keypoint-LSTM baseline."""
from __future__ import annotations

from typing import Any

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError

TEMPORAL_POOLS = ('last', 'mean')


def check_temporal_pool(temporal_pool: str) -> str:
    """``temporal_pool`` if it is one of :data:`TEMPORAL_POOLS`, else an :class:`InputError`."""
    if temporal_pool not in TEMPORAL_POOLS:
        raise InputError(f'temporal_pool must be one of {TEMPORAL_POOLS}, '
                         f'got {temporal_pool!r}')
    return temporal_pool


def pool_rnn_outputs(outputs: torch.Tensor, final_hidden: torch.Tensor, directions: int,
                     temporal_pool: str) -> torch.Tensor:
    """One feature vector per sequence from a batch-first ``nn.LSTM`` / ``nn.GRU``.

    Args:
        outputs: top-layer outputs ``(B, T, directions * H)``.
        final_hidden: final hidden states ``(num_layers * directions, B, H)`` (``h_n``).
        directions: 2 for a bidirectional RNN, else 1.
        temporal_pool: ``'last'``: the top layer's final state of every direction (the
            backward direction's is its state after frame 0); ``'mean'``: ``outputs`` averaged
            over time.

    Returns:
        ``(B, directions * H)``.
    """
    if temporal_pool == 'mean':
        return outputs.mean(dim=1)
    return final_hidden[-directions:].transpose(0, 1).reshape(outputs.shape[0], -1)


@MODELS.register_module()
class LSTMBackbone(BaseModule):
    """Stacked (bi)LSTM over time; each frame's input is one person's ``V × C`` joint vector.

    Persons are folded into the batch and share the weights. An optional input batch norm
    normalises every (joint, channel) feature over the batch and time (as ST-GCN's data BN),
    then a linear embedding with ReLU maps the ``V·C`` features to ``embed_channels``.

    Args:
        joint_layout: joint layout name, dict or :class:`JointLayout`; gives ``V``.
            Default ``'coco'``.
        in_channels: channels ``C`` per joint (e.g. 3: x, y, score). Default 3.
        hidden_size: LSTM hidden units per direction. Default 128.
        num_layers: stacked LSTM layers. Default 2.
        bidirectional: run a backward LSTM as well and concatenate. Default True.
        dropout: dropout between LSTM layers (ignored for one layer). Default 0.
        embed_channels: width of the frame embedding before the LSTM; ``None`` feeds the
            (normalised) joints directly. Default 128.
        data_bn: batch norm on the input features. Default True.
        temporal_pool: ``'last'`` (final hidden state of every direction) or ``'mean'``
            (top-layer outputs averaged over time). Default ``'last'``.
        init_cfg: mmengine init config.

    Input: ``(N, M, T, V, C)`` (``FormatKeypoints(layout='NMTVC')``).
    Output: ``(N, D, M)`` with ``D = hidden_size × (2 if bidirectional else 1)``.
    """

    def __init__(self, joint_layout: str | dict[str, Any] = 'coco', in_channels: int = 3,
                 hidden_size: int = 128, num_layers: int = 2,
                 bidirectional: bool = True, dropout: float = 0.0,
                 embed_channels: int | None = 128, data_bn: bool = True,
                 temporal_pool: str = 'last', init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_joints = get_layout(joint_layout).num_joints
        self.in_channels = in_channels
        self.temporal_pool = check_temporal_pool(temporal_pool)
        features = self.num_joints * in_channels
        self.data_bn = nn.BatchNorm1d(features) if data_bn else nn.Identity()
        self.embed: nn.Module = nn.Identity()
        lstm_in = features
        if embed_channels is not None:
            self.embed = nn.Sequential(nn.Linear(features, embed_channels), nn.ReLU(inplace=True))
            lstm_in = embed_channels
        self.lstm = nn.LSTM(lstm_in, hidden_size, num_layers=num_layers, batch_first=True,
                            bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0)
        self.out_channels = hidden_size * (2 if bidirectional else 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, M, T, V, C)`` → ``(N, D, M)``."""
        n, m, t, v, c = x.shape
        if v != self.num_joints or c != self.in_channels:
            raise InputError(f'LSTMBackbone was built for V={self.num_joints} joints and '
                             f'C={self.in_channels} channels, got input (N, M, T, V, C) = '
                             f'{tuple(x.shape)}; check joint_layout and in_channels')
        seq = x.reshape(n * m, t, v * c)
        seq = self.data_bn(seq.transpose(1, 2)).transpose(1, 2)
        outputs, (hidden, _) = self.lstm(self.embed(seq))
        feat = pool_rnn_outputs(outputs, hidden, 2 if self.lstm.bidirectional else 1,
                                self.temporal_pool)
        return feat.reshape(n, m, -1).transpose(1, 2)
