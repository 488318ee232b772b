import pytest
import torch

from pyskl_lite.models.backbones import ConvLSTM
from pyskl_lite.models.backbones.convlstm import ConvLSTMCell
from pyskl_lite.utils import InputError


@pytest.mark.parametrize('frames,heatmaps,height,width', [
    (1, 17, 28, 28), (7, 17, 32, 24), (4, 25, 13, 19), (10, 2, 56, 56)])
@pytest.mark.parametrize('temporal_pool', ['last', 'mean'])
def test_convlstm_output_shape(frames, heatmaps, height, width, temporal_pool):
    model = ConvLSTM(heatmaps, stem_channels=(4, 4), hidden_channels=(3, 5),
                     temporal_pool=temporal_pool, spatial_pool=2)
    out = model(torch.randn(2, heatmaps, frames, height, width))
    assert model.out_channels == 5 * 4 and out.shape == (2, 20)


def test_cell_follows_the_lstm_equations():
    """A 1x1 cell against the LSTM equations written out per pixel (gate order i, f, o, g)."""
    torch.manual_seed(0)
    cell = ConvLSTMCell(3, 2, kernel_size=1)
    seq = torch.randn(2, 4, 3, 5, 6)
    weight, bias = cell.conv.weight[:, :, 0, 0], cell.conv.bias
    hidden = cell_state = torch.zeros(2, 2, 5, 6)
    expected = []
    for step in range(4):
        joint = torch.cat([seq[:, step], hidden], dim=1)
        gates = torch.einsum('oc,bchw->bohw', weight, joint) + bias[:, None, None]
        i, f, o, g = (gates[:, 2 * k:2 * k + 2] for k in range(4))
        cell_state = torch.sigmoid(f) * cell_state + torch.sigmoid(i) * torch.tanh(g)
        hidden = torch.sigmoid(o) * torch.tanh(cell_state)
        expected.append(hidden)
    with torch.no_grad():
        assert torch.allclose(cell(seq), torch.stack(expected, dim=1), atol=1e-6)
    assert torch.equal(bias[2:4], torch.ones(2))  # forget gate bias starts at 1


def test_cell_is_causal_and_spatial():
    torch.manual_seed(0)
    cell = ConvLSTMCell(2, 3)
    seq = torch.randn(1, 6, 2, 9, 9)
    later = seq.clone()
    later[:, 3:] = torch.randn(1, 3, 2, 9, 9)
    corner = seq.clone()
    corner[:, 0, :, 0, 0] += 5.0  # one pixel of frame 0
    with torch.no_grad():
        out, out_later, out_corner = cell(seq), cell(later), cell(corner)
    assert torch.equal(out[:, :3], out_later[:, :3])       # no step sees the future
    assert not torch.allclose(out[:, 3:], out_later[:, 3:])
    # the 3x3 gate convolution spreads a pixel of x_0 by one at step 0 and by one more per
    # step through h: (1, 1) at step 0, (2, 2) only from step 1
    diff = (out_corner - out).abs().sum(dim=2)[0]
    assert diff[0, 1, 1] > 0 and diff[0, 2, 2] == 0
    assert diff[1, 2, 2] > 0 and diff[1, 3, 3] == 0


def test_samples_stay_separate_and_order_matters():
    torch.manual_seed(0)
    model = ConvLSTM(3, stem_channels=(4,), hidden_channels=(4, 4)).eval()
    x = torch.rand(2, 3, 5, 16, 16)
    changed = x.clone()
    changed[0, :, 0] = torch.rand(3, 16, 16)
    with torch.no_grad():
        out, out_changed, reversed_out = model(x), model(changed), model(x.flip(2))
    assert not torch.allclose(out[0], out_changed[0])  # frame 0 reaches the final map
    assert torch.allclose(out[1], out_changed[1])
    assert not torch.allclose(out, reversed_out)


def test_bad_settings_and_inputs():
    with pytest.raises(InputError, match='odd'):
        ConvLSTMCell(2, 2, kernel_size=2)
    with pytest.raises(InputError, match='hidden_channels'):
        ConvLSTM(3, hidden_channels=())
    model = ConvLSTM(3, stem_channels=(), hidden_channels=(2,))
    assert model(torch.rand(1, 3, 2, 5, 5)).shape == (1, 8)
    with pytest.raises(InputError, match=r'ConvLSTM expects heatmap volumes \(N, 3, T, H, W\)'):
        model(torch.rand(1, 3, 5, 5))
