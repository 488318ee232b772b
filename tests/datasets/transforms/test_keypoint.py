import numpy as np
import pytest

from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.datasets.transforms import (
    CentroidNormalize,
    FormatKeypoints,
    GenSkeFeat,
    PreNormalize2D,
    PreNormalize3D,
)
from pyskl_lite.utils import InputError
from tests.datasets.transforms.helpers import missing, pose_results


def test_prenormalize_2d_maps_the_frame_to_unit_range_and_drops_low_scores():
    results = pose_results()
    results['keypoint'][0, 0, :3] = [[0, 0], [1920, 1080], [960, 540]]
    results['keypoint'][0, 0, 0] = [0, 1080]
    results['keypoint_score'][0, 1, 2] = 0.005
    zeros = missing(results['keypoint'])
    out = PreNormalize2D(threshold=0.01)(results)['keypoint']
    np.testing.assert_allclose(out[0, 0, :3], [[-1, 1], [1, 1], [0, 0]])
    assert np.all(out[0, 1, 2] == 0) and np.all(out[zeros] == 0)
    assert np.abs(out).max() <= 1.5
    half = PreNormalize2D()(dict(pose_results(), img_shape=(540, 960)))['keypoint']
    assert np.abs(half).max() > 1   # the sample's own img_shape is used
    with pytest.raises(InputError, match='PreNormalize3D'):
        PreNormalize2D()(pose_results(dim=3, num_joints=25))


def _ntu_person(num_frames=6, seed=0):
    """NTU-25 skeleton tilted in space: spine along y and shoulders along z before
    normalisation, so both alignments have work to do."""
    rng = np.random.default_rng(seed)
    layout = get_layout('nturgb+d')
    offsets = {'spine_mid': (0, 0.3, 0), 'spine_shoulder': (0, 0.25, 0), 'neck': (0, 0.1, 0),
               'head': (0, 0.15, 0), 'left_shoulder': (0, 0, -0.2),
               'right_shoulder': (0, 0, 0.2), 'left_hip': (0, -0.05, -0.1),
               'right_hip': (0, -0.05, 0.1)}
    points = np.zeros((25, 3))
    for v in np.argsort(layout.depths, kind='stable'):
        parent = layout.parents[v]
        if parent >= 0:
            step = offsets.get(layout.joint_names[v], rng.uniform(-0.15, 0.15, 3))
            points[v] = points[parent] + step
    points += [0.5, 0.2, 3.0]
    return (points + rng.normal(0, 0.01, (num_frames, 25, 3))).astype(np.float32)


def test_prenormalize_3d_centres_and_aligns_spine_and_shoulders():
    person = _ntu_person()
    keypoint = np.stack([person, person + 1.0])
    keypoint[0, :2] = 0                      # person 0 is missing in frames 0 and 1...
    keypoint[1, 3] = 0                       # ...person 1 only in frame 3
    keypoint[0, 2, 7] = 0                    # and a missing hand
    results = dict(keypoint=keypoint, total_frames=6, frame_dir='s')
    out = PreNormalize3D(joint_layout='nturgb+d')(results)
    skeleton = out['keypoint']
    assert out['total_frames'] == 5 and skeleton.shape == (2, 5, 25, 3)
    first = skeleton[0, 0]                   # the person present in more frames leads
    np.testing.assert_allclose(first[1], 0, atol=1e-6)   # spine_mid is the origin
    shoulders = first[4] - first[8]           # right (8) -> left (4) shoulder
    np.testing.assert_allclose(shoulders / np.linalg.norm(shoulders), [1, 0, 0], atol=1e-5)
    spine = first[1] - first[0]
    assert spine[2] / np.linalg.norm(spine) > 0.95
    # rigid: bone lengths of every frame are kept
    parents = np.array(get_layout('nturgb+d').parents)
    lengths = lambda s: np.linalg.norm(s[..., 1:, :] - s[..., parents[1:], :], axis=-1)  # noqa
    np.testing.assert_allclose(lengths(skeleton[0]), lengths(person[[0, 1, 2, 4, 5]] + 1.0),
                               atol=1e-5)
    assert np.all(skeleton[1, :2] == 0) and np.all(skeleton[1, 2, 7] == 0)
    assert np.any(skeleton[1, 2] != 0, axis=-1).sum() == 24
    empty = dict(keypoint=np.zeros((1, 3, 25, 3), np.float32), total_frames=3)
    assert PreNormalize3D()(empty)['total_frames'] == 3
    stick = dict(name='stick3', joint_names=['a', 'b', 'c'], parents=[-1, 0, 1])
    with pytest.raises(ValueError, match='zaxis'):
        PreNormalize3D(joint_layout=stick)
    with pytest.raises(ValueError, match='xaxis'):
        PreNormalize3D(joint_layout=stick, zaxis=(0, 1))


@pytest.mark.parametrize('mode', ['clip', 'frame'])
def test_centroid_normalize_centres_valid_joints(mode):
    results = pose_results(dim=3, num_joints=25)
    zeros = missing(results['keypoint'])
    out = CentroidNormalize(mode=mode)(results)['keypoint']
    valid = ~zeros
    if mode == 'clip':
        np.testing.assert_allclose(out[valid].mean(0), 0, atol=1e-5)
    else:
        for t in range(out.shape[1]):
            np.testing.assert_allclose(out[:, t][valid[:, t]].mean(0), 0, atol=1e-5)
    np.testing.assert_array_equal(missing(out), zeros)


