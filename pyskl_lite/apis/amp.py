"""Mixed precision on the CPU: bfloat16 autocast for ``tools/train.py --amp`` without a GPU.

mmengine's ``AmpOptimWrapper`` (float16 with loss scaling) refuses to run without a GPU. On a
CPU, bfloat16 is the mixed-precision type: oneDNN runs convolutions and matrix products in
bfloat16 on CPUs with native support (AVX512-BF16 or AMX), while autocast keeps reductions
(batch norm, softmax, the loss) and the weights, gradients and optimiser state in float32.
bfloat16 has float32's exponent range, so no loss scaling is needed.

Measured on this project's 2-core VM (AVX512-BF16, no AMX), one thread, training step of
C3D-light on ``(8, 17, 48, 56, 56)`` heatmap volumes: 1.21 samples/s in float32, 2.37 with
bfloat16 autocast. On CPUs without native bfloat16 it would be emulated and slower, so
:func:`check_cpu_bf16` refuses it there.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from pyskl_lite.registry import OPTIM_WRAPPERS
from pyskl_lite.utils import InputError


def cpu_bf16_supported() -> bool:
    """Whether this CPU computes bfloat16 natively (oneDNN's own check)."""
    return bool(torch.backends.mkldnn.is_available()
                and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def check_cpu_bf16() -> None:
    """Raise the one-line error for ``--amp`` on a CPU that has no native bfloat16."""
    if not cpu_bf16_supported():
        raise InputError('--amp: no CUDA GPU is visible and this CPU has no native bfloat16 '
                         '(AVX512-BF16 or AMX), where mixed precision would be slower than '
                         'float32; train without --amp')


def use_amp(cfg: Config, gpu: bool | None = None) -> str:
    """Switch ``cfg.optim_wrapper`` to mixed precision (``--amp``): mmengine's
    ``AmpOptimWrapper`` (float16, dynamic loss scaling) on a CUDA GPU, else
    :class:`CPUAmpOptimWrapper` (bfloat16) where the CPU computes bfloat16 natively.

    Args:
        cfg: the loaded config; its ``optim_wrapper.type`` is replaced.
        gpu: whether the model trains on a CUDA GPU. Default: whether one is visible.

    Returns:
        The autocast type, ``'float16'`` or ``'bfloat16'``.

    Raises:
        InputError: no GPU and no native bfloat16 on the CPU.
    """
    if torch.cuda.is_available() if gpu is None else gpu:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        return 'float16'
    check_cpu_bf16()
    cfg.optim_wrapper.type = 'CPUAmpOptimWrapper'
    return 'bfloat16'


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward passes run under ``torch.autocast('cpu', bfloat16)``.

    Same arguments as mmengine's ``OptimWrapper`` (``optimizer``, ``clip_grad``,
    ``accumulative_counts``); the optimiser step, gradient clipping and checkpoints are
    float32 as without it. Validation and testing run in float32.
    """

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        with super().optim_context(model), torch.autocast('cpu', dtype=torch.bfloat16):
            yield
