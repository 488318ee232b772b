"""ConvLSTM: stacked convolutional LSTM layers over heatmap frames (hidden states are maps).

Convolutional LSTM (Shi et al., 2015) on PoseConv3D pseudo-heatmap volumes. Unlike LRCN, which
flattens each frame to a vector before the recurrence, the state of a ConvLSTM cell is a
``C × H × W`` feature map and every gate is a convolution, so *where* a joint moves is kept
through time.

Architecture (defaults in brackets)
-----------------------------------
1. Stem, shared by all frames: 3×3 convolutions with stride 2, BatchNorm2d and ReLU, one per
   entry of ``stem_channels`` [(32, 32): ``H × W`` → ``H/4 × W/4``]. It keeps the recurrent
   layers on small maps, where almost all of the cost is.
2. ``len(hidden_channels)`` ConvLSTM layers [(32, 64)], each run over the whole sequence before
   the next, each followed by BatchNorm2d over its output maps; between two layers every
   frame's map is average-pooled 2×2 (ceil mode). A cell (:class:`ConvLSTMCell`):
   ``i, f, o, g = conv([x_t, h_{t-1}])`` (one ``k × k`` convolution, ``kernel_size`` [3],
   padding ``k // 2``, to ``4 C`` channels), ``c_t = σ(f) ⊙ c_{t-1} + σ(i) ⊙ tanh(g)``,
   ``h_t = σ(o) ⊙ tanh(c_t)``, zero initial state, forget bias initialised to 1, no peephole
   terms (as most implementations).
3. ``temporal_pool``: ``'last'`` (the top layer's final map ``h_T``) or ``'mean'`` (its maps
   averaged over time) [``'last'``].
4. Adaptive average pooling of that map to ``spatial_pool × spatial_pool`` cells [2],
   flattened: ``64 × 2 × 2 = 256`` features, for any ``T, H, W``.

Output ``(N, hidden_channels[-1] × spatial_pool²)`` for ``ClsHead``.

Why the normalisation and the 2 × 2 cells: on 100 synthetic training samples (AdamW 3e-3,
batches of 16, 12 epochs; the overfitting test's setting), the plain stack with the head's
global average reached 10 % training top-1, with BatchNorm after each layer 52 %, and with
BatchNorm and 2 × 2 cells instead of the global average 93 % (``'last'`` and ``'mean'`` pooling
over time within noise of each other): the sigmoid·tanh outputs of a layer are small and
shrink further through the stack, and a global average forgets where on the body (upper /
lower, left / right) the motion is. One layer of 64 channels learnt more slowly (29 %).

Convolving the input half of the gate weights over all ``T`` frames at once (it does not
depend on the recurrence) and only the hidden half step by step was not faster on one CPU
thread (31-42 vs 38 samples/s for a training step of the default model, noisy), so each step
is the plain convolution over ``[x_t, h_{t-1}]``.

Cost, for ``configs/convlstm_heatmap.py`` (32 frames of 17 × 28 × 28 heatmaps): 0.32 M
parameters, 0.27 G multiply-adds per clip (``tools/get_flops.py``; 84 % of it in the gate
convolutions), a forward + backward + SGD step at 39 samples/s on one CPU thread of the shared
2-core machine (load average 4.3, measured before the BatchNorm layers, which add no
multiply-adds, were added; LRCN 84/s; 3.5/s at PoseConv3D's 48 × 56 × 56): about 18 minutes of
training steps for 24 epochs of the 1728 synthetic training samples (C3D-light: about 7 hours);
``tools/benchmark_training.py`` at load 7: 8.2 samples/s (LRCN 15.6); the config's 24 epochs,
4 validations and the 10-clip test took 27 minutes at load 3.5-4. The 100-sample overfitting
test passes at epoch 14. Synthetic ``xsub_val`` top-1 after 24 epochs: 90.4 % (LRCN 62.0 %).
"""
from __future__ import annotations

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError

from .lrcn import check_heatmap_volume, strided_convs
from .lstm import check_temporal_pool


