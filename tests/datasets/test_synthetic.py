"""The synthetic benchmark generator (pyskl_lite/datasets/synthetic.py, synthetic_motion.py)
and its CLI (tools/data/make_synthetic.py)."""
import pickle
import re
import runpy
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pyskl_lite.datasets import PoseDataset, get_layout, load_annotation_pickle
from pyskl_lite.datasets.synthetic import (
    IMG_SHAPE,
    MIRRORED_PAIRS,
    REVERSED_PAIRS,
    SYNTHETIC_CLASSES,
    SampleSpec,
    dump_synthetic_dataset,
    is_xsub_train,
    label_map_path,
    make_synthetic_dataset,
    plan_samples,
    render_sample,
    simulate_scene,
)
from pyskl_lite.datasets.synthetic_motion import JOINT_NAMES

NUM_CLASSES = len(SYNTHETIC_CLASSES)
FRAME_DIR = re.compile(r'^S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})$')
LABEL = {name: label for label, name in enumerate(SYNTHETIC_CLASSES)}
JOINT = {name: index for index, name in enumerate(JOINT_NAMES)}
COCO = {name: index for index, name in enumerate(get_layout('coco').joint_names)}
NTU = {name: index for index, name in enumerate(get_layout('nturgb+d').joint_names)}
INTERACTIONS = {'shake hands', 'push', 'punch', 'hug', 'approach each other', 'walk apart'}


@pytest.fixture(scope='module')
def data_2d() -> dict:
    return make_synthetic_dataset(4 * NUM_CLASSES, dim=2, seed=1, num_subjects=5)


@pytest.fixture(scope='module')
def data_3d() -> dict:
    return make_synthetic_dataset(4 * NUM_CLASSES, dim=3, seed=1, num_subjects=5)


def spec_of(name: str, index: int = 7, camera: int = 1) -> SampleSpec:
    return SampleSpec(label=LABEL[name], setup=1, camera=camera, subject=2, replication=1,
                      seed=(0, 0, index))


def test_same_arguments_give_byte_identical_files(tmp_path):
    first, _ = dump_synthetic_dataset(make_synthetic_dataset(30, dim=2, seed=5), tmp_path / 'a.pkl')
    second, _ = dump_synthetic_dataset(make_synthetic_dataset(30, dim=2, seed=5),
                                       tmp_path / 'b.pkl')
    other, _ = dump_synthetic_dataset(make_synthetic_dataset(30, dim=2, seed=6), tmp_path / 'c.pkl')
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_a_sample_does_not_depend_on_how_many_are_generated():
    small = make_synthetic_dataset(10, dim=3, seed=2)['annotations']
    large = make_synthetic_dataset(40, dim=3, seed=2)['annotations'][:10]
    for a, b in zip(small, large, strict=True):
        assert a['frame_dir'] == b['frame_dir']
        np.testing.assert_array_equal(a['keypoint'], b['keypoint'])


def test_2d_schema(data_2d):
    assert set(data_2d) == {'split', 'annotations'}
    for ann in data_2d['annotations']:
        assert set(ann) == {'frame_dir', 'label', 'total_frames', 'img_shape', 'original_shape',
                            'keypoint', 'keypoint_score'}
        assert isinstance(ann['frame_dir'], str) and type(ann['label']) is int
        assert type(ann['total_frames']) is int and 0 <= ann['label'] < NUM_CLASSES
        assert ann['img_shape'] == ann['original_shape'] == (1080, 1920)
        assert isinstance(ann['img_shape'], tuple)
        persons, frames, joints, coords = ann['keypoint'].shape
        assert (frames, joints, coords) == (ann['total_frames'], 17, 2) and persons in (1, 2)
        assert ann['keypoint'].dtype == ann['keypoint_score'].dtype == np.float32
        assert ann['keypoint_score'].shape == ann['keypoint'].shape[:3]
        assert np.isfinite(ann['keypoint']).all() and np.isfinite(ann['keypoint_score']).all()
        assert ann['keypoint_score'].min() >= 0 and ann['keypoint_score'].max() <= 1


def test_3d_schema(data_3d):
    for ann in data_3d['annotations']:
        assert set(ann) == {'frame_dir', 'label', 'total_frames', 'keypoint'}
        persons, frames, joints, coords = ann['keypoint'].shape
        assert (frames, joints, coords) == (ann['total_frames'], 25, 3) and persons in (1, 2)
        assert ann['keypoint'].dtype == np.float32 and np.isfinite(ann['keypoint']).all()
        depth = ann['keypoint'][..., 2][ann['keypoint'][..., 2] != 0]
        assert 1.5 < np.median(depth) < 6.0  # metres from the camera


