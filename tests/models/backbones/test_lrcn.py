import pytest
import torch
import torch.nn as nn

from pyskl_lite.models.backbones import LRCN
from pyskl_lite.utils import InputError


@pytest.mark.parametrize('frames,heatmaps,height,width', [
    (1, 17, 28, 28), (8, 17, 32, 24), (5, 25, 13, 19), (12, 2, 56, 56)])
@pytest.mark.parametrize('rnn_type,bidirectional', [('lstm', True), ('gru', False)])
def test_lrcn_output_shape(frames, heatmaps, height, width, rnn_type, bidirectional):
    model = LRCN(heatmaps, cnn_channels=(4, 8), spatial_pool=2, rnn_type=rnn_type,
                 hidden_size=6, num_layers=2, bidirectional=bidirectional)
    assert isinstance(model.rnn, nn.GRU if rnn_type == 'gru' else nn.LSTM)
    assert model.rnn.input_size == 8 * 2 * 2
    out = model(torch.randn(3, heatmaps, frames, height, width))
    width_out = 12 if bidirectional else 6
    assert model.out_channels == width_out and out.shape == (3, width_out)


def test_the_recurrence_sees_the_order_of_frames_and_samples_stay_separate():
    torch.manual_seed(0)
    model = LRCN(3, cnn_channels=(4,), hidden_size=5, bidirectional=False).eval()
    x = torch.rand(2, 3, 6, 8, 8)
    changed = x.clone()
    changed[0, :, 0] = torch.rand(3, 8, 8)  # sample 0, first frame
    with torch.no_grad():
        out, out_changed, reversed_out = model(x), model(changed), model(x.flip(2))
    assert not torch.allclose(out[0], out_changed[0])  # frame 0 reaches the last state
    assert torch.allclose(out[1], out_changed[1])      # sample 1 untouched
    assert not torch.allclose(out, reversed_out)       # not a bag of frames


def test_mean_pool_and_bad_settings():
    model = LRCN(4, cnn_channels=(4,), hidden_size=3, temporal_pool='mean', spatial_pool=1)
    assert model(torch.rand(2, 4, 5, 9, 9)).shape == (2, 6)
    with pytest.raises(InputError, match=r'\(N, 4, T, H, W\).*\(2, 17, 5, 9, 9\)'):
        model(torch.rand(2, 17, 5, 9, 9))
    with pytest.raises(InputError, match='rnn_type'):
        LRCN(4, rnn_type='rnn')
    with pytest.raises(InputError, match='temporal_pool'):
        LRCN(4, temporal_pool='max')
