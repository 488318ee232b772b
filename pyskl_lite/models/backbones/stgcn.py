"""ST-GCN and ST-GCN++ over a joint layout's skeleton graph.

ST-GCN (Yan et al., 2018) alternates spatial graph convolutions over the skeleton with temporal
convolutions. ST-GCN++ (Duan et al., PYSKL 2022) is the same network with three options switched
on: a learnable graph initialised from the skeleton (``gcn_adaptive='init'``), a residual branch
inside the graph convolution (``gcn_with_res=True``) and the multi-scale temporal convolution
(``tcn_type='mstcn'``).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError

from .graph import spatial_adjacency
from .stgcn_blocks import GraphConv, MultiScaleTemporalConv, TemporalConv

DATA_BN_TYPES = (None, 'VC', 'MVC')


class STGCNBlock(nn.Module):
    """Graph convolution → temporal convolution, plus a block residual, then ReLU.

    Args:
        in_channels, out_channels: feature channels.
        adjacency: ``(K, V, V)`` graph.
        stride: temporal stride. Default 1.
        residual: add the block residual (identity, or a strided ``1×1`` conv + BN when shapes
            change). Default True.
        gcn_adaptive, gcn_with_res: see :class:`GraphConv`.
        tcn_type: ``'unit_tcn'`` (one 9×1 temporal conv) or ``'mstcn'``
            (:class:`MultiScaleTemporalConv`). Default ``'unit_tcn'``.
        tcn_dropout: dropout after the temporal convolution. Default 0.
    """

    def __init__(self, in_channels: int, out_channels: int, adjacency: torch.Tensor,
                 stride: int = 1, residual: bool = True, gcn_adaptive: str | None = 'importance',
                 gcn_with_res: bool = False, tcn_type: str = 'unit_tcn',
                 tcn_dropout: float = 0.0) -> None:
        super().__init__()
        self.gcn = GraphConv(in_channels, out_channels, adjacency, adaptive=gcn_adaptive,
                             with_res=gcn_with_res)
        if tcn_type == 'unit_tcn':
            self.tcn: nn.Module = TemporalConv(out_channels, out_channels, kernel_size=9,
                                               stride=stride, dropout=tcn_dropout)
        elif tcn_type == 'mstcn':
            self.tcn = MultiScaleTemporalConv(out_channels, out_channels, stride=stride,
                                              dropout=tcn_dropout)
        else:
            raise InputError(f"tcn_type must be 'unit_tcn' or 'mstcn', got {tcn_type!r}")
        self.residual: nn.Module | None = None
        if residual:
            self.residual = (nn.Identity() if in_channels == out_channels and stride == 1
                             else TemporalConv(in_channels, out_channels, 1, stride=stride))
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C_in, T, V)`` → ``(N, C_out, ceil(T / stride), V)``."""
        out = self.tcn(self.gcn(x))
        if self.residual is not None:
            out = out + self.residual(x)
        return self.act(out)


