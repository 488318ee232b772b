import numpy as np

from pyskl_lite.datasets.camera import KINECT_V1, PinholeCamera


def test_points_project_by_hand_with_either_y_axis():
    camera = PinholeCamera(focal=(100.0, 200.0), center=(50.0, 40.0), img_shape=(80, 100))
    joints = np.array([[[[0.0, 0.0, 2.0], [1.0, 0.5, 2.0], [-0.4, -0.2, 4.0]]]])  # (1, 1, 3, 3)
    pixels, score = camera.project(joints)
    np.testing.assert_allclose(pixels[0, 0], [[50, 40], [100, 40 - 50], [40, 40 + 10]])
    assert pixels.dtype == np.float32 and score.dtype == np.float32
    np.testing.assert_array_equal(score, 1)
    flipped, _ = PinholeCamera((100.0, 200.0), (50.0, 40.0), (80, 100), y_up=False).project(joints)
    np.testing.assert_allclose(flipped[0, 0], [[50, 40], [100, 40 + 50], [40, 40 - 10]])


def test_untracked_and_behind_camera_joints_get_score_zero_and_scores_are_kept():
    joints = np.array([[[[0.1, 0.2, 3.0], [0.0, 0.0, 0.0], [0.3, 0.1, -1.0]]]], np.float16)
    given = np.array([[[0.8, 0.9, 0.7]]], np.float16)
    pixels, score = KINECT_V1.project(joints, given)
    np.testing.assert_array_equal(pixels[0, 0, 1:], 0)
    np.testing.assert_allclose(score[0, 0], [0.8, 0, 0], atol=1e-3)
    u = 285.63 * float(np.float16(0.1)) / 3 + 160
    v = 120 - 285.63 * float(np.float16(0.2)) / 3
    np.testing.assert_allclose(pixels[0, 0, 0], [u, v], rtol=1e-6)


def test_project_sample_replaces_the_geometry_and_keeps_the_rest():
    sample = dict(frame_dir='a01_s01_e01', label=3, total_frames=2, img_shape=(1, 1),
                  keypoint=np.ones((1, 2, 4, 3), np.float32))
    out = KINECT_V1.project_sample(sample)
    assert out['keypoint'].shape == (1, 2, 4, 2) and out['keypoint_score'].shape == (1, 2, 4)
    assert out['img_shape'] == out['original_shape'] == (240, 320)
    assert (out['frame_dir'], out['label'], out['total_frames']) == ('a01_s01_e01', 3, 2)
    assert sample['keypoint'].shape[-1] == 3         # the input is not modified
