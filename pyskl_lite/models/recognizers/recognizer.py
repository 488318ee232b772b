"""The recognizer: backbone + classification head, multi-view training and testing."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from pyskl_lite.registry import MODELS
from pyskl_lite.structures.action_data_sample import ActionDataSample
from pyskl_lite.utils import InputError

AVERAGE_CLIPS = ('prob', 'score', None)


@MODELS.register_module()
class Recognizer(BaseModel):
    """Skeleton action recognizer for every backbone of pyskl_lite (mmengine ``BaseModel``).

    A batch is ``(B, num_views, ...)`` (views = clips × flip copies). All modes fold the views
    into the batch, so the backbone sees ``(B · num_views, ...)``:

    * ``loss``: cross-entropy over every view (each view carries its sample's label); with
      ``blending`` (mixup) the batch is blended first and the loss is the blend's mix of the
      two samples' losses;
    * ``predict``: per-view logits averaged per sample by ``test_cfg['average_clips']``:
      ``'prob'`` averages softmax probabilities, ``'score'`` averages raw logits, ``None`` keeps
      the raw logits of a single view (only valid with ``num_views == 1``). The result is
      ``pred_score (num_classes,)`` of every returned :class:`ActionDataSample`, which also
      carries both averages (``pred_prob``, ``pred_logit``) and ``score_kind``.
      ``test_cfg['max_testing_views']`` runs at most that many views per sample at once to
      bound memory (same result as all at once, in eval mode);
    * ``tensor``: raw logits ``(B, num_views, num_classes)``.

    Args:
        backbone: backbone config (e.g. ``dict(type='KeypointC3D', ...)``).
        cls_head: head config (e.g. ``dict(type='ClsHead', ...)``); without ``in_channels``
            it takes the backbone's ``out_channels``.
        data_preprocessor: config; default ``dict(type='ActionDataPreprocessor')``.
        blending: training-batch blending config, e.g. ``dict(type='MixupBlending',
            alpha=0.2)`` (:class:`~pyskl_lite.models.recognizers.blending.MixupBlending`);
            ``--cfg-options model.blending.type=MixupBlending`` on any recognizer config.
            Only the ``loss`` mode blends; validation and testing see the samples as they
            are. Default None (no blending).
        test_cfg: ``dict(average_clips='prob', max_testing_views=None)``.
        freeze_backbone: linear probe: the backbone's parameters get no gradient and it stays
            in eval mode (batch norm uses and keeps its running statistics, dropout is off);
            only the head learns. Default False. Typically with ``load_from=`` a pretrained
            (e.g. ``SimCLR``) checkpoint: ``--cfg-options model.freeze_backbone=True``.
        init_cfg: mmengine init config.
    """

    def __init__(self, backbone: dict, cls_head: dict, data_preprocessor: dict | None = None,
                 test_cfg: dict | None = None, freeze_backbone: bool = False,
                 blending: dict | None = None, init_cfg: dict | None = None) -> None:
        preprocessor = MODELS.build(data_preprocessor or dict(type='ActionDataPreprocessor'))
        super().__init__(data_preprocessor=preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        if cls_head.get('in_channels') is None:
            cls_head = dict(cls_head, in_channels=self.backbone.out_channels)
        self.cls_head = MODELS.build(cls_head)
        self.freeze_backbone = bool(freeze_backbone)
        self.blending = MODELS.build(blending) if blending else None
        if self.freeze_backbone:
            self.backbone.requires_grad_(False)
        test_cfg = dict(test_cfg or {})
        self.average_clips = test_cfg.pop('average_clips', 'prob')
        self.max_testing_views = test_cfg.pop('max_testing_views', None)
        if test_cfg:
            raise InputError(f'unknown test_cfg keys {sorted(test_cfg)}; known: '
                             'average_clips, max_testing_views')
        if self.average_clips not in AVERAGE_CLIPS:
            raise InputError(f'average_clips must be one of {AVERAGE_CLIPS}, '
                             f'got {self.average_clips!r}')
        if self.max_testing_views is not None and self.max_testing_views < 1:
            raise InputError('max_testing_views must be >= 1 or None, '
                             f'got {self.max_testing_views}')

    def train(self, mode: bool = True) -> Recognizer:
        """As ``nn.Module.train``, but a frozen backbone stays in eval mode."""
        super().train(mode)
        if self.freeze_backbone:
            self.backbone.eval()
        return self

    def view_logits(self, inputs: torch.Tensor) -> torch.Tensor:
        """``(B, num_views, ...)`` → logits ``(B, num_views, num_classes)``."""
        batch, views = inputs.shape[:2]
        logits = self.cls_head(self.backbone(inputs.flatten(0, 1)))
        return logits.view(batch, views, -1)

    def forward(self, inputs: torch.Tensor, data_samples: list[ActionDataSample] | None = None,
                mode: str = 'tensor') -> dict | list | torch.Tensor:
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.view_logits(inputs)
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")

    def loss(self, inputs: torch.Tensor, data_samples: list[ActionDataSample]
             ) -> dict[str, torch.Tensor]:
        """Cross-entropy over all ``B · num_views`` views; also logs ``top1_acc`` (under
        blending: against the label that weighs more in the blend)."""
        labels = torch.cat([sample.gt_label for sample in data_samples]).to(inputs.device)
        views = inputs.shape[1]
        if self.blending is None:
            logits = self.view_logits(inputs)
            return self.cls_head.loss(logits.flatten(0, 1), labels.repeat_interleave(views))
        inputs, partner, lam = self.blending(inputs)
        logits = self.view_logits(inputs).flatten(0, 1)
        own = self.cls_head.loss(logits, labels.repeat_interleave(views))
        other = self.cls_head.loss(logits, labels[partner].repeat_interleave(views))
        return {'loss_cls': lam * own['loss_cls'] + (1.0 - lam) * other['loss_cls'],
                'top1_acc': own['top1_acc'] if lam >= 0.5 else other['top1_acc']}

    def predict(self, inputs: torch.Tensor, data_samples: list[ActionDataSample] | None = None
                ) -> list[ActionDataSample]:
        """Average the views of every sample; returns data samples with ``pred_score``."""
        views = inputs.shape[1]
        if self.average_clips is None and views != 1:
            raise InputError(f'average_clips=None keeps one view per sample, got {views} views; '
                             "use 'prob' or 'score'")
        chunk = self.max_testing_views or views
        logits = torch.cat([self.view_logits(inputs[:, start:start + chunk])
                            for start in range(0, views, chunk)], dim=1)
        probs = F.softmax(logits, dim=2).mean(dim=1).detach()
        mean_logits = logits.mean(dim=1).detach()
        kind = 'prob' if self.average_clips == 'prob' else 'score'
        scores = probs if kind == 'prob' else mean_logits
        if data_samples is None:
            data_samples = [ActionDataSample() for _ in range(len(scores))]
        for sample, score, prob, logit in zip(data_samples, scores, probs, mean_logits,
                                              strict=True):
            sample.set_pred_score(score)
            sample.set_view_averages(prob, logit, kind)
        return data_samples
