"""NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR (Chen et al., 2020)."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError


@MODELS.register_module()
class NTXentLoss(nn.Module):
    """Contrastive loss over ``2N`` embeddings holding ``N`` positive pairs.

    Rows ``2k`` and ``2k + 1`` are the two views of sample ``k`` (the order of a
    ``(N, 2, D)`` tensor flattened to ``(2N, D)``). With ``z`` the L2-normalised rows and
    ``s_ij = z_i · z_j / τ``, the loss of row ``i`` with partner ``p(i)`` is
    ``-log(exp(s_i,p(i)) / Σ_{j ≠ i} exp(s_ij))``; the result is the mean over all ``2N`` rows,
    so every other row of the batch is a negative. With ``sample_ids`` (the sequence each pair
    was cut from), views of the same sequence in other pairs of the batch are no negatives
    either (they are left out of the sum): a dataset repeated within an epoch
    (``RepeatDataset``) puts one sequence into a batch more than once.

    Args:
        temperature: ``τ`` > 0. Default 0.1.
        loss_weight: factor applied to the loss. Default 1.0.
    """

    def __init__(self, temperature: float = 0.1, loss_weight: float = 1.0) -> None:
        super().__init__()
        if not temperature > 0:
            raise InputError(f'NTXentLoss temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight

    def logits(self, embeddings: torch.Tensor, sample_ids: torch.Tensor | None = None
               ) -> torch.Tensor:
        """``(2N, D)`` → ``(2N, 2N)`` scaled cosine similarities; the diagonal (and, with
        ``sample_ids`` ``(N,)``, other views of the same sequence except the partner) at
        ``-inf``."""
        if embeddings.ndim != 2 or embeddings.shape[0] % 2 or embeddings.shape[0] < 2:
            raise InputError('NTXentLoss expects (2N, D) embeddings of N >= 1 view pairs, got '
                             f'shape {tuple(embeddings.shape)}')
        z = F.normalize(embeddings, dim=1)
        sim = z @ z.t() / self.temperature
        size = sim.shape[0]
        excluded = torch.eye(size, dtype=torch.bool, device=sim.device)
        if sample_ids is not None:
            ids = sample_ids.to(sim.device).repeat_interleave(2)
            excluded |= ids[:, None] == ids[None, :]
            excluded[torch.arange(size, device=sim.device),
                     self.partners(size, sim.device)] = False
        return sim.masked_fill(excluded, float('-inf'))

    @staticmethod
    def partners(size: int, device: torch.device | None = None) -> torch.Tensor:
        """``(size,)`` index of each row's positive: 1, 0, 3, 2, ..."""
        return torch.arange(size, device=device) ^ 1

    def forward(self, embeddings: torch.Tensor, sample_ids: torch.Tensor | None = None
                ) -> torch.Tensor:
        """``(2N, D)`` embeddings (pairs in consecutive rows) and optional ``(N,)`` int
        sequence ids → scalar loss."""
        logits = self.logits(embeddings, sample_ids)
        return self.loss_weight * F.cross_entropy(
            logits, self.partners(logits.shape[0], logits.device))
