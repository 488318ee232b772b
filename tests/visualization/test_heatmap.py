from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config

from pyskl_lite.utils import InputError
from pyskl_lite.visualization.heatmap import (
    channel_names,
    heatmap_frames,
    heatmap_grid,
    pipeline_inputs,
)
from tests.visualization.stick_video import mannequin_joints, mannequin_sample

CONFIGS = Path(__file__).resolve().parents[2] / 'configs' / '_base_' / 'datasets'


def _sample():
    return mannequin_sample(mannequin_joints(20, (480, 640)), (480, 640))


def test_pipeline_inputs_are_the_test_pipelines_heatmap_volume():
    cfg = Config.fromfile(str(CONFIGS / 'synthetic_heatmap.py'))
    volume = pipeline_inputs(cfg, _sample(), 'val')
    assert volume.shape == (1, 17, 48, 64, 64) and volume.dtype == np.float32
    assert 0.5 < volume.max() <= 1.0
    # every joint is visible with score 1, so every channel of every frame has a peak
    assert (volume[0].max(axis=(2, 3)) > 0.5).all()


def test_keypoint_config_is_refused_for_heatmaps():
    cfg = Config.fromfile(str(CONFIGS / 'synthetic_keypoint.py'))
    with pytest.raises(InputError, match='builds no heatmaps'):
        pipeline_inputs(cfg, _sample())


def test_grid_has_an_all_row_plus_one_row_per_channel_and_shows_the_peaks():
    volume = np.zeros((3, 10, 16, 16), np.float32)
    volume[1, :, 4, 12] = 1.0       # channel 1 peaks at row 4, column 12 in every frame
    grid = heatmap_grid(volume, num_frames=4, names=['a', 'b', 'c'], tile=32)
    tile, gap, top = 32, 2, 22
    rows, cols = 4, 4                          # all + 3 channels; 4 of 10 frames
    assert grid.shape[0] == top + rows * (tile + gap) and grid.dtype == np.uint8
    left = grid.shape[1] - cols * (tile + gap)

    def tile_at(row, col):
        y, x = top + row * (tile + gap), left + col * (tile + gap)
        return grid[y:y + tile, x:x + tile].astype(int)

    dark = tile_at(1, 0)[0, 0]            # colour of 0 in the colour map
    for col in range(cols):
        for row in range(rows):
            lit = np.abs(tile_at(row, col) - dark).sum(-1) > 60
            if row in (0, 2):                  # the "all" row and channel 1
                ys, xs = np.nonzero(lit)
                assert set(ys // 2) == {4} and set(xs // 2) == {12}
            else:
                assert not lit.any()


def test_heatmap_frames_one_per_time_step_and_channel_names():
    volume = np.random.default_rng(0).random((17, 5, 8, 8)).astype(np.float32)
    frames = list(heatmap_frames(volume, channel_names(17, 'coco'), tile=24))
    assert len(frames) == 5 and frames[0].shape == (4 * 26, 5 * 26, 3)  # 18 tiles, 5 a row
    assert channel_names(17, 'coco')[9] == 'left_wrist'
    assert channel_names(17 + 17, 'coco')[17] == 'nose-left_eye'
    assert channel_names(5, 'coco') == ['ch 0', 'ch 1', 'ch 2', 'ch 3', 'ch 4']