def test_float16_applies_to_keypoint_and_score():
    for dim in (2, 3):
        ann = make_synthetic_dataset(3, dim=dim, dtype='float16')['annotations'][0]
        assert ann['keypoint'].dtype == np.float16
        if dim == 2:
            assert ann['keypoint_score'].dtype == np.float16


@pytest.mark.parametrize('kwargs', [dict(dim=4), dict(dtype='float64'), dict(num_samples=0),
                                    dict(num_subjects=2)])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        make_synthetic_dataset(**{'num_samples': 5, **kwargs})


def test_names_are_unique_and_ntu_like(data_2d):
    names = [ann['frame_dir'] for ann in data_2d['annotations']]
    assert len(set(names)) == len(names)
    for ann in data_2d['annotations']:
        setup, camera, subject, replication, action = map(
            int, FRAME_DIR.match(ann['frame_dir']).groups())
        assert action == ann['label'] + 1 and camera in (1, 2, 3)
        assert 1 <= subject <= 5 and setup >= 1 and replication in (1, 2)
    assert {int(FRAME_DIR.match(n).group(2)) for n in names} == {1, 2, 3}


def test_xsub_split_separates_subjects_and_xview_separates_cameras(data_2d):
    split = data_2d['split']
    every = {ann['frame_dir'] for ann in data_2d['annotations']}
    subject = {name: int(FRAME_DIR.match(name).group(3)) for name in every}
    camera = {name: int(FRAME_DIR.match(name).group(2)) for name in every}
    assert set(split) == {'xsub_train', 'xsub_val', 'xview_train', 'xview_val'}
    for protocol in ('xsub', 'xview'):
        train, val = set(split[f'{protocol}_train']), set(split[f'{protocol}_val'])
        assert train and val and not train & val and train | val == every
    train_subjects = {subject[n] for n in split['xsub_train']}
    assert train_subjects and not train_subjects & {subject[n] for n in split['xsub_val']}
    assert {camera[n] for n in split['xview_val']} == {1}
    assert {camera[n] for n in split['xview_train']} == {2, 3}
    assert sum(map(is_xsub_train, range(1, 41))) == 24  # 60 % of NTU's 40 subjects


def test_classes_are_balanced_and_every_class_is_seen_by_every_camera():
    specs = plan_samples(NUM_CLASSES * 15 + 5, num_subjects=5)
    counts = Counter(spec.label for spec in specs)
    assert len(counts) == NUM_CLASSES and max(counts.values()) - min(counts.values()) <= 1
    for label in range(NUM_CLASSES):
        assert {s.camera for s in specs if s.label == label} == {1, 2, 3}
    assert NUM_CLASSES >= 12


def test_lengths_and_persons(data_2d, data_3d):
    lengths = []
    for ann in data_2d['annotations'] + data_3d['annotations']:
        assert 30 <= ann['total_frames'] <= 300
        lengths.append(ann['total_frames'])
        if SYNTHETIC_CLASSES[ann['label']] in INTERACTIONS:
            assert ann['keypoint'].shape[0] == 2
    assert np.ptp(lengths) > 100  # lengths really vary
    persons = Counter(a['keypoint'].shape[0] for a in data_2d['annotations']
                      if SYNTHETIC_CLASSES[a['label']] not in INTERACTIONS)
    assert persons[1] > 4 * persons[2]  # single-person classes: a bystander only sometimes


def test_missing_joints_have_score_zero(data_2d):
    missing = total = 0
    for ann in data_2d['annotations']:
        zero_xy = (ann['keypoint'] == 0).all(-1)
        zero_score = ann['keypoint_score'] == 0
        np.testing.assert_array_equal(zero_xy, zero_score)
        missing += zero_xy.sum()
        total += zero_xy.size
    assert 0.001 < missing / total < 0.1


def test_3d_missing_joints_are_zero(data_3d):
    zero = np.concatenate([(a['keypoint'] == 0).all(-1).ravel() for a in data_3d['annotations']])
    assert 0.001 < zero.mean() < 0.1


