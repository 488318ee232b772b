import math

import pytest
import torch

from pyskl_lite.models.losses import CrossEntropyLoss


def test_label_smoothing_matches_a_hand_computation():
    logits = torch.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    labels = torch.tensor([1, 0])
    eps = 0.2
    total = 0.0
    for row, label in zip(logits.tolist(), labels.tolist(), strict=True):
        log_norm = math.log(sum(math.exp(v) for v in row))
        log_probs = [v - log_norm for v in row]
        target = [eps / 3 + (1 - eps) * (k == label) for k in range(3)]
        total += -sum(t * lp for t, lp in zip(target, log_probs, strict=True))
    expected = total / 2
    loss = CrossEntropyLoss(label_smoothing=eps, loss_weight=2.0)(logits, labels)
    assert loss.item() == pytest.approx(2 * expected, rel=1e-6)
    plain = CrossEntropyLoss()(logits, labels).item()
    assert plain == pytest.approx((-(2 - math.log(math.exp(1) + math.exp(2) + math.exp(0.5)))
                                   - (0 - math.log(1 + math.exp(-1) + math.exp(3)))) / 2)


def test_class_weights_weight_the_mean_by_true_class():
    logits = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]])
    labels = torch.tensor([0, 0, 1])
    per_sample = torch.nn.functional.cross_entropy(logits, labels, reduction='none')
    weights = torch.tensor([1.0, 3.0])[labels]
    expected = (per_sample * weights).sum() / weights.sum()
    loss = CrossEntropyLoss(class_weight=[1.0, 3.0])(logits, labels)
    torch.testing.assert_close(loss, expected)


def test_invalid_smoothing_is_refused():
    with pytest.raises(ValueError, match='label_smoothing'):
        CrossEntropyLoss(label_smoothing=1.0)
