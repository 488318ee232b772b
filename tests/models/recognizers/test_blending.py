import pytest
import torch
import torch.nn.functional as F
from mmengine.dataset import pseudo_collate

from pyskl_lite.models.recognizers import MixupBlending, Recognizer
from pyskl_lite.registry import MODELS

from .test_recognizer import NUM_CLASSES, packed_batch


def mixup_recognizer(alpha: float = 0.4) -> Recognizer:
    torch.manual_seed(0)
    return Recognizer(
        backbone=dict(type='LSTMBackbone', hidden_size=6, num_layers=1, embed_channels=8),
        cls_head=dict(type='ClsHead', num_classes=NUM_CLASSES, in_channels=12, dropout=0.0,
                      init_std=0.5, loss_cls=dict(type='CrossEntropyLoss', label_smoothing=0.1)),
        blending=dict(type='MixupBlending', alpha=alpha))


def test_mixup_blends_each_sample_with_its_partner_by_one_lambda():
    inputs = torch.randn(6, 2, 3, 4)
    torch.manual_seed(3)
    blended, partner, lam = MixupBlending(alpha=0.4)(inputs)
    assert 0.0 < lam < 1.0
    assert sorted(partner.tolist()) == list(range(6))
    torch.testing.assert_close(blended, lam * inputs + (1 - lam) * inputs[partner])


def test_mixup_draws_lambda_from_beta_alpha_alpha():
    torch.manual_seed(0)
    mixup = MixupBlending(alpha=0.2)
    lams = torch.tensor([mixup(torch.zeros(2, 1))[2] for _ in range(4000)])
    # Beta(0.2, 0.2): mean 1/2, variance 1 / (4 · (2·0.2 + 1)) = 0.179; most mass near 0 and 1.
    assert lams.mean().item() == pytest.approx(0.5, abs=0.03)
    assert lams.var().item() == pytest.approx(1 / (4 * 1.4), abs=0.015)
    assert ((lams < 0.1) | (lams > 0.9)).float().mean().item() > 0.6


@pytest.mark.parametrize('alpha', [0, -1.0, 'x', True])
def test_mixup_refuses_a_bad_alpha(alpha):
    with pytest.raises(ValueError, match='alpha must be a number > 0'):
        MODELS.build(dict(type='MixupBlending', alpha=alpha))


def test_loss_mixes_the_two_labels_losses_on_the_blended_views():
    model = mixup_recognizer()
    data = model.data_preprocessor(pseudo_collate(packed_batch(batch=4, views=2)), True)
    model.eval()  # the same BN statistics for the model's loss and the hand computation
    torch.manual_seed(7)
    blended, partner, lam = model.blending(data['inputs'])
    torch.manual_seed(7)
    losses = model(**data, mode='loss')
    logits = model(blended).flatten(0, 1)
    labels = torch.tensor([0, 1, 2, 3])
    own = F.cross_entropy(logits, labels.repeat_interleave(2), label_smoothing=0.1)
    other = F.cross_entropy(logits, labels[partner].repeat_interleave(2), label_smoothing=0.1)
    torch.testing.assert_close(losses['loss_cls'], lam * own + (1 - lam) * other)
    majority = labels if lam >= 0.5 else labels[partner]
    expected_acc = (logits.argmax(1) == majority.repeat_interleave(2)).float().mean()
    torch.testing.assert_close(losses['top1_acc'], expected_acc)


def test_prediction_never_blends():
    mixed, plain = mixup_recognizer(), mixup_recognizer()
    plain.blending = None
    batch = pseudo_collate(packed_batch(batch=3, views=2))
    torch.manual_seed(1)
    mixed_scores = [sample.pred_score for sample in mixed.test_step(batch)]
    plain_scores = [sample.pred_score for sample in plain.test_step(batch)]
    torch.testing.assert_close(torch.stack(mixed_scores), torch.stack(plain_scores))


def test_a_shipped_config_trains_with_mixup_from_the_command_line():
    from mmengine.optim import OptimWrapper

    from pyskl_lite.apis import load_config
    cfg = load_config('configs/lstm_keypoint.py', {'model.blending.type': 'MixupBlending'})
    model = MODELS.build(dict(cfg.model, backbone=dict(cfg.model.backbone, in_channels=3)))
    assert isinstance(model.blending, MixupBlending) and model.blending.alpha == 0.2
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    log_vars = model.train_step(pseudo_collate(packed_batch(batch=4, views=1)), wrapper)
    assert torch.isfinite(log_vars['loss'])