def test_2d_coordinates_lie_in_the_frame(data_2d):
    height, width = IMG_SHAPE
    points = np.concatenate([a['keypoint'].reshape(-1, 2) for a in data_2d['annotations']])
    points = points[(points != 0).any(-1)]
    assert points[:, 0].min() >= 0 and points[:, 0].max() <= width - 1
    assert points[:, 1].min() >= 0 and points[:, 1].max() <= height - 1
    on_border = ((points == 0) | (points == (width - 1, height - 1))).any(-1)
    assert on_border.mean() < 0.02  # few joints had to be clamped
    assert 0.25 * width < np.median(points[:, 0]) < 0.75 * width


def test_scores_are_detector_like(data_2d):
    scores = np.concatenate([a['keypoint_score'].ravel() for a in data_2d['annotations']])
    scores = scores[scores > 0]
    assert 0.6 < np.median(scores) < 0.95
    assert (scores < 0.4).mean() > 0.005  # low-score joints exist


def test_jitter_grows_with_joint_speed():
    residual, speed = [], []
    for index in range(6):
        spec = spec_of('wave right hand', index)
        clean = render_sample(spec, dim=2, clean=True)['keypoint']
        noisy = render_sample(spec, dim=2)['keypoint']
        valid = (noisy != 0).all(-1)
        error = np.linalg.norm(noisy - clean, axis=-1)
        step = np.linalg.norm(np.diff(clean, axis=1, prepend=clean[:, :1]), axis=-1)
        residual.append(error[valid])
        speed.append(step[valid])
    residual, speed = np.concatenate(residual), np.concatenate(speed)
    slow, fast = speed < np.quantile(speed, 0.5), speed > np.quantile(speed, 0.95)
    assert 0.5 < np.median(residual[slow]) < 20  # pixels
    assert np.median(residual[fast]) > 1.5 * np.median(residual[slow])


def test_skeleton_keeps_its_bone_lengths_and_stands_on_the_ground():
    scene = simulate_scene(spec_of('jump up'))
    parents = get_layout('nturgb+d').parents
    for child, parent in enumerate(parents):
        if parent >= 0:
            length = np.linalg.norm(scene[:, :, child] - scene[:, :, parent], axis=-1)
            assert np.ptp(length) < 1e-9
    feet = scene[0][:, [JOINT['left_ankle'], JOINT['right_ankle']], 1].min(-1)
    assert feet.min() > -1e-9 and np.median(feet) < 0.1  # on the ground, except in flight
    assert feet.max() > 0.08  # the jump leaves the ground
    assert 1.3 < np.median(scene[0, :, JOINT['head'], 1]) < 2.0  # metres


@pytest.mark.parametrize('forward,backward', REVERSED_PAIRS)
def test_reversed_pair_is_its_twin_played_backwards(forward, backward):
    spec = spec_of(SYNTHETIC_CLASSES[forward])
    twin = replace(spec, label=backward)
    np.testing.assert_allclose(simulate_scene(twin), simulate_scene(spec)[:, ::-1], atol=1e-12)
    observed = render_sample(twin, dim=3)['keypoint']
    expected = render_sample(spec, dim=3, clean=True)['keypoint'][:, ::-1]
    valid = (observed != 0).any(-1)
    assert np.median(np.linalg.norm(observed - expected, axis=-1)[valid]) < 0.03  # metres


def test_time_direction_of_reversed_pairs():
    sit = simulate_scene(spec_of('sit down'))[0, :, JOINT['spine_base'], 1]
    assert sit[0] - sit[-1] > 0.25  # the pelvis goes down by more than 25 cm
    stand = simulate_scene(spec_of('stand up'))[0, :, JOINT['spine_base'], 1]
    assert stand[-1] - stand[0] > 0.25
    for name, sign in (('approach each other', -1), ('walk apart', 1)):
        scene = simulate_scene(spec_of(name))
        gap = np.linalg.norm(scene[0, :, 0, [0, 2]] - scene[1, :, 0, [0, 2]], axis=0)
        assert sign * (gap[-1] - gap[0]) > 1.0  # metres
    hat = simulate_scene(spec_of('put on hat'))[0]
    hands = hat[:, [JOINT['left_wrist'], JOINT['right_wrist']], 1].mean(-1)
    rise = np.argmax(hands > hands[0] + 0.3)
    assert 0 < rise < np.argmax(hands)  # hands go up before the end


