import re

import torch
from mmengine.registry import DefaultScope

from pyskl_lite.apis import load_config
from pyskl_lite.models.backbones import LSTMBackbone
from pyskl_lite.registry import MODELS
from tests.tools.load_tool import load_tool

flops_tool = load_tool('tools/get_flops.py')


def _number(label: str, text: str) -> int:
    return int(re.search(rf'{label}: ([\d,]+)', text).group(1).replace(',', ''))


def test_params_and_flops_of_the_keypoint_c3d_config(capsys):
    assert flops_tool.main(['configs/c3d_keypoint.py', '--shape', '6', '48', '17', '2']) == 0
    out = capsys.readouterr().out
    assert 'input per view: (6, 48, 17, 2)' in out
    cfg = load_config('configs/c3d_keypoint.py', {'model.backbone.in_channels': 6})
    with DefaultScope.overwrite_default_scope('pyskl_lite'):
        model = MODELS.build(cfg.model)
    assert _number('parameters', out) == sum(p.numel() for p in model.parameters())
    # Multiply-adds by hand: the embedding (6 x 17 -> 64 at 48 frames x 2 persons), the
    # temporal 3x1x1 convolutions of the stages (time 48, 24, 12) and the classifier.
    by_hand = (6 * 17 * 64 * 96 + 64 * 64 * 3 * 96 + 64 * 128 * 3 * 48 +
               (128 * 256 + 256 * 256) * 3 * 24 + 256 * 24)
    assert abs(_number('FLOPs per view', out) / by_hand - 1) < 0.02
    assert 'recurrent' not in out
    # mmengine's per-operator warnings become one line (the filter that collects them is
    # what keeps them off the console).
    assert re.search(r'not counted \(.*\): movedim, mul, avg_pool3d, mean', out)


def test_lstm_multiply_adds_are_counted():
    lstm = LSTMBackbone(hidden_size=8, num_layers=2, bidirectional=True, embed_channels=16)
    counted = flops_tool.count_recurrent_flops(lstm, torch.zeros(1, 2, 10, 17, 3))
    steps = 2 * 10  # persons x frames
    layer1 = 4 * 8 * (16 + 8)
    layer2 = 4 * 8 * (16 + 8)  # input = 2 directions x 8
    assert counted == (layer1 + layer2) * 2 * steps


def test_gru_multiply_adds_are_counted():
    gru = torch.nn.GRU(5, 4, num_layers=1, batch_first=True)
    assert flops_tool.count_recurrent_flops(gru, torch.zeros(2, 7, 5)) == 3 * 4 * (5 + 4) * 14


def test_lrcn_and_convlstm_flops_by_hand(capsys):
    """Per frame (17 x 28 x 28 heatmaps, 32 frames): the stride-2 convolutions, the recurrent
    layers (an LSTM through the hook, ConvLSTM gates as convolutions at every step) and the
    classifier."""
    frames = 32
    stem = 14 * 14 * 17 * 32 * 9
    lstm = 2 * frames * 4 * 128 * (512 + 128)  # 2 directions
    lrcn = frames * (stem + 7 * 7 * 32 * 64 * 9 + 4 * 4 * 64 * 128 * 9) + lstm + 256 * 24
    convlstm = (frames * (stem + 7 * 7 * 32 * 32 * 9 + 7 * 7 * (32 + 32) * 128 * 9
                          + 4 * 4 * (32 + 64) * 256 * 9) + 256 * 24)
    for name, by_hand in (('lrcn_heatmap', lrcn), ('convlstm_heatmap', convlstm)):
        assert flops_tool.main([f'configs/{name}.py', '--shape', '17', '32', '28', '28']) == 0
        out = capsys.readouterr().out
        assert abs(_number('FLOPs per view', out) / by_hand - 1) < 0.01, name
        recurrent = f'recurrent (LSTM / GRU) layers: {lstm:,}' if name == 'lrcn_heatmap' \
            else 'recurrent'
        assert (recurrent in out) == (name == 'lrcn_heatmap')
