"""BodyNormalize on hand-made skeletons: one body frame whatever the sensor, the subject's
size, place and orientation; missing joints, empty frames and short clips."""
import numpy as np
import pytest

from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.datasets.transforms import BodyNormalize

KINECT = get_layout('kinect')
COCO = get_layout('coco')


def _kinect_walker(num_frames: int = 12, seed: int = 0, step: float = 0.05) -> np.ndarray:
    """``(1, T, 20, 3)`` a Kinect skeleton in its own frame (x: right -> left shoulder, y: up,
    z: towards the viewer), torso length 0.5, swinging its arms and stepping forward."""
    rng = np.random.default_rng(seed)
    names = KINECT.joint_names
    base = {
        'hip_center': (0, 0, 0), 'spine': (0, 0.25, 0), 'shoulder_center': (0, 0.5, 0),
        'head': (0, 0.7, 0), 'left_shoulder': (0.18, 0.5, 0), 'right_shoulder': (-0.18, 0.5, 0),
        'left_elbow': (0.22, 0.25, 0), 'right_elbow': (-0.22, 0.25, 0),
        'left_wrist': (0.24, 0.02, 0), 'right_wrist': (-0.24, 0.02, 0),
        'left_hand': (0.25, -0.05, 0), 'right_hand': (-0.25, -0.05, 0),
        'left_hip': (0.1, 0, 0), 'right_hip': (-0.1, 0, 0), 'left_knee': (0.1, -0.45, 0.05),
        'right_knee': (-0.1, -0.45, 0.05), 'left_ankle': (0.1, -0.9, 0),
        'right_ankle': (-0.1, -0.9, 0), 'left_foot': (0.1, -0.95, 0.1),
        'right_foot': (-0.1, -0.95, 0.1)}
    pose = np.array([base[n] for n in names], dtype=np.float64)
    frames = []
    for t in range(num_frames):
        swing = 0.2 * np.sin(t / 2)
        moved = pose.copy()
        moved[names.index('left_wrist'), 2] += swing
        moved[names.index('right_wrist'), 2] -= swing
        moved[:, 2] += step * t
        frames.append(moved + rng.normal(0, 0.003, moved.shape))
    return np.stack(frames)[None]


def _rotation(axis: str, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return {'x': np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
            'y': np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
            'z': np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])}[axis]


def _normalise(keypoint, layout='kinect', **kwargs):
    results = dict(keypoint=keypoint.astype(np.float32), total_frames=keypoint.shape[1])
    return BodyNormalize(joint_layout=layout)(dict(results, **kwargs))


def test_3d_output_is_the_same_for_any_sensor_pose_scale_and_place():
    body = _kinect_walker()
    reference = _normalise(body)['keypoint']
    names = KINECT.joint_names
    # Upright: spine along +z, shoulders right -> left along +x, one torso length.
    mid_hip = reference[0, :, [names.index('left_hip'), names.index('right_hip')]].mean(0)
    neck = reference[0, :, [names.index('left_shoulder'),
                            names.index('right_shoulder')]].mean(0)
    spine = np.median(neck - mid_hip, axis=0)
    np.testing.assert_allclose(spine, [0, 0, 1], atol=0.03)
    across = np.median(reference[0, :, names.index('left_shoulder')]
                       - reference[0, :, names.index('right_shoulder')], axis=0)
    assert across[0] > 0.5 and abs(across[2]) < 0.05
    sensors = {
        # Kinect-like: y up, z = depth; the subject 2.4 m away, turned 40 degrees.
        'y up': lambda p: p @ _rotation('y', 0.7).T + [0.3, 0.1, 2.4],
        # A camera with y pointing down (x right, z forward): a half turn about x.
        'y down': lambda p: p @ (_rotation('x', np.pi) @ _rotation('y', -1.2)).T + [1, 2, 3],
        # z up (a motion-capture lab), in millimetres.
        'z up, mm': lambda p: 1000 * (p @ _rotation('x', np.pi / 2).T) - [50, 400, 20],
    }
    for name, sensor in sensors.items():
        out = _normalise(sensor(body))['keypoint']
        np.testing.assert_allclose(out, reference, atol=2e-4, err_msg=name)


