"""LRCN: a small 2D CNN on every heatmap frame, then an LSTM or GRU over time.

Long-term recurrent convolutional network (Donahue et al., 2015) on PoseConv3D pseudo-heatmap
volumes: the ``K`` joint / limb heatmaps of one frame are the channels of a 2D image, so the
CNN sees which joint lies where; the recurrent layers see how that changes from frame to frame.

Architecture (defaults in brackets)
-----------------------------------
1. Frame CNN, shared by all frames (frames folded into the batch): one 3×3 convolution with
   stride 2 (padding 1, no bias), BatchNorm2d and ReLU per entry of ``cnn_channels``
   [(32, 64, 128): ``H × W`` → ``H/8 × W/8``].
2. Adaptive average pooling to ``spatial_pool × spatial_pool`` cells [2] and flattening: the
   frame feature keeps where in the picture (upper half / lower half, left / right) the
   activity is, which a global average would erase — ``128 × 2 × 2 = 512`` features; any
   ``H, W`` works.
3. ``nn.LSTM`` or ``nn.GRU`` over the ``T`` frame features (``rnn_type``, ``hidden_size``,
   ``num_layers``, ``bidirectional``, ``dropout`` between layers) [one bidirectional LSTM
   layer, 128 units per direction].
4. ``temporal_pool``: ``'last'`` (the final state of each direction) or ``'mean'`` (outputs
   averaged over time) [``'last'``].

Output ``(N, D)``, ``D = hidden_size × directions`` [256], for ``ClsHead``.

Cost (why it is this small)
---------------------------
Multiply-adds per frame of ``K × H × W`` = 17 × 28 × 28 (``configs/lrcn_heatmap.py`` renders
the heatmaps at half PoseConv3D's size, 32 frames): 3.0 M in the CNN + 0.33 M per LSTM
direction, 0.12 G per clip (``tools/get_flops.py``; C3D-light on 17 × 48 × 56 × 56: 16.8 G).
Measured on the shared 2-core CPU, one thread, a forward + backward + SGD step on batches of
16 random volumes (load average 4.3): 84 samples/s at 32 × 28 × 28, 11 samples/s at
PoseConv3D's 48 × 56 × 56 (ConvLSTM: 39 and 3.5); the data pipeline renders about 1700
volumes/s of 32 × 28 × 28 (700/s at full size), so the model is the cost. At 84 samples/s the
24 epochs over the 1728 synthetic training samples are about 8 minutes of training steps; under
the heavier load of the measured runs (``tools/benchmark_training.py``: 15.6 samples/s at load
6.5) the config's 24 epochs, 4 validations and the 10-clip test took 21 minutes at load 3.5-4
(C3D-light: about 7 hours for 24 epochs). The 100-sample overfitting test passes at epoch 12
(``tools/sanity_check.py``). Synthetic ``xsub_val`` top-1 after 24 epochs: 62.0 % (ConvLSTM
90.4 %); LRCN still underfits then (73 % training top-1).
"""
from __future__ import annotations

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError

from .lstm import check_temporal_pool, pool_rnn_outputs

RNN_TYPES = {'lstm': nn.LSTM, 'gru': nn.GRU}


def check_heatmap_volume(x: torch.Tensor, in_channels: int, backbone: str) -> None:
    """Refuse anything but a ``(N, in_channels, T, H, W)`` heatmap volume in one line."""
    if x.ndim != 5 or x.shape[1] != in_channels:
        raise InputError(f'{backbone} expects heatmap volumes (N, {in_channels}, T, H, W), got '
                         f'shape {tuple(x.shape)}; its in_channels is derived from the '
                         "pipeline's heatmap count (FormatShape('NCTHW_Heatmap'))")


def strided_convs(in_channels: int, channels: tuple[int, ...] | list[int]) -> nn.Sequential:
    """3×3 convolutions with stride 2, padding 1, BatchNorm2d and ReLU, one per width in
    ``channels``: ``(B, in_channels, H, W)`` → ``(B, channels[-1], H / 2^n, W / 2^n)``
    (ceil at every step)."""
    layers = []
    for width in channels:
        layers.append(ConvModule(in_channels, width, 3, stride=2, padding=1,
                                 norm_cfg=dict(type='BN2d'), act_cfg=dict(type='ReLU')))
        in_channels = width
    return nn.Sequential(*layers)


@MODELS.register_module()
class LRCN(BaseModule):
    """Per-frame 2D CNN + LSTM / GRU on heatmap volumes; design in the module docstring.

    Args:
        in_channels: heatmap channels ``K`` (joints and/or limbs), derived from the pipeline.
        cnn_channels: width of each stride-2 convolution of the frame CNN.
            Default ``(32, 64, 128)``.
        spatial_pool: frame features are ``cnn_channels[-1] × spatial_pool²``. Default 2.
        rnn_type: ``'lstm'`` or ``'gru'``. Default ``'lstm'``.
        hidden_size: recurrent units per direction. Default 128.
        num_layers: stacked recurrent layers. Default 1.
        bidirectional: a backward RNN as well, outputs concatenated. Default True.
        dropout: dropout between recurrent layers (none with one layer). Default 0.
        temporal_pool: ``'last'`` or ``'mean'`` (see :func:`pool_rnn_outputs`). Default
            ``'last'``.
        init_cfg: mmengine init config.

    Input: ``(N, K, T, H, W)``. Output: ``(N, hidden_size × directions)``.
    """

    def __init__(self, in_channels: int, cnn_channels: tuple[int, ...] = (32, 64, 128),
                 spatial_pool: int = 2, rnn_type: str = 'lstm', hidden_size: int = 128,
                 num_layers: int = 1, bidirectional: bool = True, dropout: float = 0.0,
                 temporal_pool: str = 'last', init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if rnn_type not in RNN_TYPES:
            raise InputError(f'rnn_type must be one of {tuple(RNN_TYPES)}, got {rnn_type!r}')
        if not cnn_channels or spatial_pool < 1:
            raise InputError('LRCN needs at least one CNN layer and spatial_pool >= 1, got '
                             f'cnn_channels={cnn_channels}, spatial_pool={spatial_pool}')
        self.in_channels = in_channels
        self.temporal_pool = check_temporal_pool(temporal_pool)
        self.cnn = strided_convs(in_channels, cnn_channels)
        self.pool = nn.AdaptiveAvgPool2d(spatial_pool)
        self.rnn = RNN_TYPES[rnn_type](cnn_channels[-1] * spatial_pool ** 2, hidden_size,
                                       num_layers=num_layers, batch_first=True,
                                       bidirectional=bidirectional,
                                       dropout=dropout if num_layers > 1 else 0.0)
        self.directions = 2 if bidirectional else 1
        self.out_channels = hidden_size * self.directions

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, K, T, H, W)`` → ``(N, out_channels)``."""
        check_heatmap_volume(x, self.in_channels, 'LRCN')
        n, k, t, h, w = x.shape
        frames = x.transpose(1, 2).reshape(n * t, k, h, w)
        feats = self.pool(self.cnn(frames)).reshape(n, t, -1)
        outputs, hidden = self.rnn(feats)
        if isinstance(hidden, tuple):  # LSTM: (h_n, c_n)
            hidden = hidden[0]
        return pool_rnn_outputs(outputs, hidden, self.directions, self.temporal_pool)