def test_gen_ske_feat_joint_bone_motion_with_score_channel():
    results = pose_results(num_person=2, num_frames=10)
    coords, score = results['keypoint'].copy(), results['keypoint_score'].copy()
    out = GenSkeFeat(feats=['j', 'b', 'jm', 'bm'], joint_layout='coco')(results)
    feats = out['keypoint']
    assert feats.shape == (2, 10, 17, 12) and 'keypoint_score' not in out
    np.testing.assert_allclose(feats[..., :2], coords)
    np.testing.assert_allclose(feats[..., 2], score)
    # left elbow (7) hangs from the left shoulder (5)
    np.testing.assert_allclose(feats[1, :, 7, 3:5], coords[1, :, 7] - coords[1, :, 5])
    np.testing.assert_allclose(feats[1, :, 7, 5], (score[1, :, 7] + score[1, :, 5]) / 2)
    assert np.all(feats[..., 0, 3:5] == 0)                    # the root has no bone
    np.testing.assert_allclose(feats[0, 1:4, 2, 6:8], coords[0, 2:5, 2] - coords[0, 1:4, 2])
    assert np.all(feats[:, -1, :, 6:] == 0)                   # no motion after the last frame
    # missing: person 0's right ear (4) in frame 3 -> no bone, no motion into or out of it
    assert np.all(feats[0, 3, 4, 3:5] == 0) and np.all(feats[0, 2:4, 4, 6:8] == 0)
    with pytest.raises(ValueError, match='GenSkeFeat'):
        CentroidNormalize()(out)
    three_d = GenSkeFeat(feats=['j', 'b'], joint_layout='nturgb+d')(
        pose_results(dim=3, num_joints=25))
    assert three_d['keypoint'].shape[-1] == 6
    with pytest.raises(InputError, match='joint_layout has 25 joints'):
        GenSkeFeat(joint_layout='nturgb+d')(pose_results())


@pytest.mark.parametrize('layout,shape', [
    ('NCTVM', (3, 3, 5, 17, 2)), ('NMTVC', (3, 2, 5, 17, 3)), ('NTMVC', (3, 5, 2, 17, 3)),
    ('NT(MVC)', (3, 5, 2 * 17 * 3)), ('N(MC)TV', (3, 6, 5, 17))])
def test_format_keypoints_layouts(layout, shape):
    results = pose_results(num_person=3, num_frames=15, num_clips=3, clip_len=5)
    source = np.concatenate([results['keypoint'], results['keypoint_score'][..., None]], -1)
    out = FormatKeypoints(num_person=2, layout=layout)(results)
    tensor = out['keypoint']
    assert tensor.shape == shape and tensor.dtype == np.float32 and out['num_person'] == 3
    # recover (N, C, T, V, M) and compare with the first two persons
    canonical = {
        'NCTVM': lambda x: x,
        'NMTVC': lambda x: x.transpose(0, 4, 2, 3, 1),
        'NTMVC': lambda x: x.transpose(0, 4, 1, 3, 2),
        'NT(MVC)': lambda x: x.reshape(3, 5, 2, 17, 3).transpose(0, 4, 1, 3, 2),
        'N(MC)TV': lambda x: x.reshape(3, 2, 3, 5, 17).transpose(0, 2, 3, 4, 1),
    }[layout](tensor)
    expected = source[:2].reshape(2, 3, 5, 17, 3).transpose(1, 4, 2, 3, 0)
    np.testing.assert_array_equal(canonical, expected)


def test_format_keypoints_pads_persons_and_checks_layouts():
    results = pose_results(num_person=1, num_frames=8)
    out = FormatKeypoints(num_person=2, layout='NCTVM')(results)['keypoint']
    assert out.shape == (1, 3, 8, 17, 2) and np.all(out[..., 1] == 0)
    single = FormatKeypoints(num_person=1, layout='NCTV')(pose_results(num_person=2))
    assert single['keypoint'].shape == (1, 3, 40, 17)
    for bad in ('NCTV', 'CTVM', 'NCTVMM', 'NCT(V'):
        with pytest.raises(ValueError, match='layout'):
            FormatKeypoints(num_person=2, layout=bad)
    with pytest.raises(InputError, match='num_clips=3'):
        FormatKeypoints()(pose_results(num_frames=10, num_clips=3))


def test_gen_ske_feat_motion_stops_at_the_end_of_every_sampled_clip():
    """After multi-clip sampling (test mode), the last frame of clip i must not get the jump to
    the first frame of clip i + 1 as motion: it gets 0, as the last frame of a single clip."""
    rng = np.random.default_rng(0)
    keypoint = rng.random((1, 6, 17, 2)).astype(np.float32) + 0.5
    score = np.ones((1, 6, 17), np.float32)
    results = dict(keypoint=keypoint, keypoint_score=score, num_clips=3, clip_len=2)
    out = GenSkeFeat(feats=['jm'])(results)['keypoint']
    np.testing.assert_array_equal(out[:, [1, 3, 5]], 0)
    np.testing.assert_allclose(out[:, [0, 2, 4], :, :2],
                               keypoint[:, [1, 3, 5]] - keypoint[:, [0, 2, 4]])
    whole = GenSkeFeat(feats=['jm'])(dict(keypoint=keypoint, keypoint_score=score))['keypoint']
    np.testing.assert_allclose(whole[:, 1, :, :2], keypoint[:, 2] - keypoint[:, 1])
