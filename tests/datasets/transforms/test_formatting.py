import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

from pyskl_lite.datasets.transforms import FormatKeypoints, FormatShape, PackSkeletonInputs
from pyskl_lite.structures import ActionDataSample
from pyskl_lite.utils import InputError
from tests.datasets.transforms.helpers import pose_results


def test_format_shape_groups_frames_into_clips():
    imgs = np.random.default_rng(0).random((2 * 3 * 4, 5, 6, 7)).astype(np.float32)
    out = FormatShape('NCTHW_Heatmap')(dict(imgs=imgs, num_clips=3, clip_len=4))['imgs']
    assert out.shape == (6, 5, 4, 6, 7) and out.flags.c_contiguous
    np.testing.assert_array_equal(out[4, :, 2], imgs[4 * 4 + 2])   # view 4 (mirror, clip 1)
    with pytest.raises(InputError, match='num_clips x clip_len'):
        FormatShape()(dict(imgs=imgs[:5], num_clips=3, clip_len=4))
    with pytest.raises(ValueError, match='input_format'):
        FormatShape('NCHW')


def test_pack_skeleton_inputs_makes_tensor_and_data_sample():
    results = FormatKeypoints(num_person=2)(pose_results(label=4, num_frames=12))
    results['flip'] = True
    packed = PackSkeletonInputs(extra_meta_keys=['flip'])(results)
    assert set(packed) == {'inputs', 'data_samples'}
    inputs, sample = packed['inputs'], packed['data_samples']
    assert isinstance(inputs, torch.Tensor) and inputs.dtype == torch.float32
    assert tuple(inputs.shape) == (1, 3, 12, 17, 2)
    assert isinstance(sample, ActionDataSample) and sample.gt_label.tolist() == [4]
    assert sample.metainfo == dict(frame_dir='sample_0', img_shape=(1080, 1920),
                                   total_frames=12, num_person=2, flip=True)
    three_d = FormatKeypoints()(pose_results(dim=3, num_joints=25, num_person=1))
    packed_3d = PackSkeletonInputs()(dict(three_d, label=None))
    assert 'img_shape' not in packed_3d['data_samples'].metainfo
    assert 'gt_label' not in packed_3d['data_samples']
    batch = pseudo_collate([packed, PackSkeletonInputs()(FormatKeypoints()(
        pose_results(num_frames=12)))])
    assert len(batch['inputs']) == 2 and len(batch['data_samples']) == 2


def test_pack_prefers_heatmaps_and_reports_missing_inputs():
    packed = PackSkeletonInputs()(dict(imgs=np.zeros((2, 17, 4, 8, 8), np.float32),
                                       keypoint=np.zeros((1, 4, 17, 2)), label=0))
    assert tuple(packed['inputs'].shape) == (2, 17, 4, 8, 8)
    with pytest.raises(InputError, match="field 'keypoint'"):
        PackSkeletonInputs()(dict(label=0, frame_dir='x'))