def test_2d_pixels_of_any_frame_size_and_y_up_or_down_agree():
    body = _kinect_walker()[..., :2]           # front view: x across, y up (metres)
    reference = _normalise(body)
    out = reference['keypoint']
    hip, shoulder = KINECT.joint_names.index('hip_center'), KINECT.joint_names.index('head')
    assert np.all(out[0, :, shoulder, 1] > out[0, :, hip, 1])      # upright, y up
    pixels_small = body * [1, -1] * 150 + [160, 120]                # y down, 320 x 240
    pixels_large = body * [1, -1] * 900 + [960, 540]                # y down, 1920 x 1080
    tilted = body @ _rotation('z', 0.3)[:2, :2].T * 4 + [-7, 3]     # rolled camera, y up
    for name, data in (('small', pixels_small), ('large', pixels_large), ('tilted', tilted)):
        np.testing.assert_allclose(_normalise(data)['keypoint'], out, atol=2e-4, err_msg=name)
    assert reference['body_scale'] == pytest.approx(0.5, rel=0.05)


def test_missing_joints_and_empty_frames_stay_missing_and_do_not_move_the_frame():
    body = _kinect_walker(num_frames=10, step=0)
    reference = _normalise(body)['keypoint']
    holed = body.copy()
    holed[0, 3] = 0                                  # an all-zero frame
    holed[0, 5, KINECT.joint_names.index('left_hand')] = 0
    holed[0, 6, KINECT.joint_names.index('left_hip')] = 0
    out = _normalise(holed)['keypoint']
    assert np.all(out[0, 3] == 0)
    assert np.all(out[0, 5, KINECT.joint_names.index('left_hand')] == 0)
    kept = np.any(holed != 0, axis=-1)
    np.testing.assert_allclose(out[kept], reference[kept], atol=0.02)


def test_scores_at_or_below_the_threshold_are_missing_and_short_clips_work():
    body = _kinect_walker(num_frames=1)[..., :2] * [1, -1] * 100 + [160, 120]
    score = np.ones(body.shape[:3], np.float32)
    score[0, 0, 0] = 0.005
    out = _normalise(body, keypoint_score=score)['keypoint']
    assert np.all(out[0, 0, 0] == 0) and np.count_nonzero(np.any(out != 0, -1)) == 19


def test_second_person_shares_the_main_persons_frame():
    body = _kinect_walker()
    partner = body.copy()
    partner[..., 0] += 1.0                           # one metre to the side
    partner[0, :, 5:] = 0                            # mostly hidden: not the main person
    both = np.concatenate([partner, body])
    out = _normalise(both)['keypoint']
    alone = _normalise(body)['keypoint']
    np.testing.assert_allclose(out[1], alone[0], atol=1e-4)
    offset = out[0, :, 0] - out[1, :, 0]
    np.testing.assert_allclose(np.linalg.norm(offset, axis=-1), 2.0, atol=0.05)  # 1 m / 0.5 m


def test_without_torso_joints_the_clip_is_centred_and_scaled_by_its_spread():
    layout = dict(name='two_hands', joint_names=('left_hand', 'right_hand'), parents=(-1, 0))
    points = np.array([[[[2.0, 5.0], [4.0, 5.0]], [[2.0, 7.0], [4.0, 7.0]]]])
    out = _normalise(points, layout=layout)['keypoint']
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-6)
    np.testing.assert_allclose(np.sqrt((out ** 2).sum(-1).mean()), 1, atol=1e-6)
    assert np.all(_normalise(np.zeros((1, 3, 17, 2)), layout='coco')['keypoint'] == 0)


def test_coco_layout_finds_its_torso_from_hips_and_shoulders():
    transform = BodyNormalize('coco')
    names = COCO.joint_names
    assert set(transform.lower) == {names.index('left_hip'), names.index('right_hip')}
    assert set(transform.upper) == {names.index('left_shoulder'), names.index('right_shoulder')}
