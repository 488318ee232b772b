import numpy as np
import pytest

from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.datasets.transforms import (
    FrameStride,
    GenSkeFeat,
    RandomAffine,
    RandomJitter,
    RandomJointDropout,
    RandomSubSequence,
    TemporalReverse,
    UniformSampleFrames,
)
from tests.datasets.transforms.helpers import missing, pose_results

NTU_PARENTS = np.array(get_layout('nturgb+d').parents)


def _ntu(**kwargs):
    return pose_results(dim=3, num_joints=25, **kwargs)


def _bone_lengths(keypoint):
    return np.linalg.norm(keypoint[..., 1:, :] - keypoint[..., NTU_PARENTS[1:], :], axis=-1)


def _run_twice(make, results_factory):
    """Outputs of two transforms built alike, each applied to a fresh copy of the input."""
    return [make()(results_factory()) for _ in range(2)]


@pytest.mark.parametrize('make', [
    lambda: RandomAffine(rotation=0.3, scale=0.1, shear=0.1, seed=3),
    lambda: RandomJitter(sigma=0.05, seed=3),
    lambda: RandomSubSequence(min_ratio=0.3, seed=3),
    lambda: RandomSubSequence(min_ratio=0.3, mode='pad', seed=3),
    lambda: FrameStride(stride=(2, 3), seed=3),
    lambda: RandomJointDropout(prob=0.2, seed=3),
    lambda: TemporalReverse(prob=0.5, reversible_classes=[0], seed=3),
])
def test_each_augmentation_is_deterministic_under_a_seed(make):
    state = np.random.get_state()
    outputs = []
    for _ in range(2):
        transform = make()
        outputs.append([transform(_ntu(seed=s))['keypoint'] for s in range(4)])
    for first, second in zip(*outputs, strict=True):
        np.testing.assert_array_equal(first, second)
    # seeded transforms draw from their own generator
    assert np.array_equal(np.random.get_state()[1], state[1])
    changed = [not (a.shape == b.shape and np.array_equal(a, b)) for a, b in
               zip(outputs[0], [_ntu(seed=s)['keypoint'] for s in range(4)], strict=True)]
    assert any(changed)


def test_rotation_preserves_3d_bone_lengths_and_zeros():
    results = _ntu()
    lengths, zeros = _bone_lengths(results['keypoint']), missing(results['keypoint'])
    out = RandomAffine(rotation=0.5, scale=0.0, shear=0.0, seed=0)(results)
    assert not np.allclose(out['keypoint'], _ntu()['keypoint'])
    both = ~zeros[..., 1:] & ~zeros[..., NTU_PARENTS[1:]]
    np.testing.assert_allclose(_bone_lengths(out['keypoint'])[both], lengths[both], atol=1e-5)
    np.testing.assert_array_equal(missing(out['keypoint']), zeros)
    np.testing.assert_allclose(out['affine_matrix'] @ out['affine_matrix'].T, np.eye(3),
                               atol=1e-12)


def test_scale_only_stretches_each_axis_within_bounds():
    original = _ntu()['keypoint']
    out = RandomAffine(rotation=0.0, scale=0.2, shear=0.0, seed=1)(_ntu())['keypoint']
    valid = ~missing(original)
    ratio = out[valid] / original[valid]
    assert np.ptp(ratio, axis=0).max() < 1e-4          # one factor per axis
    assert np.all((ratio > 0.8 - 1e-5) & (ratio < 1.2 + 1e-5))
    two_d = RandomAffine(rotation=0.2, seed=0)(pose_results())
    assert two_d['affine_matrix'].shape == (2, 2)


def test_jitter_noise_has_the_requested_spread_and_spares_missing_joints():
    original = _ntu(num_frames=200)['keypoint']
    out = RandomJitter(sigma=0.02, seed=0)(_ntu(num_frames=200))['keypoint']
    valid = ~missing(original)
    assert np.std(out[valid] - original[valid]) == pytest.approx(0.02, rel=0.05)
    np.testing.assert_array_equal(missing(out), ~valid)


def test_temporal_reverse_only_for_declared_classes(tmp_path):
    label_map = tmp_path / 'labels.txt'
    label_map.write_text('sit down\nstand up\nclap\nwalk\n')
    reverse = TemporalReverse(prob=1.0, reversible_classes=['clap'],
                              reverse_label_map={'sit down': 'stand up', 'jump': 'land'},
                              label_map=str(label_map))
    for label, expected in [(0, 1), (1, 0), (2, 2)]:
        results = pose_results(label=label)
        original = results['keypoint'].copy()
        out = reverse(results)
        assert out['reversed'] and out['label'] == expected
        np.testing.assert_array_equal(out['keypoint'], original[:, ::-1])
    walk = reverse(pose_results(label=3))
    assert not walk['reversed'] and walk['label'] == 3
    np.testing.assert_array_equal(walk['keypoint'], pose_results(label=3)['keypoint'])
    with pytest.raises(ValueError, match='both reversible'):
        TemporalReverse(reversible_classes=[0], reverse_label_map={0: 1})


