"""C3D as PoseConv3D uses it on joint / limb heatmap volumes."""
from __future__ import annotations

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError


def conv3d_bn_relu(in_channels: int, out_channels: int,
                   kernel_size: int | tuple[int, int, int] = 3) -> ConvModule:
    """3D convolution (odd kernel, size-preserving padding, no bias) → BatchNorm3d → ReLU."""
    sizes = (kernel_size,) * 3 if isinstance(kernel_size, int) else tuple(kernel_size)
    if any(k % 2 == 0 for k in sizes):
        raise InputError(f'kernel sizes must be odd to keep sizes, got {sizes}')
    return ConvModule(in_channels, out_channels, sizes, padding=tuple(k // 2 for k in sizes),
                      conv_cfg=dict(type='Conv3d'), norm_cfg=dict(type='BN3d'),
                      act_cfg=dict(type='ReLU'))


@MODELS.register_module()
class C3D(BaseModule):
    """C3D without its fully connected layers (Tran et al., 2015), as in PoseConv3D.

    Stages (``b = base_channels``): conv1a (b) → spatial avg-pool /2 → conv2a (2b) → pool →
    conv3a, conv3b (4b) → pool → conv4a, conv4b (8b) [→ pool → conv5a, conv5b (8b) when
    ``num_stages == 4``]. Every conv is 3×3×3, padding 1, BatchNorm3d, ReLU. The pools after
    conv2a and later halve time, height and width, or only height and width when
    ``temporal_downsample`` is False.

    C3D-light of PoseConv3D: ``in_channels=17, base_channels=32, num_stages=3,
    temporal_downsample=False`` on 17×48×56×56 joint heatmaps → ``(N, 256, 48, 7, 7)``.

    Args:
        in_channels: heatmap channels ``K`` (joints and/or limbs). Default 3.
        base_channels: width ``b`` of the first stage. Default 64.
        num_stages: 3 or 4. Default 4.
        temporal_downsample: pool time as well as space after stage 2 onwards. Default True.
        init_cfg: mmengine init config, e.g. ``dict(type='Pretrained', checkpoint=...)``.

    Input: ``(N, K, T, H, W)``. Output: ``(N, 8b, T', H / 2 ** num_stages, W / 2 ** num_stages)``
    with ``T' = T / 2 ** (num_stages - 1)`` when ``temporal_downsample`` else ``T``
    (floors at every pool).
    """

    def __init__(self, in_channels: int = 3, base_channels: int = 64, num_stages: int = 4,
                 temporal_downsample: bool = True, init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_stages not in (3, 4):
            raise InputError(f'num_stages must be 3 or 4, got {num_stages}')
        self.in_channels = in_channels
        self.num_stages = num_stages
        self.temporal_downsample = temporal_downsample
        b = base_channels
        pool_size = (2, 2, 2) if temporal_downsample else (1, 2, 2)
        layers: list[nn.Module] = [
            conv3d_bn_relu(in_channels, b),
            nn.AvgPool3d((1, 2, 2), (1, 2, 2)),
            conv3d_bn_relu(b, 2 * b),
            nn.AvgPool3d(pool_size, pool_size),
            conv3d_bn_relu(2 * b, 4 * b), conv3d_bn_relu(4 * b, 4 * b),
            nn.AvgPool3d(pool_size, pool_size),
            conv3d_bn_relu(4 * b, 8 * b), conv3d_bn_relu(8 * b, 8 * b),
        ]
        if num_stages == 4:
            layers += [nn.AvgPool3d(pool_size, pool_size),
                       conv3d_bn_relu(8 * b, 8 * b), conv3d_bn_relu(8 * b, 8 * b)]
        self.layers = nn.Sequential(*layers)
        self.out_channels = 8 * b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, K, T, H, W)`` → ``(N, 8b, T', H', W')``."""
        return self.layers(x)
