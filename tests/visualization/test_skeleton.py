import numpy as np
import pytest

from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.visualization.skeleton import (
    PART_COLOURS,
    SkeletonPainter,
    fit_to_canvas,
    person_colours,
    project,
    visible_joints,
)
from tests.conftest import SHARED_DATA


def test_visible_joints_hides_missing_nonfinite_and_low_score():
    keypoint = np.ones((1, 2, 4, 2), np.float32)
    keypoint[0, 0, 1] = 0            # PYSKL's missing joint
    keypoint[0, 1, 2, 0] = np.nan
    score = np.full((1, 2, 4), 0.9, np.float32)
    score[0, 1, 3] = 0.1
    visible = visible_joints(keypoint, score, score_thr=0.3)
    assert visible.tolist() == [[[True, False, True, True], [True, True, False, False]]]
    assert visible_joints(keypoint).sum() == 6  # without scores only coordinates count


def test_front_view_shows_a_kinect_person_upright_and_facing_the_camera():
    # Kinect camera space: x towards the camera's left, y up. A person facing the camera has
    # the left shoulder at smaller x; in the camera's picture it appears on the right.
    layout = get_layout('kinect')
    joints = np.zeros((20, 3), np.float32)
    joints[:, 2] = 2.5
    joints[layout.joint_names.index('head'), 1] = 0.6
    joints[layout.joint_names.index('left_shoulder')] = (-0.2, 0.4, 2.5)
    joints[layout.joint_names.index('right_shoulder')] = (0.2, 0.4, 2.5)
    uv = project(joints, 'front')
    head, hip = uv[layout.joint_names.index('head')], uv[0]
    assert head[1] < hip[1]  # image v grows downwards: head above the hip
    left, right = uv[4], uv[8]
    assert left[0] > right[0]
    side = project(joints, 'side')
    np.testing.assert_allclose(side[:, 0], joints[:, 2])
    with pytest.raises(ValueError, match='unknown view'):
        project(joints, 'oblique')


def test_front_view_of_real_utkinect_left_shoulders_on_the_right():
    path = SHARED_DATA / 'utkinect_xsub.pkl'
    if not path.exists():
        pytest.skip('shared UTKinect data not present')
    from pyskl_lite.datasets import load_annotation_pickle

    sample = load_annotation_pickle(path)['annotations'][0]
    uv = project(sample['keypoint'][0], 'front')  # (T, 20, 2)
    assert (uv[:, 4, 0] > uv[:, 8, 0]).mean() > 0.95   # left shoulder right of right shoulder
    assert (uv[:, 3, 1] < uv[:, 0, 1]).mean() > 0.95   # head above the hip centre


def test_fit_to_canvas_fills_the_margin_box_keeps_aspect_and_ignores_hidden_joints():
    points = np.array([[[[0, 0], [2, 1], [100, 100]]]], np.float32)  # (1, 1, 3, 2)
    visible = np.array([[[True, True, False]]])
    fitted = fit_to_canvas(points, visible, (200, 400), margin=0.1)
    shown = fitted[visible]
    # width-limited: 2 units -> 320 px, so 1 unit of height -> 160 px, centred
    np.testing.assert_allclose(shown, [[40, 20], [360, 180]], atol=1e-4)
    assert fit_to_canvas(points, np.zeros_like(visible), (200, 400)).max() == 0


def test_person_colours_differ_between_persons_and_between_body_parts():
    first, second = person_colours(0), person_colours(1)
    assert first == PART_COLOURS
    assert len(set(first.values())) == len(first) and len(set(second.values())) == len(second)
    assert all(first[part] != second[part] for part in first)


def test_painter_colours_limbs_by_body_part_and_draws_nothing_for_hidden_joints():
    painter = SkeletonPainter('coco', thickness=3, radius=3)
    frame = np.zeros((200, 200, 3), np.uint8)
    joints = np.zeros((1, 17, 2), np.float32)
    joints[0, 5], joints[0, 7] = (50, 50), (50, 150)     # left shoulder -> left elbow
    joints[0, 6], joints[0, 8] = (150, 50), (150, 150)   # right shoulder -> right elbow
    visible = np.zeros((1, 17), bool)
    visible[0, [5, 6, 7]] = True
    painter.draw(frame, joints, visible)
    assert tuple(frame[100, 50]) == PART_COLOURS['left_arm']
    assert not frame[100, 150].any()          # elbow hidden: no right upper arm
    assert frame[50, 150].any()                # but the visible right shoulder is a dot
    with pytest.raises(ValueError, match='17 joints'):
        painter.draw(frame, np.zeros((1, 25, 2)), np.ones((1, 25), bool))
