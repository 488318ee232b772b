"""Joint layouts of other skeletons given as a file on the command line (JSON or Python)."""
import json

import pytest

from pyskl_lite.apis import load_config
from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.datasets.transforms import BodyNormalize, GenSkeFeat
from pyskl_lite.utils import InputError

HAND = dict(name='stick_body', joint_names=['pelvis', 'neck', 'head', 'left_shoulder',
                                            'right_shoulder', 'left_hip', 'right_hip'],
            parents=[-1, 0, 1, 1, 1, 0, 0], left=[3, 5], right=[4, 6])


def test_json_and_python_layout_files_define_the_same_layout(tmp_path):
    (tmp_path / 'stick_body.json').write_text(json.dumps(HAND))
    (tmp_path / 'stick_body_py.py').write_text(
        'joint_layout = ' + repr(dict(HAND, name='stick_body')) + '\n')
    from_json = get_layout(str(tmp_path / 'stick_body.json'))
    from_py = get_layout(str(tmp_path / 'stick_body_py.py'))
    assert from_json == from_py and from_json.num_joints == 7
    assert from_json.flip_index == (0, 1, 2, 4, 3, 6, 5)
    # the transforms take the file wherever they take a layout name
    assert GenSkeFeat(joint_layout=str(tmp_path / 'stick_body.json')).parents.tolist() == \
        HAND['parents']
    assert BodyNormalize(str(tmp_path / 'stick_body.json')).lower == (6, 5)


def test_layout_file_through_cfg_options(tmp_path):
    path = tmp_path / 'stick_body.json'
    path.write_text(json.dumps(HAND))
    root = __import__('pathlib').Path(__file__).resolve().parents[2]
    cfg = load_config(root / 'configs' / 'lstm_keypoint.py', dict(joint_layout=str(path)))
    assert cfg.model.backbone.joint_layout == str(path)
    assert get_layout(cfg.model.backbone.joint_layout).num_joints == 7


def test_bad_layout_files_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match='missing.json.*joint layout file not found'):
        get_layout(str(tmp_path / 'missing.json'))
    (tmp_path / 'broken.json').write_text('{"name": ')
    with pytest.raises(InputError, match='broken.json.*cannot read the joint layout'):
        get_layout(str(tmp_path / 'broken.json'))
    (tmp_path / 'cyclic.json').write_text(json.dumps(dict(HAND, parents=[1, 0, 1, 1, 1, 0, 0])))
    with pytest.raises(InputError, match='cyclic.json.*not a valid joint layout.*root'):
        get_layout(str(tmp_path / 'cyclic.json'))
