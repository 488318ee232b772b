import pytest
import torch

from pyskl_lite.models.backbones import LSTMBackbone


@pytest.mark.parametrize('layout,frames,persons,channels', [
    ('coco', 12, 2, 3), ('coco', 5, 1, 2), ('nturgb+d', 9, 2, 3), ('mediapipe', 4, 1, 3)])
@pytest.mark.parametrize('bidirectional', [True, False])
def test_lstm_output_shape(layout, frames, persons, channels, bidirectional):
    model = LSTMBackbone(joint_layout=layout, in_channels=channels, hidden_size=8, num_layers=2,
                         bidirectional=bidirectional, embed_channels=16)
    out = model(torch.randn(3, persons, frames, model.num_joints, channels))
    width = 16 if bidirectional else 8
    assert model.out_channels == width and out.shape == (3, width, persons)


def test_last_state_sees_the_whole_sequence_and_persons_stay_separate():
    torch.manual_seed(0)
    model = LSTMBackbone(hidden_size=8, num_layers=1, bidirectional=False,
                         embed_channels=None).eval()
    x = torch.randn(1, 2, 6, 17, 3)
    first_frame_changed = x.clone()
    first_frame_changed[:, 0, 0] += 1.0
    out, changed = model(x), model(first_frame_changed)
    assert not torch.allclose(out[:, :, 0], changed[:, :, 0])  # frame 0 reaches the last state
    assert torch.allclose(out[:, :, 1], changed[:, :, 1])      # person 1 untouched


def test_mean_pool_and_input_checks():
    model = LSTMBackbone(hidden_size=4, num_layers=1, temporal_pool='mean', embed_channels=None)
    assert model(torch.randn(2, 1, 5, 17, 3)).shape == (2, 8, 1)
    with pytest.raises(ValueError, match='V=17'):
        model(torch.randn(2, 1, 5, 25, 3))
    with pytest.raises(ValueError, match='temporal_pool'):
        LSTMBackbone(temporal_pool='max')
