import pickle
from pathlib import Path

import numpy as np
import pytest

from pyskl_lite.datasets import PoseDataset
from pyskl_lite.datasets.annotations import read_annotation_file
from tests.tools.load_tool import ROOT, load_tool, run_tool

project = load_tool('tools/data/project_to_2d.py')
UTKINECT = ROOT.parent / 'shared' / 'data' / 'utkinect_xsub.pkl'


def _sample(name: str, label: int, coords: int = 3) -> dict:
    rng = np.random.default_rng(label)
    keypoint = rng.uniform(-0.5, 0.5, (1, 6, 20, coords)).astype(np.float32)
    if coords == 3:
        keypoint[..., 2] += 2.5
        keypoint[0, 1, 7] = 0                                  # an untracked joint
    return dict(frame_dir=name, label=label, total_frames=6, keypoint=keypoint)


def _write(path: Path, annotations: list[dict]) -> Path:
    split = {'train': [a['frame_dir'] for a in annotations[:1]],
             'val': [a['frame_dir'] for a in annotations[1:]]}
    path.write_bytes(pickle.dumps({'split': split, 'annotations': annotations}))
    return path


def test_a_3d_pickle_becomes_a_2d_pickle_the_2d_pipeline_reads(tmp_path, capsys):
    source = _write(tmp_path / 'in.pkl', [_sample('a', 0), _sample('b', 1)])
    out = tmp_path / 'out.pkl'
    assert project.main([str(source), str(out), '--focal', '500', '--center', '320', '240',
                         '--img-shape', '480', '640', '--y-axis', 'down']) == 0
    assert '2 of 240 joints untracked' in capsys.readouterr().out
    annotations, split = read_annotation_file(out)
    assert split == {'train': ['a'], 'val': ['b']}
    joints = _sample('a', 0)['keypoint'].astype(np.float64)
    pixels = annotations[0]['keypoint']
    np.testing.assert_allclose(pixels[0, 0], np.stack(
        [500 * joints[0, 0, :, 0] / joints[0, 0, :, 2] + 320,
         500 * joints[0, 0, :, 1] / joints[0, 0, :, 2] + 240], -1), rtol=1e-6)
    assert annotations[0]['keypoint_score'][0, 1, 7] == 0
    assert annotations[0]['img_shape'] == (480, 640)
    assert len(PoseDataset(str(out), split='val')) == 1


def test_a_2d_pickle_is_refused_in_one_line(tmp_path):
    source = _write(tmp_path / 'flat.pkl', [_sample('a', 0), _sample('b', 1, coords=2)])
    proc = run_tool('tools/data/project_to_2d.py', source, tmp_path / 'out.pkl')
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"error: {source}: sample 'b': field 'keypoint': shape (1, 6, 20, 2) is already 2D "
        '(C = 2); this tool projects 3D (x, y, z) joints']
    assert not (tmp_path / 'out.pkl').exists()


@pytest.mark.skipif(not UTKINECT.is_file(), reason=f'{UTKINECT} not present')
def test_utkinect_with_the_kinect_v1_defaults(tmp_path):
    out = tmp_path / 'utk2d.pkl'
    assert project.main([str(UTKINECT), str(out)]) == 0
    annotations, _ = read_annotation_file(out)
    source, _ = read_annotation_file(UTKINECT)
    joints = source[0]['keypoint'].astype(np.float64)
    np.testing.assert_allclose(annotations[0]['keypoint'], np.stack(
        [285.63 * joints[..., 0] / joints[..., 2] + 160,
         120 - 285.63 * joints[..., 1] / joints[..., 2]], -1), rtol=1e-6)
    heads, hips = annotations[0]['keypoint'][0, :, 3, 1], annotations[0]['keypoint'][0, :, 0, 1]
    assert (heads < hips).all()                  # y up in the room: the head is higher in the image
