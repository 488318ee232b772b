import time

import numpy as np
import pytest

from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.datasets.transforms import FormatShape, GeneratePoseTarget
from pyskl_lite.utils import InputError
from tests.datasets.transforms.helpers import COCO_POSE

COCO_LIMBS = get_layout('coco').limbs


def reference_heatmap(keypoint, score, img_h, img_w, sigma=0.6, with_kp=True, with_limb=False,
                      skeletons=COCO_LIMBS, min_peak=1e-3):
    """The PoseConv3D definition, written as the straightforward loop over frames, persons,
    joints and limbs (independent of the vectorised implementation)."""
    num_person, num_frames, num_joints, _ = keypoint.shape
    channels = (num_joints if with_kp else 0) + (len(skeletons) if with_limb else 0)
    out = np.zeros((num_frames, channels, img_h, img_w), np.float32)

    def window(low, high, size):
        return max(int(low - 3 * sigma), 0), min(int(high + 3 * sigma) + 1, size)

    def joint(arr, center, peak):
        if peak < min_peak:
            return
        st_x, ed_x = window(center[0], center[0], img_w)
        st_y, ed_y = window(center[1], center[1], img_h)
        x = np.arange(st_x, ed_x, 1, np.float32)
        y = np.arange(st_y, ed_y, 1, np.float32)[:, None]
        if not (x.size and y.size):
            return
        patch = np.exp(-((x - center[0]) ** 2 + (y - center[1]) ** 2) / 2 / sigma ** 2) * peak
        arr[st_y:ed_y, st_x:ed_x] = np.maximum(arr[st_y:ed_y, st_x:ed_x], patch)

    def limb(arr, a, b, peak_a, peak_b):
        peak = min(peak_a, peak_b)
        if peak < min_peak:
            return
        d2_ab = (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2
        if d2_ab < 1:
            joint(arr, a, peak_a)
            return
        st_x, ed_x = window(min(a[0], b[0]), max(a[0], b[0]), img_w)
        st_y, ed_y = window(min(a[1], b[1]), max(a[1], b[1]), img_h)
        x = np.arange(st_x, ed_x, 1, np.float32)
        y = np.arange(st_y, ed_y, 1, np.float32)[:, None]
        if not (x.size and y.size):
            return
        d2_a = (x - a[0]) ** 2 + (y - a[1]) ** 2
        d2_b = (x - b[0]) ** 2 + (y - b[1]) ** 2
        coeff = (d2_a - d2_b + d2_ab) / 2. / d2_ab
        d2_line = (x - (a[0] + coeff * (b[0] - a[0]))) ** 2 + \
            (y - (a[1] + coeff * (b[1] - a[1]))) ** 2
        d2 = np.where(coeff <= 0, d2_a, np.where(coeff >= 1, d2_b, d2_line))
        patch = np.exp(-d2 / 2. / sigma ** 2) * peak
        arr[st_y:ed_y, st_x:ed_x] = np.maximum(arr[st_y:ed_y, st_x:ed_x], patch)

    for t in range(num_frames):
        for m in range(num_person):
            if with_kp:
                for v in range(num_joints):
                    joint(out[t, v], keypoint[m, t, v], score[m, t, v])
            if with_limb:
                first = num_joints if with_kp else 0
                for k, (i, j) in enumerate(skeletons):
                    limb(out[t, first + k], keypoint[m, t, i], keypoint[m, t, j],
                         score[m, t, i], score[m, t, j])
    return out


def skeleton_clip(num_person=2, num_frames=48, size=56, seed=0):
    """Persons filling a size x size canvas as after PoseCompact + Resize, moving a little,
    with hard cases: a missing joint, a low score, a zero-length limb, joints off the canvas."""
    rng = np.random.default_rng(seed)
    pose = (COCO_POSE - COCO_POSE.min(0)) / np.ptp(COCO_POSE, 0).max() * size * 0.8
    keypoint = np.stack([
        pose + m * np.array([size * 0.15, 0]) + rng.normal(0, 1.0, (num_frames, 17, 2))
        for m in range(num_person)]).astype(np.float32)
    score = rng.uniform(0.3, 1.0, keypoint.shape[:3]).astype(np.float32)
    keypoint[0, 1, 9] = 0
    score[0, 1, 9] = 0
    score[0, 2, 3] = 5e-4
    keypoint[0, 3, 7] = keypoint[0, 3, 5] + 0.3           # limb (5, 7) shorter than 1 pixel
    keypoint[-1, 0, 15] = [-3.0, size + 2.0]              # off the canvas
    keypoint[-1, 2, 0] = [-2.0, 20.2]          # int(mu + 3 sigma) truncates to column 0
    return keypoint, score


def _results(keypoint, score, size=56, **extra):
    return dict(keypoint=keypoint.copy(), keypoint_score=score.copy(), img_shape=(size, size),
                **extra)


@pytest.mark.parametrize('with_kp,with_limb,sigma,use_score', [
    (True, False, 0.6, True), (False, True, 0.6, True), (True, True, 0.6, True),
    (True, True, 1.1, False)])
def test_matches_the_poseconv3d_loop(with_kp, with_limb, sigma, use_score):
    keypoint, score = skeleton_clip(num_frames=8)
    out = GeneratePoseTarget(sigma=sigma, use_score=use_score, with_kp=with_kp,
                             with_limb=with_limb)(_results(keypoint, score))['imgs']
    # Missing joints draw nothing: their peak is 0 (a zero score, or coordinates all 0).
    peaks = (score if use_score else np.ones_like(score)) * np.any(keypoint != 0, axis=-1)
    expected = reference_heatmap(keypoint, peaks, 56, 56, sigma, with_kp, with_limb)
    assert out.shape == expected.shape and out.dtype == np.float32
    assert np.abs(out - expected).max() <= 1e-4
    assert expected.max() > 0.5


def test_scaling_and_missing_joints_without_scores():
    keypoint, score = skeleton_clip(num_frames=4)
    keypoint[1, 2, 11] = 0
    out = GeneratePoseTarget(scaling=0.5)(dict(keypoint=keypoint.copy(),
                                               img_shape=(56, 56)))['imgs']
    expected = reference_heatmap(keypoint * 0.5, np.any(keypoint != 0, axis=-1).astype(
        np.float32), 28, 28)
    assert out.shape == (4, 17, 28, 28) and np.abs(out - expected).max() <= 1e-4
    assert out[2, 11, :2, :2].max() < 1e-6   # person 1's missing hip leaves the corner empty


def test_double_appends_the_mirror_with_sides_swapped():
    keypoint, score = skeleton_clip(num_frames=6)
    target = GeneratePoseTarget(with_kp=True, with_limb=True, double=True)
    out = target(_results(keypoint, score, num_clips=2, clip_len=3))
    imgs = out['imgs']
    layout = get_layout('coco')
    assert imgs.shape == (12, 17 + 17, 56, 56)
    expected = reference_heatmap(keypoint, score * np.any(keypoint != 0, -1), 56, 56,
                                 with_kp=True, with_limb=True)
    assert np.abs(imgs[:6] - expected).max() <= 1e-4
    joints = list(layout.flip_index)
    limbs = np.arange(17)
    limbs[list(layout.left_limbs)] = layout.right_limbs
    limbs[list(layout.right_limbs)] = layout.left_limbs
    np.testing.assert_array_equal(imgs[6:], imgs[:6][:, joints + list(17 + limbs), :, ::-1])
    # left wrist of the mirror = right wrist flipped
    np.testing.assert_array_equal(imgs[6 + 2, 9], imgs[2, 10, :, ::-1])
    views = FormatShape('NCTHW_Heatmap')(out)['imgs']
    assert views.shape == (4, 34, 3, 56, 56) and views.flags.c_contiguous
    np.testing.assert_array_equal(views[3, :, 1], imgs[6 + 3 + 1])   # mirror of clip 1, frame 1


def test_rejects_3d_keypoints_and_bad_arguments():
    with pytest.raises(InputError, match="field 'keypoint'"):
        GeneratePoseTarget()(dict(keypoint=np.zeros((1, 2, 17, 3)), img_shape=(8, 8),
                                  frame_dir='x'))
    with pytest.raises(ValueError, match='with_kp'):
        GeneratePoseTarget(with_kp=False, with_limb=False)
    with pytest.raises(ValueError, match='left_limb'):
        GeneratePoseTarget(with_limb=True, double=True, skeletons=[(0, 1), (1, 2)])


def test_vectorised_is_at_least_five_times_the_loop():
    """The issue asks for >= 10x (17 joints, 2 persons, 48 frames, 56 x 56, joints and limbs);
    the closing report gives the measured factor. Asserting 5x keeps this test robust on a
    loaded CI machine while still failing for a non-vectorised implementation."""
    clips = [skeleton_clip(num_person=2, num_frames=48, seed=s) for s in range(2)]
    target = GeneratePoseTarget(with_kp=True, with_limb=True)
    fast, slow = [], []
    for _ in range(2):
        start = time.perf_counter()
        for keypoint, score in clips:
            target(_results(keypoint, score))
        fast.append(time.perf_counter() - start)
        start = time.perf_counter()
        for keypoint, score in clips:
            reference_heatmap(keypoint, score, 56, 56, with_kp=True, with_limb=True)
        slow.append(time.perf_counter() - start)
    assert min(slow) / min(fast) >= 5
