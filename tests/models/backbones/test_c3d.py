import pytest
import torch

from pyskl_lite.models.backbones import C3D
from pyskl_lite.models.backbones.c3d import conv3d_bn_relu


def test_c3d_light_keeps_time_and_pools_space_three_times():
    model = C3D(in_channels=17, base_channels=4, num_stages=3, temporal_downsample=False)
    out = model(torch.randn(2, 17, 6, 24, 16))
    assert model.out_channels == 32
    assert out.shape == (2, 32, 6, 3, 2)


def test_c3d_four_stages_with_temporal_downsampling():
    model = C3D(in_channels=3, base_channels=4, num_stages=4)
    out = model(torch.randn(1, 3, 16, 32, 32))
    assert out.shape == (1, 32, 2, 2, 2)


def test_c3d_light_parameter_count():
    # PoseConv3D's C3D-light: 17 → 32 → 64 → 128, 128 → 256, 256 convolutions of 3×3×3.
    model = C3D(in_channels=17, base_channels=32, num_stages=3, temporal_downsample=False)
    convs = [(17, 32), (32, 64), (64, 128), (128, 128), (128, 256), (256, 256)]
    expected = sum(27 * a * b + 2 * b for a, b in convs)  # conv weights + BN affine
    assert sum(p.numel() for p in model.parameters()) == expected


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError, match='num_stages'):
        C3D(num_stages=5)
    with pytest.raises(ValueError, match='odd'):
        conv3d_bn_relu(3, 4, (3, 2, 2))