def test_sub_sequence_resample_and_pad():
    original = _ntu(num_frames=40)['keypoint']
    frame_ids = np.arange(40, dtype=np.float32)[None, :, None, None]
    tagged = lambda: dict(_ntu(num_frames=40), keypoint=original + 100 * frame_ids)  # noqa
    for seed in range(5):
        out = RandomSubSequence(min_ratio=0.25, max_ratio=0.5, seed=seed)(tagged())
        start, length = out['sub_sequence']
        assert out['keypoint'].shape == original.shape and 10 <= length <= 20
        source = np.round((out['keypoint'] - original[:, :1]) / 100)[0, :, 1, 0]
        assert source.min() == start and source.max() == start + length - 1
        assert np.all(np.diff(source) >= 0)
        padded = RandomSubSequence(min_ratio=0.25, max_ratio=0.5, mode='pad', seed=seed)(
            tagged())
        start, length = padded['sub_sequence']
        np.testing.assert_array_equal(padded['keypoint'][:, :length],
                                      tagged()['keypoint'][:, start:start + length])
        assert np.all(padded['keypoint'][:, length:] == 0)


def test_frame_stride_keeps_every_kth_frame_before_sampling():
    results = _ntu(num_frames=30)
    original = results['keypoint'].copy()
    out = FrameStride(stride=3, random_offset=False)(results)
    np.testing.assert_array_equal(out['keypoint'], original[:, ::3])
    assert out['total_frames'] == 10 and out['frame_stride'] == 3
    sampled = UniformSampleFrames(clip_len=8)(_ntu(num_frames=30))
    with pytest.raises(ValueError, match='before UniformSampleFrames'):
        FrameStride()(sampled)


def test_joint_dropout_rate_and_whole_sequence_mode():
    results = pose_results(num_frames=400)
    out = RandomJointDropout(prob=0.1, seed=0)(results)
    dropped = missing(out['keypoint']) & ~missing(pose_results(num_frames=400)['keypoint'])
    assert dropped.mean() == pytest.approx(0.1, abs=0.01)
    assert np.all(out['keypoint_score'][dropped] == 0)
    whole = RandomJointDropout(prob=0.3, whole_sequence=True, seed=0)(_ntu())
    gone = missing(whole['keypoint']).all(axis=1)
    assert gone.any() and np.array_equal(gone, missing(whole['keypoint'])[:, 10])


def test_frame_dropout_empties_whole_frames_of_a_person_at_the_rate():
    original = missing(pose_results(num_frames=400)['keypoint'])
    out = RandomJointDropout(prob=0.2, whole_frame=True, seed=0)(pose_results(num_frames=400))
    empty = missing(out['keypoint']).all(axis=-1) & ~original.all(axis=-1)   # (M, T)
    assert empty.mean() == pytest.approx(0.2, abs=0.03)
    partly = missing(out['keypoint']) & ~original
    assert np.array_equal(partly.any(axis=-1), empty)      # only whole frames were dropped
    assert np.all(out['keypoint_score'][empty] == 0)
    with pytest.raises(ValueError, match='whole persons'):
        RandomJointDropout(whole_sequence=True, whole_frame=True)


def test_coordinate_augmentations_refuse_feature_tensors():
    features = GenSkeFeat(feats=['j', 'b'])(pose_results())
    for transform in (RandomAffine(), RandomJitter(), RandomJointDropout()):
        with pytest.raises(ValueError, match='before GenSkeFeat'):
            transform(dict(features))


def test_pairs_of_another_dataset_are_noted_once_and_a_partial_match_warns():
    """A config's synthetic pairs on UTKinect's label map: one info line, no warning; a pair
    with a misspelt name among known ones still warns."""
    import logging

    from mmengine.logging import MMLogger

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        names = ['walk', 'sitDown', 'standUp']
        TemporalReverse(reverse_label_map={'sit down': 'stand up'}, label_map=names)
        TemporalReverse(reverse_label_map={'sitDown': 'standup'}, label_map=names)
    finally:
        logger.removeHandler(handler)
    levels = [(r.levelno, r.getMessage()) for r in records]
    assert levels[0][0] == logging.INFO and 'none of its classes' in levels[0][1]
    assert levels[1][0] == logging.WARNING and "'standup'" in levels[1][1]
    assert len(levels) == 2
