import json

import numpy as np
import pytest

from pyskl_lite.apis.dataset_builder import BODY25_TO_COCO17
from pyskl_lite.apis.keypoint_json import read_keypoint_sequence
from pyskl_lite.datasets.layouts import TO_COCO17
from pyskl_lite.utils import InputError


def _person(num_joints, offset, score):
    return [[offset + v, 2 * v, score] for v in range(num_joints)]


def test_simple_schema_ranks_persons_by_score_and_maps_to_coco(tmp_path):
    frames = [[_person(33, 0, 0.2), _person(33, 100, 0.9)],   # the confident one first
              [_person(33, 0, 0.5)],
              []]
    path = tmp_path / 'clip.json'
    path.write_text(json.dumps({'img_shape': [480, 640], 'label': 3, 'frames': frames}))
    sample = read_keypoint_sequence(path, max_persons=2)
    assert sample['keypoint'].shape == (2, 3, 17, 2) and sample['joint_layout'] == 'coco'
    assert sample['label'] == 3 and sample['img_shape'] == (480, 640)
    np.testing.assert_array_equal(sample['keypoint'][0, 0, :, 0],
                                  100 + np.array(TO_COCO17['mediapipe']))
    assert sample['keypoint_score'][0, 0, 0] == pytest.approx(0.9)
    assert not sample['keypoint'][1, 1].any() and not sample['keypoint'][:, 2].any()
    assert read_keypoint_sequence(path, max_persons=1)['keypoint'].shape[0] == 1
    kept = read_keypoint_sequence(path, to_coco=False)
    assert kept['keypoint'].shape[2] == 33 and kept['joint_layout'] == 'mediapipe'


def test_normalized_coordinates_and_a_bare_list_of_frames(tmp_path):
    path = tmp_path / 'norm.json'
    path.write_text(json.dumps({'coordinates': 'normalized', 'img_shape': [100, 200],
                                'frames': [[[[0.5, 0.25]] * 17]]}))
    sample = read_keypoint_sequence(path)
    np.testing.assert_allclose(sample['keypoint'][0, 0, 0], [100, 25])
    assert sample['keypoint_score'][0, 0, 0] == 1.0            # [x, y] means score 1
    bare = tmp_path / 'bare.json'
    bare.write_text(json.dumps([[sum(_person(17, 1, 1.0), [])]]))  # flat x, y, s list
    assert read_keypoint_sequence(bare, img_shape=(10, 10))['keypoint'].shape == (1, 1, 17, 2)


@pytest.mark.parametrize('num_joints', [18, 25])
def test_openpose_folder_with_coco_or_body25_model(tmp_path, num_joints):
    folder = tmp_path / 'clip'
    folder.mkdir()
    for index in range(3):
        flat = sum(_person(num_joints, 10 * index, 0.8), [])
        flat[3 * 4 + 2] = 0                                 # an undetected joint
        (folder / f'clip_{index:012d}_keypoints.json').write_text(
            json.dumps({'people': [{'pose_keypoints_2d': flat}]}))
    sample = read_keypoint_sequence(folder, img_shape=(720, 1280))
    assert sample['keypoint'].shape == (1, 3, 17, 2)
    # COCO nose is OpenPose joint 0 and COCO left_shoulder is joint 5 in both models
    np.testing.assert_allclose(sample['keypoint'][0, 2, [0, 5], 0], [20, 25])
    mapping = TO_COCO17['openpose'] if num_joints == 18 else BODY25_TO_COCO17
    coco_of_4 = mapping.index(4)                             # the right wrist in both
    assert not sample['keypoint'][0, :, coco_of_4].any()     # zero score -> missing joint


def test_malformed_inputs_name_the_file(tmp_path):
    path = tmp_path / 'bad.json'
    path.write_text('{not json')
    with pytest.raises(InputError, match=r'bad\.json: not valid JSON'):
        read_keypoint_sequence(path)
    path.write_text(json.dumps({'frames': [[_person(17, 0, 1)]]}))
    with pytest.raises(InputError, match='no image size'):
        read_keypoint_sequence(path)
    path.write_text(json.dumps({'img_shape': [1, 1], 'frames': [[_person(17, 0, 1),
                                                                  _person(18, 0, 1)]]}))
    with pytest.raises(InputError, match=r'different joint counts \[17, 18\]'):
        read_keypoint_sequence(path)
    path.write_text(json.dumps({'img_shape': [1, 1], 'frames': [[_person(20, 0, 1)]]}))
    with pytest.raises(InputError, match="20 joints do not fit layout None"):
        read_keypoint_sequence(path)
    with pytest.raises(InputError, match='no .json file'):
        (tmp_path / 'empty').mkdir()
        read_keypoint_sequence(tmp_path / 'empty', img_shape=(1, 1))
