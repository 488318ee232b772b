import json

import numpy as np

from pyskl_lite.datasets import PoseDataset
from pyskl_lite.datasets.annotations import read_annotation_file
from tests.tools.load_tool import load_tool

to_pickle = load_tool('tools/data/keypoints_to_pickle.py')


def _person(num_joints, score=0.9):
    return [[10.0 + v, 20.0 + v, score] for v in range(num_joints)]


def test_json_files_and_openpose_folders_become_one_coco_pickle(tmp_path, capsys):
    root = tmp_path / 'keypoints'
    (root / 'jump').mkdir(parents=True)
    (root / 'wave' / 'op_clip').mkdir(parents=True)
    (root / 'jump' / 'mp_clip.json').write_text(json.dumps(
        {'layout': 'mediapipe', 'frames': [[_person(33)], [_person(33)], []]}))
    (root / 'jump' / 'coco_clip.json').write_text(json.dumps(
        {'img_shape': [100, 200], 'frames': [[_person(17), _person(17, 0.5)]] * 4}))
    for index in range(5):
        flat = sum(_person(25), [])
        (root / 'wave' / 'op_clip' / f'op_{index:04d}_keypoints.json').write_text(
            json.dumps({'people': [{'pose_keypoints_2d': flat}]}))
    (root / 'wave' / 'broken.json').write_text('{"frames": oops')
    out = tmp_path / 'kp.pkl'
    assert to_pickle.main(['--input-dir', str(root), '--out', str(out), '--img-shape', '720',
                           '1280', '--split-ratio', '0.5']) == 0
    captured = capsys.readouterr()
    assert 'failed  broken' in captured.err and 'not valid JSON' in captured.err
    assert 'wrote 3 samples (coco joints)' in captured.out
    annotations, split = read_annotation_file(out)
    by_id = {a['frame_dir']: a for a in annotations}
    assert sorted(by_id) == ['coco_clip', 'mp_clip', 'op_clip']
    assert by_id['coco_clip']['keypoint'].shape == (2, 4, 17, 2)
    assert by_id['coco_clip']['img_shape'] == (100, 200)        # the file's own size wins
    assert by_id['mp_clip']['img_shape'] == (720, 1280) and by_id['mp_clip']['label'] == 0
    assert by_id['op_clip']['keypoint'].shape == (1, 5, 17, 2) and by_id['op_clip']['label'] == 1
    assert 'frame_dir' in by_id['op_clip'] and 'joint_layout' not in by_id['op_clip']
    np.testing.assert_allclose(by_id['op_clip']['keypoint'][0, 0, 5], [15, 25])  # l_shoulder
    assert sorted(split) == ['train', 'val']
    label_map = tmp_path / 'kp_label_map.txt'
    assert label_map.read_text() == 'jump\nwave\n'
    dataset = PoseDataset(str(out), label_map=str(label_map))
    assert len(dataset) == 3
