"""Real Kinect skeletons (UTKinect-Action3D, ../shared/data): the shipped 3D pipeline puts every
recording into an upright body frame and the model's channels follow the data. Skips when the
data is absent (it is never committed)."""
from pathlib import Path

import numpy as np
import pytest
from mmengine.registry import DefaultScope

from pyskl_lite.apis import derive_in_channels, load_config
from pyskl_lite.apis.sanity import innermost_dataset
from pyskl_lite.datasets.transforms import BodyNormalize
from pyskl_lite.registry import DATASETS

ROOT = Path(__file__).resolve().parents[2]
UTKINECT = ROOT.parent / 'shared' / 'data' / 'utkinect_xsub.pkl'
pytestmark = pytest.mark.skipif(not UTKINECT.is_file(), reason=f'{UTKINECT} not present')
OPTIONS = dict(ann_file=str(UTKINECT), label_map=str(ROOT / 'tools/data/label_map/utkinect.txt'),
               num_classes=10, joint_layout='kinect', reverse_pairs='sitDown:standUp')


def test_every_recording_is_upright_and_in_torso_units():
    cfg = load_config(ROOT / 'configs' / 'c3d_keypoint_3d.py', OPTIONS)
    with DefaultScope.overwrite_default_scope('pyskl_lite'):
        dataset = DATASETS.build(dict(innermost_dataset(cfg.test_dataloader.dataset),
                                      pipeline=[dict(type='BodyNormalize',
                                                     joint_layout='kinect')]))
    assert len(dataset) == 99
    heads_up, scales = [], []
    for index in range(len(dataset)):
        sample = dataset[index]
        joints = sample['keypoint'][0]
        heads_up.append(np.mean(joints[:, 3, 2] > joints[:, 0, 2]))      # head above hips
        scales.append(sample['body_scale'])
    assert np.mean(heads_up) > 0.97
    assert 0.3 < np.median(scales) < 0.7          # a torso, in metres


def test_channels_follow_the_real_data():
    """UTKinect carries a (constant) score per joint: 3D + score, joints and motion = 8."""
    cfg = load_config(ROOT / 'configs' / 'c3d_keypoint_3d.py', OPTIONS)
    with DefaultScope.overwrite_default_scope('pyskl_lite'):
        assert derive_in_channels(cfg) == 8
    assert BodyNormalize('kinect').sides == ((8, 4), (16, 12))
