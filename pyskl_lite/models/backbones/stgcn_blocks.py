"""Building blocks of ST-GCN / ST-GCN++: spatial graph convolution and temporal convolutions.

Every block takes and returns ``(N, C, T, V)`` feature maps (batch × persons folded into ``N``).
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn

from pyskl_lite.utils import InputError

GCN_ADAPTIVE_MODES = (None, 'init', 'importance', 'offset')


class GraphConv(nn.Module):
    """Spatial graph convolution over the joints of every frame.

    A ``1×1`` convolution produces ``K`` feature groups (one per adjacency subset), each group is
    aggregated over the joints with its subset's ``(V, V)`` matrix and the groups are summed;
    batch norm, optional residual, ReLU.

    Args:
        in_channels: input feature channels ``C_in``.
        out_channels: output feature channels ``C_out``.
        adjacency: ``(K, V, V)`` float tensor; ``adjacency[k, v, w]`` weights source joint
            ``v`` for target joint ``w``.
        adaptive: ``None`` (fixed graph), ``'init'`` (the graph is a learnable parameter
            initialised from ``adjacency``: ST-GCN++), ``'importance'`` (fixed graph times a
            learnable mask initialised to 1: ST-GCN) or ``'offset'`` (fixed graph plus a learnable
            offset initialised near 0). Default ``'importance'``.
        with_res: add a residual branch (identity, or ``1×1`` conv + BN when the channel count
            changes) before the activation (ST-GCN++). Default False.
    """

    def __init__(self, in_channels: int, out_channels: int, adjacency: torch.Tensor,
                 adaptive: str | None = 'importance', with_res: bool = False) -> None:
        super().__init__()
        if adaptive not in GCN_ADAPTIVE_MODES:
            raise InputError(f'adaptive must be one of {GCN_ADAPTIVE_MODES}, got {adaptive!r}')
        self.adaptive = adaptive
        self.num_subsets = adjacency.shape[0]
        if adaptive == 'init':
            self.adjacency = nn.Parameter(adjacency.clone())
        else:
            self.register_buffer('adjacency', adjacency.clone())
        if adaptive == 'importance':
            self.graph_weight = nn.Parameter(torch.ones_like(adjacency))
        elif adaptive == 'offset':
            self.graph_weight = nn.Parameter(torch.empty_like(adjacency).uniform_(-1e-6, 1e-6))
        self.conv = nn.Conv2d(in_channels, out_channels * self.num_subsets, kernel_size=1)
        self.bn = nn.BatchNorm2d(out_channels)
        self.act = nn.ReLU(inplace=True)
        self.residual: nn.Module | None = None
        if with_res:
            self.residual = nn.Identity() if in_channels == out_channels else nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=1), nn.BatchNorm2d(out_channels))

    def graph(self) -> torch.Tensor:
        """The ``(K, V, V)`` adjacency used in the forward pass."""
        if self.adaptive == 'importance':
            return self.adjacency * self.graph_weight
        if self.adaptive == 'offset':
            return self.adjacency + self.graph_weight
        return self.adjacency

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C_in, T, V)`` → ``(N, C_out, T, V)``."""
        n, _, t, v = x.shape
        out = self.conv(x).view(n, self.num_subsets, -1, t, v)
        out = torch.einsum('nkctv,kvw->nctw', out, self.graph())
        out = self.bn(out)
        if self.residual is not None:
            out = out + self.residual(x)
        return self.act(out)


class TemporalConv(nn.Module):
    """Convolution along time only (kernel ``(k, 1)``), size-preserving padding, batch norm.

    Args:
        in_channels, out_channels: feature channels.
        kernel_size: temporal kernel ``k`` (odd). Default 9.
        stride: temporal stride. Default 1.
        dilation: temporal dilation. Default 1.
        with_bn: follow the convolution with batch norm. Default True.
        dropout: dropout probability after it. Default 0.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 9, stride: int = 1,
                 dilation: int = 1, with_bn: bool = True, dropout: float = 0.0) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise InputError(f'temporal kernel_size must be odd, got {kernel_size}')
        padding = (kernel_size - 1) * dilation // 2
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=(kernel_size, 1),
                              stride=(stride, 1), padding=(padding, 0), dilation=(dilation, 1))
        self.bn = nn.BatchNorm2d(out_channels) if with_bn else nn.Identity()
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C_in, T, V)`` → ``(N, C_out, ceil(T / stride), V)``."""
        return self.drop(self.bn(self.conv(x)))


BranchSpec = tuple[int, int] | tuple[str, int] | str
DEFAULT_BRANCHES: tuple[BranchSpec, ...] = ((3, 1), (3, 2), (3, 3), (3, 4), ('max', 3), '1x1')


class MultiScaleTemporalConv(nn.Module):
    """ST-GCN++'s multi-scale temporal convolution: parallel branches, concatenated and fused.

    Branches (``branches`` spec): ``(k, d)`` = ``1×1`` bottleneck → BN → ReLU → temporal conv of
    kernel ``k`` and dilation ``d``; ``('max', k)`` = ``1×1`` → BN → ReLU → temporal max-pool of
    size ``k``; ``'1x1'`` = a strided ``1×1`` conv. The channels are split evenly over the branches
    (the first takes the remainder); the concatenation goes through BN → ReLU → ``1×1`` conv → BN.

    Args:
        in_channels, out_channels: feature channels.
        stride: temporal stride of every branch. Default 1.
        branches: the branch specs above. Default the six branches of ST-GCN++.
        dropout: dropout probability at the output. Default 0.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 branches: Sequence[BranchSpec] = DEFAULT_BRANCHES, dropout: float = 0.0) -> None:
        super().__init__()
        num_branches = len(branches)
        branch_channels = out_channels // num_branches
        first_channels = out_channels - branch_channels * (num_branches - 1)
        modules = []
        for i, spec in enumerate(branches):
            channels = first_channels if i == 0 else branch_channels
            modules.append(self._branch(spec, in_channels, channels, stride))
        self.branches = nn.ModuleList(modules)
        self.fuse = nn.Sequential(
            nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.BatchNorm2d(out_channels))
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    @staticmethod
    def _branch(spec: BranchSpec, in_channels: int, channels: int, stride: int) -> nn.Module:
        if spec == '1x1':
            return nn.Conv2d(in_channels, channels, kernel_size=1, stride=(stride, 1))
        if not (isinstance(spec, Sequence) and len(spec) == 2):
            raise InputError("a branch is (kernel, dilation), ('max', kernel) or '1x1', "
                             f'got {spec!r}')
        bottleneck = [nn.Conv2d(in_channels, channels, kernel_size=1), nn.BatchNorm2d(channels),
                      nn.ReLU(inplace=True)]
        kind, size = spec
        if kind == 'max':
            return nn.Sequential(*bottleneck, nn.MaxPool2d(
                kernel_size=(size, 1), stride=(stride, 1), padding=(size // 2, 0)))
        return nn.Sequential(*bottleneck, TemporalConv(
            channels, channels, kernel_size=kind, stride=stride, dilation=size, with_bn=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C_in, T, V)`` → ``(N, C_out, ceil(T / stride), V)``."""
        out = torch.cat([branch(x) for branch in self.branches], dim=1)
        return self.drop(self.fuse(out))
