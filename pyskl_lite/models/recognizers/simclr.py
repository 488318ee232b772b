"""SimCLR pretraining of any keypoint backbone: two views, a projection head, NT-Xent.

A batch is ``(B, 2, ...)``: two augmented views of each of ``B`` sequences (``MultiView`` in
the pipeline). Both views go through the backbone and the projection head; NT-Xent pulls the
two embeddings of a sequence together and pushes the other ``2B - 2`` away. Labels are never
read: ``data_samples`` pass through unused.

Large batches on a CPU: contrastive learning wants many negatives, but autograd keeps every
activation of the batch until the backward pass. With ``chunk_size`` the model uses gradient
caching (Gao et al., "Scaling Deep Contrastive Learning Batch Size under Memory Limited
Setup", 2021): (1) embed the views ``chunk_size`` at a time without autograd, (2) compute the
loss and its gradient ``∂L/∂z`` with respect to the ``(2B, D)`` embeddings over the whole
batch, (3) in the backward pass re-run each chunk with autograd and backpropagate its slice of
``∂L/∂z``. Peak activation memory is that of one chunk, not of the batch, for one extra
forward pass. Loss and gradients equal those of the plain computation on the same chunks
(``test_simclr.py``), also across processes (``DistributedDataParallel``); the random-number
state of each chunk is replayed (dropout) and batch norm's running statistics are updated once
per chunk, as in the plain computation. Batch
norm normalises with the statistics of a chunk in both (as with SimCLR's per-device BN).
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import torch
import torch.nn as nn
from mmengine.model import BaseModel

from pyskl_lite.registry import MODELS
from pyskl_lite.structures.action_data_sample import ActionDataSample
from pyskl_lite.utils import InputError


@contextlib.contextmanager
def _frozen_norm_buffers(module: nn.Module) -> Iterator[None]:
    """Within the block batch norm layers normalise as usual, but their running statistics
    are restored afterwards (the gradient-caching re-run must not count a chunk twice)."""
    saved = [(m, {k: v.clone() for k, v in m.named_buffers(recurse=False) if v is not None})
             for m in module.modules() if isinstance(m, nn.modules.batchnorm._NormBase)]
    try:
        yield
    finally:
        for norm, buffers in saved:
            for name, value in buffers.items():
                getattr(norm, name).copy_(value)


class _CachedGradientLoss(torch.autograd.Function):
    """``loss(embed(views))`` evaluated chunk by chunk without keeping the batch's graph.

    ``forward`` embeds the chunks under ``no_grad``, evaluates the loss and ``∂L/∂z`` on the
    whole batch and returns the loss and the (non-differentiable) embeddings; ``backward``
    re-runs each chunk with autograd (same random state), takes the gradient of ``z · ∂L/∂z``
    with respect to ``params`` and returns the sum over the chunks as the gradient of
    ``params``, which are inputs of this function. So autograd accumulates every parameter's
    gradient once per step, as after a plain forward: ``DistributedDataParallel``'s hooks
    then fire once and average the full gradient (a nested ``backward`` into ``.grad`` would
    fire them per chunk and average partial gradients).
    """

    @staticmethod
    def forward(ctx, embed: Callable[[torch.Tensor], torch.Tensor],
                loss_fn: Callable[[torch.Tensor], torch.Tensor], views: torch.Tensor,
                chunk_size: int, module: nn.Module, *params: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        chunks = views.split(chunk_size)
        states, embedded = [], []
        with torch.no_grad():
            for chunk in chunks:
                states.append(torch.get_rng_state())
                embedded.append(embed(chunk))
        with torch.enable_grad():
            embeddings = torch.cat(embedded).requires_grad_()
            loss = loss_fn(embeddings)
            (grad,) = torch.autograd.grad(loss, embeddings)
        ctx.embed, ctx.module, ctx.chunks, ctx.states = embed, module, chunks, states
        ctx.params = params
        ctx.grads = grad.split(chunk_size)
        ctx.mark_non_differentiable(embeddings)
        return loss.detach(), embeddings.detach()

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor, _grad_embeddings: torch.Tensor
                 ) -> tuple[torch.Tensor | None, ...]:
        resume = torch.get_rng_state()
        totals: list[torch.Tensor | None] = [None] * len(ctx.params)
        with torch.enable_grad(), _frozen_norm_buffers(ctx.module):
            for chunk, state, grad in zip(ctx.chunks, ctx.states, ctx.grads, strict=True):
                torch.set_rng_state(state)
                parts = torch.autograd.grad(ctx.embed(chunk), ctx.params, grad * grad_output,
                                            allow_unused=True)
                totals = [total if part is None else part if total is None else total + part
                          for total, part in zip(totals, parts, strict=True)]
        torch.set_rng_state(resume)
        return (None, None, None, None, None, *totals)


def sequence_ids(data_samples: list[ActionDataSample] | None) -> torch.Tensor | None:
    """``(B,)`` int64: equal for samples with the same ``frame_dir`` metainfo; None when the
    samples carry none."""
    names = [sample.metainfo.get('frame_dir') for sample in data_samples or ()]
    if not names or any(name is None for name in names):
        return None
    index: dict[str, int] = {}
    return torch.tensor([index.setdefault(name, len(index)) for name in names])


@MODELS.register_module()
class SimCLR(BaseModel):
    """Self-supervised pretraining: backbone → ``ProjectionHead`` → ``NTXentLoss``.

    The backbone is any keypoint backbone (``KeypointC3D``, ``STGCN``, ``LSTMBackbone``) with
    the same config as in its supervised config, so that ``load_from=<this checkpoint>`` in
    that config starts from these weights (``backbone.*``; ``projector.*`` is ignored).

    Modes: ``loss`` → ``{'loss_nt_xent', 'pair_top1'}`` (``pair_top1``: share of views whose
    nearest other view is their partner, logged, not optimised); ``tensor`` → embeddings
    ``(B, num_views, D)``. ``predict`` is refused: a pretrained model has no classes.

    Args:
        backbone: backbone config.
        projector: projection head config; default ``dict(type='ProjectionHead')``, its
            ``in_channels`` taken from the backbone.
        loss: loss config; default ``dict(type='NTXentLoss')`` (temperature 0.1).
        chunk_size: views embedded at once with gradient caching (module doc); None (default)
            embeds all ``2B`` views in one pass, the plain way.
        data_preprocessor: config; default ``dict(type='ActionDataPreprocessor')``.
        init_cfg: mmengine init config.
    """

    def __init__(self, backbone: dict, projector: dict | None = None, loss: dict | None = None,
                 chunk_size: int | None = None, data_preprocessor: dict | None = None,
                 init_cfg: dict | None = None) -> None:
        preprocessor = MODELS.build(data_preprocessor or dict(type='ActionDataPreprocessor'))
        super().__init__(data_preprocessor=preprocessor, init_cfg=init_cfg)
        if chunk_size is not None and chunk_size < 1:
            raise InputError(f'SimCLR chunk_size must be >= 1 or None, got {chunk_size}')
        self.backbone = MODELS.build(backbone)
        projector = dict(projector or dict(type='ProjectionHead'))
        if projector.get('in_channels') is None:
            projector['in_channels'] = self.backbone.out_channels
        self.projector = MODELS.build(projector)
        self.loss_fn = MODELS.build(loss or dict(type='NTXentLoss'))
        self.chunk_size = chunk_size

    def embed(self, views: torch.Tensor) -> torch.Tensor:
        """``(n, ...)`` single views → ``(n, D)`` projections."""
        return self.projector(self.backbone(views))

    def forward(self, inputs: torch.Tensor, data_samples: list[ActionDataSample] | None = None,
                mode: str = 'tensor') -> dict | torch.Tensor:
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'tensor':
            batch, views = inputs.shape[:2]
            return self.embed(inputs.flatten(0, 1)).view(batch, views, -1)
        if mode == 'predict':
            raise InputError('SimCLR is a pretraining model without classes: fine-tune or '
                             'linear-probe it with a supervised config and --cfg-options '
                             'load_from=<this checkpoint>')
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")

    def loss(self, inputs: torch.Tensor, data_samples: list[ActionDataSample] | None = None
             ) -> dict[str, torch.Tensor]:
        """``(B, 2, ...)`` view pairs → NT-Xent over the ``2B`` views, and ``pair_top1``.

        Only the ``frame_dir`` of ``data_samples`` is read (never a label): two samples of one
        sequence in a batch are not each other's negatives.
        """
        if inputs.ndim < 3 or inputs.shape[1] != 2:
            raise InputError('SimCLR needs two views per sample, inputs (B, 2, ...); got shape '
                             f'{tuple(inputs.shape)}: wrap the training pipeline in '
                             'MultiView(num_views=2)')
        ids = sequence_ids(data_samples)

        def loss_fn(embeddings: torch.Tensor) -> torch.Tensor:
            return self.loss_fn(embeddings, ids)

        views = inputs.flatten(0, 1)
        if self.chunk_size is None or self.chunk_size >= len(views):
            embeddings = self.embed(views)
            loss = loss_fn(embeddings)
        else:
            params = [p for p in self.parameters() if p.requires_grad]
            loss, embeddings = _CachedGradientLoss.apply(self.embed, loss_fn, views,
                                                         self.chunk_size, self, *params)
        return {'loss_nt_xent': loss, 'pair_top1': self._pair_top1(embeddings, ids)}

    def _pair_top1(self, embeddings: torch.Tensor, ids: torch.Tensor | None) -> torch.Tensor:
        with torch.no_grad():
            logits = self.loss_fn.logits(embeddings.detach(), ids)
            partners = self.loss_fn.partners(len(logits), logits.device)
            return (logits.argmax(dim=1) == partners).float().mean()
