import pytest
import torch

from pyskl_lite.models.heads import ClsHead


def test_linear_layer_is_initialised_with_std_0_01_and_zero_bias():
    torch.manual_seed(0)
    head = ClsHead(num_classes=200, in_channels=400)
    assert abs(head.fc.weight.std().item() - 0.01) < 0.0005
    assert abs(head.fc.weight.mean().item()) < 0.0005
    assert torch.count_nonzero(head.fc.bias) == 0


@pytest.mark.parametrize('shape', [(3, 8), (3, 8, 4), (3, 8, 2, 5, 7), (3, 8, 4, 3, 2)])
def test_global_average_pool_over_every_axis_after_channels(shape):
    head = ClsHead(num_classes=5, in_channels=8).eval()
    feats = torch.randn(shape)
    pooled = feats.reshape(3, 8, -1).mean(-1)
    expected = pooled @ head.fc.weight.T + head.fc.bias
    torch.testing.assert_close(head(feats), expected)


def test_dropout_only_in_training_and_channel_check():
    head = ClsHead(num_classes=5, in_channels=64, dropout=0.9)
    feats = torch.randn(4, 64, 3)
    head.train()
    assert not torch.allclose(head(feats), head(feats))
    head.eval()
    torch.testing.assert_close(head(feats), head(feats))
    with pytest.raises(ValueError, match='64 channels'):
        head(torch.randn(4, 32, 3))


def test_loss_reports_cross_entropy_and_top1():
    head = ClsHead(num_classes=3, in_channels=4)
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [1.0, 0.0, 5.0], [4.0, 0.0, 0.0]])
    labels = torch.tensor([0, 1, 1, 2])
    losses = head.loss(logits, labels)
    torch.testing.assert_close(losses['loss_cls'],
                               torch.nn.functional.cross_entropy(logits, labels))
    assert losses['top1_acc'].item() == 0.5