@pytest.mark.parametrize('left,right', MIRRORED_PAIRS)
def test_mirrored_pair_is_the_mirror_image(left, right):
    spec = spec_of(SYNTHETIC_CLASSES[left])
    flip = np.array([JOINT_NAMES.index(
        n.replace('left', 'right') if 'left' in n else n.replace('right', 'left'))
        for n in JOINT_NAMES])
    mirrored = simulate_scene(spec)[:, :, flip] * (-1.0, 1.0, 1.0)
    np.testing.assert_allclose(simulate_scene(replace(spec, label=right)), mirrored, atol=1e-9)


def test_only_the_named_limb_moves():
    def path_length(scene: np.ndarray, joint: str) -> float:
        return np.linalg.norm(np.diff(scene[0, :, JOINT[joint]], axis=0), axis=-1).sum()

    for side, other in (('left', 'right'), ('right', 'left')):
        # An incidental gesture may move the other hand too, so compare over several samples.
        ratios = [path_length(scene, f'{side}_wrist') / path_length(scene, f'{other}_wrist')
                  for scene in (simulate_scene(spec_of(f'wave {side} hand', i)) for i in range(6))]
        assert np.median(ratios) > 2.0
        kick = simulate_scene(spec_of(f'kick with {side} leg'))[0]
        assert kick[:, JOINT[f'{side}_ankle'], 1].max() > 0.3
        assert kick[:, JOINT[f'{other}_ankle'], 1].max() < 0.15


def test_views_follow_the_camera_conventions():
    spec = spec_of('clap', camera=1)
    frame = render_sample(spec, dim=2, clean=True)['keypoint'][0, 0]
    assert frame[COCO['left_shoulder'], 0] > frame[COCO['right_shoulder'], 0]  # image right
    assert frame[COCO['nose'], 1] < frame[COCO['left_ankle'], 1]  # image y points down
    joints = render_sample(spec, dim=3, clean=True)['keypoint'][0, 0]
    assert joints[NTU['left_shoulder'], 0] < joints[NTU['right_shoulder'], 0]  # Kinect x
    assert joints[NTU['head'], 1] > joints[NTU['left_ankle'], 1]
    side = render_sample(replace(spec, camera=2), dim=3, clean=True)['keypoint'][0, 0]
    front_width = abs(joints[NTU['left_shoulder'], 0] - joints[NTU['right_shoulder'], 0])
    side_width = abs(side[NTU['left_shoulder'], 0] - side[NTU['right_shoulder'], 0])
    assert side_width < 0.95 * front_width  # another viewpoint, not the same picture


def test_dump_writes_a_label_map_and_loads_through_pose_dataset(tmp_path):
    data = make_synthetic_dataset(2 * NUM_CLASSES, dim=2, num_subjects=5)
    pickle_path, label_map = dump_synthetic_dataset(data, tmp_path / 'sub' / 'syn_2d.pkl')
    assert label_map == tmp_path / 'sub' / 'syn_2d_label_map.txt' == label_map_path(pickle_path)
    assert label_map.read_text().splitlines() == list(SYNTHETIC_CLASSES)
    loaded = load_annotation_pickle(str(pickle_path))
    assert loaded['split'] == data['split']
    dataset = PoseDataset(str(pickle_path), split='xsub_val', label_map=str(label_map))
    assert len(dataset) == len(data['split']['xsub_val'])
    assert dataset.num_classes == NUM_CLASSES
    assert not list(tmp_path.glob('sub/*.partial'))


def test_cli_writes_the_files_and_a_summary(tmp_path, monkeypatch, capsys):
    tool = Path(__file__).resolve().parents[2] / 'tools' / 'data' / 'make_synthetic.py'
    out = tmp_path / 'syn_3d.pkl'
    monkeypatch.setattr(sys, 'argv', [str(tool), '--dim', '3', '--num-samples', '30',
                                      '--seed', '4', '--out', str(out)])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(tool), run_name='__main__')
    assert exit_info.value.code == 0
    printed = capsys.readouterr().out
    assert '30 samples' in printed and 'xsub_train' in printed and 'xview_val' in printed
    with open(out, 'rb') as file:
        written = pickle.load(file)
    expected = make_synthetic_dataset(30, dim=3, seed=4)
    assert written['split'] == expected['split']
    np.testing.assert_array_equal(written['annotations'][-1]['keypoint'],
                                  expected['annotations'][-1]['keypoint'])
    assert (tmp_path / 'syn_3d_label_map.txt').exists()
