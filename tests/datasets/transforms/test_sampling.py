import numpy as np
import pytest

from pyskl_lite.datasets.transforms import PoseDecode, UniformSampleFrames
from pyskl_lite.utils import InputError
from tests.datasets.transforms.helpers import pose_results


def _inds(transform, num_frames, test_mode=False, **extra):
    return transform(dict(dict(total_frames=num_frames, start_index=0, test_mode=test_mode),
                          **extra))['frame_inds']


@pytest.mark.parametrize('num_frames', [7, 48, 60, 95, 96, 300])
def test_train_sampling_follows_the_three_regimes(num_frames):
    np.random.seed(0)
    sampler = UniformSampleFrames(clip_len=48)
    looping = UniformSampleFrames(clip_len=48, short_clips='loop')
    for _ in range(5):
        inds = _inds(sampler, num_frames)
        assert inds.shape == (48,) and inds.min() >= 0 and inds.max() <= num_frames - 1
        if num_frames < 48:
            # the whole sequence once, slowed down: evenly spaced fractional positions
            np.testing.assert_allclose(inds, np.linspace(0, num_frames - 1, 48))
            # PYSKL's loop: consecutive frames, wrapping around the end
            looped = _inds(looping, num_frames)
            assert looped.dtype == np.int64 and np.all((np.diff(looped) % num_frames) == 1)
            continue
        assert inds.dtype == np.int64
        if num_frames < 96:
            # every frame once, in order, with num_frames - 48 skipped
            assert np.all(np.diff(inds) >= 1) and np.all(np.diff(inds) <= 2)
            assert inds[-1] - inds[0] + 1 - 48 <= num_frames - 48
        else:
            bounds = np.arange(49) * num_frames // 48
            assert np.all(inds >= bounds[:-1]) and np.all(inds < bounds[1:])


def test_train_sampling_is_random_but_reproducible_from_the_global_seed():
    sampler = UniformSampleFrames(clip_len=16)
    np.random.seed(3)
    first = _inds(sampler, 200)
    second = _inds(sampler, 200)
    np.random.seed(3)
    np.testing.assert_array_equal(_inds(sampler, 200), first)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize('num_frames', [5, 30, 70, 500])
def test_test_sampling_is_deterministic_and_leaves_the_global_rng_alone(num_frames):
    sampler = UniformSampleFrames(clip_len=32, num_clips=10, seed=255)
    np.random.seed(1)
    state = np.random.get_state()
    first = _inds(sampler, num_frames, test_mode=True)
    _inds(sampler, 123, test_mode=True)   # another video in between changes nothing
    again = _inds(sampler, num_frames, test_mode=True)
    after = np.random.get_state()
    np.testing.assert_array_equal(first, again)
    assert first.shape == (320,) and first.max() < num_frames
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    other_seed = _inds(UniformSampleFrames(32, num_clips=10, seed=7), num_frames,
                       test_mode=True)
    assert num_frames < 32 or not np.array_equal(first, other_seed)


def test_short_video_test_clips_start_evenly():
    inds = _inds(UniformSampleFrames(clip_len=32, num_clips=4, short_clips='loop'), 20,
                 test_mode=True)
    clips = inds.reshape(4, 32)
    np.testing.assert_array_equal(clips[:, 0], [0, 5, 10, 15])
    np.testing.assert_array_equal(clips[1], np.arange(5, 37) % 20)


def test_test_mode_argument_overrides_results_and_train_seed_is_local():
    sampler = UniformSampleFrames(clip_len=16, test_mode=True)
    assert np.array_equal(_inds(sampler, 200), _inds(sampler, 200, test_mode=False))
    state = np.random.get_state()
    seeded = [UniformSampleFrames(clip_len=16, train_seed=5) for _ in range(2)]
    assert np.array_equal(_inds(seeded[0], 200), _inds(seeded[1], 200))
    assert np.array_equal(np.random.get_state()[1], state[1])


def test_p_interval_keeps_clips_inside_a_sub_sequence():
    np.random.seed(0)
    sampler = UniformSampleFrames(clip_len=10, num_clips=3, p_interval=(0.2, 0.5))
    for _ in range(20):
        clips = _inds(sampler, 100).reshape(3, 10)
        assert np.all(clips.max(1) - clips.min(1) < 50)
    with pytest.raises(ValueError, match='p_interval'):
        UniformSampleFrames(clip_len=10, p_interval=(0.5, 1.2))


def test_start_index_and_frame_count_check():
    inds = _inds(UniformSampleFrames(4), 10, test_mode=True, start_index=1)
    assert inds.min() >= 1 and inds.max() <= 10
    results = pose_results(num_frames=40)
    results['total_frames'] = 41
    with pytest.raises(InputError, match="field 'total_frames'.*keypoint T = 40"):
        UniformSampleFrames(8)(results)


def test_pose_decode_gathers_frames_as_float32():
    results = pose_results(num_person=2, num_frames=30)
    results['keypoint'] = results['keypoint'].astype(np.float16)
    original = results['keypoint'].copy()
    results['frame_inds'] = np.array([3, 3, 0, 29])
    decoded = PoseDecode()(results)
    assert decoded['keypoint'].dtype == np.float32 and decoded['keypoint'].shape == (2, 4, 17, 2)
    np.testing.assert_array_equal(decoded['keypoint'], original[:, [3, 3, 0, 29]])
    assert decoded['keypoint_score'].shape == (2, 4, 17) and decoded['num_person'] == 2
    results = pose_results(num_frames=5)
    results['frame_inds'] = np.array([5])
    with pytest.raises(InputError, match='frame_inds'):
        PoseDecode()(results)


def test_short_clips_are_interpolated_without_a_jump_in_the_motion():
    """A 9-frame push sampled to 48 frames: PYSKL's loop jumps back to the start 5 times (the
    joint-motion feature spikes there); interpolation moves steadily from start to end."""
    results = pose_results(num_frames=9, dim=3, num_joints=20)
    ramp = np.linspace(0, 0.8, 9, dtype=np.float32)
    results['keypoint'][0] = 1.0
    results['keypoint'][0, :, :, 0] += ramp[:, None]
    results['keypoint'][1] = 0
    steps = {}
    for mode in ('interpolate', 'loop'):
        out = UniformSampleFrames(48, short_clips=mode, test_mode=True)(dict(results))
        out = PoseDecode()(out)
        steps[mode] = np.diff(out['keypoint'][0, :, 0, 0])
    np.testing.assert_allclose(steps['interpolate'], 0.8 / 47, atol=1e-6)
    assert steps['loop'].min() < -0.7        # the loop's jump back to the first frame


def test_interpolation_takes_the_nearer_frame_where_a_joint_is_missing():
    keypoint = np.array([[[[2, 2], [4, 4]], [[0, 0], [6, 6]], [[4, 4], [8, 8]]]], np.float32)
    results = dict(keypoint=keypoint, keypoint_score=np.ones((1, 3, 2), np.float32),
                   frame_inds=np.array([0.25, 0.6, 1.75]))
    out = PoseDecode()(results)
    np.testing.assert_allclose(out['keypoint'][0, :, 1], [[4.5, 4.5], [5.2, 5.2], [7.5, 7.5]])
    np.testing.assert_allclose(out['keypoint'][0, :, 0], [[2, 2], [0, 0], [4, 4]])