@MODELS.register_module()
class STGCN(BaseModule):
    """ST-GCN backbone (ST-GCN++ with ``gcn_adaptive='init', gcn_with_res=True,
    tcn_type='mstcn'``).

    Every person is processed separately (persons folded into the batch) with shared weights.
    The first block maps ``in_channels`` to ``base_channels`` without block residual; blocks
    ``2..num_stages`` keep the width except at ``inflate_stages`` (× ``ch_ratio``) and halve
    time at ``down_stages``. With the defaults: 10 blocks, 64 → 128 (block 5) → 256 (block 8)
    channels, ``T / 4`` frames at the output.

    Args:
        joint_layout: joint layout name, dict or :class:`JointLayout`; the graph comes from its
            ``limbs`` and ``center`` (see :func:`spatial_adjacency`). Default ``'coco'``.
        in_channels: coordinate / feature channels ``C`` of the input. Default 3.
        base_channels: width of the first block. Default 64.
        ch_ratio: width multiplier at every inflate stage. Default 2.
        num_stages: number of blocks. Default 10.
        inflate_stages: 1-based blocks that multiply the width. Default ``(5, 8)``.
        down_stages: 1-based blocks with temporal stride 2. Default ``(5, 8)``.
        data_bn_type: input batch norm per ``'VC'`` (joint × channel, shared by persons),
            ``'MVC'`` (person × joint × channel) or ``None``. Default ``'VC'``.
        num_person: persons ``M`` of the input, needed only by ``'MVC'``. Default 2.
        gcn_adaptive, gcn_with_res, tcn_type, tcn_dropout: per-block options, see
            :class:`STGCNBlock`. Defaults ``'importance'``, False, ``'unit_tcn'``, 0.
        init_cfg: mmengine init config, e.g. ``dict(type='Pretrained', checkpoint=...)``.

    Input: ``(N, M, T, V, C)`` (``FormatKeypoints(layout='NMTVC')``).
    Output: ``(N, C_out, M, T_out, V)`` with ``C_out = base_channels * ch_ratio **
    len(inflate_stages)`` and ``T_out = ceil(T / 2 ** len(down_stages))``.
    """

    def __init__(self, joint_layout: str | dict[str, Any] = 'coco', in_channels: int = 3,
                 base_channels: int = 64, ch_ratio: float = 2, num_stages: int = 10,
                 inflate_stages: Sequence[int] = (5, 8), down_stages: Sequence[int] = (5, 8),
                 data_bn_type: str | None = 'VC', num_person: int = 2,
                 gcn_adaptive: str | None = 'importance', gcn_with_res: bool = False,
                 tcn_type: str = 'unit_tcn', tcn_dropout: float = 0.0,
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if data_bn_type not in DATA_BN_TYPES:
            raise InputError(f'data_bn_type must be one of {DATA_BN_TYPES}, got {data_bn_type!r}')
        adjacency = torch.from_numpy(spatial_adjacency(joint_layout))
        self.num_joints = adjacency.shape[-1]
        self.in_channels = in_channels
        self.num_person = num_person
        self.data_bn_type = data_bn_type
        bn_size = {'VC': self.num_joints * in_channels,
                   'MVC': num_person * self.num_joints * in_channels}.get(data_bn_type)
        self.data_bn = nn.BatchNorm1d(bn_size) if bn_size else nn.Identity()

        block_args = dict(gcn_adaptive=gcn_adaptive, gcn_with_res=gcn_with_res,
                          tcn_type=tcn_type)
        blocks = [STGCNBlock(in_channels, base_channels, adjacency, residual=False, **block_args)]
        channels = base_channels
        for stage in range(2, num_stages + 1):
            out_channels = channels
            if stage in inflate_stages:
                out_channels = int(round(channels * ch_ratio))
            stride = 2 if stage in down_stages else 1
            blocks.append(STGCNBlock(channels, out_channels, adjacency, stride=stride,
                                     tcn_dropout=tcn_dropout, **block_args))
            channels = out_channels
        self.blocks = nn.ModuleList(blocks)
        self.out_channels = channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, M, T, V, C)`` → ``(N, C_out, M, T_out, V)``."""
        n, m, t, v, c = x.shape
        if v != self.num_joints or c != self.in_channels:
            raise InputError(f'STGCN was built for V={self.num_joints} joints and '
                             f'C={self.in_channels} channels, got input (N, M, T, V, C) = '
                             f'{tuple(x.shape)}; check joint_layout and in_channels')
        if self.data_bn_type == 'MVC' and m != self.num_person:
            raise InputError(f"data_bn_type='MVC' was built for M={self.num_person} persons, got "
                             f'{m}; set num_person')
        # Normalise every (person?, joint, channel) over the batch and time.
        x = x.permute(0, 1, 3, 4, 2)  # N, M, V, C, T
        if self.data_bn_type == 'MVC':
            x = self.data_bn(x.reshape(n, m * v * c, t))
        else:
            x = self.data_bn(x.reshape(n * m, v * c, t))
        x = x.reshape(n, m, v, c, t).permute(0, 1, 3, 4, 2).reshape(n * m, c, t, v)
        for block in self.blocks:
            x = block(x)
        return x.reshape((n, m) + x.shape[1:]).transpose(1, 2)