class ConvLSTMCell(nn.Module):
    """One convolutional LSTM layer; the definition is in the module docstring.

    Args:
        in_channels: channels of the input maps ``x_t``.
        hidden_channels: channels ``C`` of ``h_t`` and ``c_t``.
        kernel_size: odd size of the gate convolution. Default 3.
    """

    def __init__(self, in_channels: int, hidden_channels: int, kernel_size: int = 3) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise InputError(f'kernel_size must be odd to keep map sizes, got {kernel_size}')
        self.in_channels = in_channels
        self.hidden_channels = hidden_channels
        self.conv = nn.Conv2d(in_channels + hidden_channels, 4 * hidden_channels, kernel_size,
                              padding=kernel_size // 2)
        with torch.no_grad():
            self.conv.bias.zero_()
            self.conv.bias[hidden_channels:2 * hidden_channels] = 1.0

    def step(self, x: torch.Tensor, hidden: torch.Tensor, cell: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor]:
        """One time step: ``x_t (B, C_in, H, W)``, ``h_{t-1}, c_{t-1} (B, C, H, W)`` →
        ``h_t, c_t``."""
        i, f, o, g = self.conv(torch.cat([x, hidden], dim=1)).chunk(4, dim=1)
        cell = torch.sigmoid(f) * cell + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(cell), cell

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        """``(B, T, C_in, H, W)`` → hidden maps of every step ``(B, T, C, H, W)``."""
        b, t, _, h, w = seq.shape
        hidden = seq.new_zeros(b, self.hidden_channels, h, w)
        cell = torch.zeros_like(hidden)
        outputs = []
        for step in range(t):
            hidden, cell = self.step(seq[:, step], hidden, cell)
            outputs.append(hidden)
        return torch.stack(outputs, dim=1)


@MODELS.register_module()
class ConvLSTM(BaseModule):
    """Stride-2 stem + stacked ConvLSTM layers on heatmap volumes; design in the module
    docstring.

    Args:
        in_channels: heatmap channels ``K`` (joints and/or limbs), derived from the pipeline.
        stem_channels: width of each stride-2 stem convolution; ``()`` for none.
            Default ``(32, 32)``.
        hidden_channels: hidden channels of each ConvLSTM layer. Default ``(32, 64)``.
        kernel_size: odd gate-convolution size. Default 3.
        temporal_pool: ``'last'`` or ``'mean'``. Default ``'last'``.
        spatial_pool: the output map is average-pooled to ``spatial_pool²`` cells and
            flattened. Default 2.
        init_cfg: mmengine init config.

    Input: ``(N, K, T, H, W)``. Output: ``(N, hidden_channels[-1], H', W')``, ``H'`` =
    ``H`` ceil-halved once per stem convolution and once per layer after the first.
    """

    def __init__(self, in_channels: int, stem_channels: tuple[int, ...] = (32, 32),
                 hidden_channels: tuple[int, ...] = (32, 64), kernel_size: int = 3,
                 temporal_pool: str = 'last', spatial_pool: int = 2,
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not hidden_channels or spatial_pool < 1:
            raise InputError('ConvLSTM needs at least one layer in hidden_channels and '
                             f'spatial_pool >= 1, got hidden_channels={hidden_channels}, '
                             f'spatial_pool={spatial_pool}')
        self.in_channels = in_channels
        self.temporal_pool = check_temporal_pool(temporal_pool)
        self.stem = strided_convs(in_channels, stem_channels) if stem_channels \
            else nn.Identity()
        channels = stem_channels[-1] if stem_channels else in_channels
        self.cells = nn.ModuleList()
        self.norms = nn.ModuleList()
        for width in hidden_channels:
            self.cells.append(ConvLSTMCell(channels, width, kernel_size))
            self.norms.append(nn.BatchNorm2d(width))
            channels = width
        self.between = nn.AvgPool2d(2, 2, ceil_mode=True)
        self.spatial_pool = nn.AdaptiveAvgPool2d(spatial_pool)
        self.out_channels = channels * spatial_pool ** 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, K, T, H, W)`` → ``(N, out_channels)``."""
        check_heatmap_volume(x, self.in_channels, 'ConvLSTM')
        n, k, t, h, w = x.shape
        frames = self.stem(x.transpose(1, 2).reshape(n * t, k, h, w))
        for index, (cell, norm) in enumerate(zip(self.cells, self.norms, strict=True)):
            if index:
                frames = self.between(frames)
            frames = norm(cell(frames.view(n, t, *frames.shape[1:])).flatten(0, 1))
        seq = frames.view(n, t, *frames.shape[1:])
        last = seq[:, -1] if self.temporal_pool == 'last' else seq.mean(dim=1)
        return self.spatial_pool(last).flatten(1)
