"""Batch blending for training: mixup of whole samples."""
from __future__ import annotations

import torch

from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError


@MODELS.register_module()
class MixupBlending:
    """Mixup (Zhang et al., 2018): every sample of a training batch is blended with another
    sample of the same batch, ``x' = λ·x + (1 − λ)·x[partner]``, and the loss is
    ``λ·loss(y) + (1 − λ)·loss(y[partner])`` (:class:`~pyskl_lite.models.Recognizer` does the
    loss part, so label smoothing and class weights keep their meaning).

    One ``λ ~ Beta(alpha, alpha)`` and one random pairing (a permutation of the batch) per
    batch, drawn from torch's global generator (seeded by ``--seed``). All views of a sample
    are blended with the views of the same partner. Works on any input: keypoint tensors
    (a blended skeleton is the per-joint weighted mean of the two, its motion the mean of their
    motions) and heatmap volumes alike.

    Args:
        alpha: the Beta distribution's parameter, > 0. Small values keep most batches close to
            one of the two samples (``alpha=0.2``: λ is below 0.1 or above 0.9 in 67 % of the
            batches). Default 0.2, mmaction2's value.
    """

    def __init__(self, alpha: float = 0.2) -> None:
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha > 0:
            raise InputError(f'MixupBlending: alpha must be a number > 0, got {alpha!r}')
        self.alpha = float(alpha)
        self.beta = torch.distributions.Beta(torch.tensor(self.alpha), torch.tensor(self.alpha))

    def __call__(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, float]:
        """``(B, ...)`` inputs → blended inputs ``(B, ...)``, partner indices ``(B,)`` and λ."""
        lam = float(self.beta.sample())
        partner = torch.randperm(inputs.shape[0], device=inputs.device)
        return lam * inputs + (1.0 - lam) * inputs[partner], partner, lam

    def __repr__(self) -> str:
        return f'{type(self).__name__}(alpha={self.alpha})'
