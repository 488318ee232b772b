"""Channel counts come from the pipeline and the data, never from the config: 2D with scores,
3D without and with scores, any stream, heatmaps; kept in checkpoints for inference."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from pyskl_lite.apis import derive_in_channels, init_recognizer, load_config
from pyskl_lite.apis.channels import channel_axis
from pyskl_lite.datasets.synthetic import (
    SYNTHETIC_CLASSES,
    dump_synthetic_dataset,
    make_synthetic_dataset,
)
from pyskl_lite.registry import MODELS
from pyskl_lite.utils import InputError

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    """``{'2d': ..., '3d': ..., '3d_scores': ...}`` -> ``(ann_file, label_map)``."""
    folder = tmp_path_factory.mktemp('channels')
    files = {}
    for name, dim in (('2d', 2), ('3d', 3), ('3d_scores', 3)):
        data = make_synthetic_dataset(num_samples=len(SYNTHETIC_CLASSES), dim=dim,
                                      num_subjects=3)
        if name == '3d_scores':   # like UTKinect: 3D joints with a (constant) score
            for sample in data['annotations']:
                sample['keypoint_score'] = np.ones(sample['keypoint'].shape[:3], np.float32)
        files[name] = tuple(map(str, dump_synthetic_dataset(data, folder / f'{name}.pkl')))
    return files


@pytest.mark.parametrize('config,data_name,options,expected', [
    ('c3d_keypoint', '2d', {}, 6),                 # (x, y, score) x (j, jm)
    ('c3d_keypoint_3d', '3d', {}, 6),              # (x, y, z) x (j, jm)
    ('c3d_keypoint_3d', '3d_scores', {}, 8),       # (x, y, z, score) x (j, jm)
    ('c3d_keypoint_3d', '3d', {'stream': 'b'}, 3),
    ('c3d_keypoint', '2d', {'stream': 'j+b+jm+bm'}, 12),
    ('lstm_keypoint_3d', '3d_scores', {}, 4),
    ('stgcnpp_keypoint', '2d', {'stream': 'jm'}, 3),
    ('c3d_heatmap', '2d', {}, 17),                 # one heatmap per COCO joint
])
def test_in_channels_follow_the_data_and_the_stream(data, config, data_name, options, expected):
    ann_file, label_map = data[data_name]
    cfg = load_config(CONFIGS / f'{config}.py', dict(options, ann_file=ann_file,
                                                     label_map=label_map))
    assert cfg.model.backbone.get('in_channels') is None
    with DefaultScope.overwrite_default_scope('pyskl_lite'):
        assert derive_in_channels(cfg) == expected
        model = MODELS.build(cfg.model)
    assert model.backbone.in_channels == expected
    assert model.cls_head.in_channels == model.backbone.out_channels


def test_an_explicit_value_is_kept_and_nothing_is_loaded(tmp_path):
    cfg = load_config(CONFIGS / 'c3d_keypoint.py', {'model.backbone.in_channels': 5,
                                                    'ann_file': str(tmp_path / 'none.pkl')})
    assert derive_in_channels(cfg) is None and cfg.model.backbone.in_channels == 5


def test_missing_data_says_how_to_set_the_value(tmp_path):
    cfg = load_config(CONFIGS / 'c3d_keypoint.py', {'ann_file': str(tmp_path / 'none.pkl')})
    with DefaultScope.overwrite_default_scope('pyskl_lite'), \
            pytest.raises(InputError, match='not found.*model.backbone.in_channels=N'):
        derive_in_channels(cfg)


def test_a_defect_in_a_sample_is_not_blamed_on_in_channels(tmp_path):
    """Setting in_channels by hand does not mend a sample's missing label: the hint is only for
    data that cannot be read at all."""
    from tests.conftest import make_annotations, write_pickle
    annotations = [{k: v for k, v in a.items() if k != 'label'}
                   for a in make_annotations(num_samples=4, dim=3, num_joints=25)]
    path = write_pickle(tmp_path / 'nolabels.pkl', annotations)
    label_map = tmp_path / 'classes.txt'
    label_map.write_text('a\nb\nc\n')
    cfg = load_config(CONFIGS / 'c3d_keypoint_3d.py', {
        'ann_file': str(path), 'label_map': str(label_map), 'num_classes': 3,
        'test_split': 'train', 'reverse_pairs': 'none'})
    with DefaultScope.overwrite_default_scope('pyskl_lite'), \
            pytest.raises(InputError, match="field 'label'") as raised:
        derive_in_channels(cfg)
    assert 'in_channels' not in str(raised.value)


def test_channel_axis_of_each_format():
    assert channel_axis([dict(type='FormatKeypoints', layout='NCTVM')]) == 0
    assert channel_axis([dict(type='FormatKeypoints', layout='NMTVC')]) == 3
    assert channel_axis([dict(type='FormatKeypoints')]) == 0
    assert channel_axis([dict(type='GeneratePoseTarget'), dict(type='FormatShape')]) == 0
    with pytest.raises(InputError, match='merges the channels'):
        channel_axis([dict(type='FormatKeypoints', layout='NT(MVC)', num_person=1)])


def test_checkpoints_carry_in_channels_for_inference_without_data(data, tmp_path):
    """A model trained on 3D data with scores (8 channels) is rebuilt from the shipped config
    and its checkpoint alone, with the default (missing) data."""
    ann_file, label_map = data['3d_scores']
    cfg = load_config(CONFIGS / 'c3d_keypoint_3d.py', dict(ann_file=ann_file,
                                                           label_map=label_map))
    with DefaultScope.overwrite_default_scope('pyskl_lite'):
        derive_in_channels(cfg)
        model = MODELS.build(cfg.model)
    checkpoint = tmp_path / 'trained.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {'in_channels': 8}}, checkpoint)
    rebuilt = init_recognizer(CONFIGS / 'c3d_keypoint_3d.py', checkpoint,
                              cfg_options=dict(ann_file=str(tmp_path / 'not_here.pkl')))
    assert rebuilt.backbone.in_channels == 8
