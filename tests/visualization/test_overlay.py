import cv2
import numpy as np
import pytest

from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.utils import InputError
from pyskl_lite.visualization.overlay import (
    TRUTH_COLOUR,
    align_frames,
    draw_predictions,
    format_score,
    output_shape,
    render_overlay,
    top_classes,
)
from pyskl_lite.visualization.skeleton import SkeletonPainter
from tests.visualization.stick_video import draw_mannequin, mannequin_joints, mannequin_sample

SHAPE = (240, 320)


def _skeleton_mask(joints: np.ndarray, shape, margin: int) -> np.ndarray:
    """Pixels within ``margin`` of a COCO limb or joint of ``joints (17, 2)``."""
    mask = np.zeros(shape, np.uint8)
    for a, b in get_layout('coco').limbs:
        cv2.line(mask, tuple(int(v) for v in joints[a].round()),
                 tuple(int(v) for v in joints[b].round()), 1, 2 * margin + 1)
    return mask.astype(bool)


def test_overlay_changes_pixels_exactly_where_the_skeleton_is():
    joints = mannequin_joints(6, SHAPE)
    sources = [draw_mannequin(j, SHAPE) for j in joints]
    sample = mannequin_sample(joints, SHAPE)
    painter = SkeletonPainter('coco')
    thickness, radius = painter.sizes(SHAPE)
    frames = list(render_overlay(sample, iter(sources), SHAPE, show_text=False,
                                 painter=painter))
    assert len(frames) == 6 and frames[0].shape == (*SHAPE, 3)
    for source, frame, frame_joints in zip(sources, frames, joints, strict=True):
        changed = (frame != source).any(axis=-1)
        near = _skeleton_mask(frame_joints, SHAPE, radius + thickness)
        assert changed.sum() > 500
        assert not (changed & ~near).any()           # nothing drawn away from the skeleton
        on_bones = _skeleton_mask(frame_joints, SHAPE, 0)
        assert changed[on_bones].mean() > 0.95       # the skeleton itself is drawn
    assert not (sources[0] == frames[0]).all()       # the source frames were not modified
    np.testing.assert_array_equal(sources[0], draw_mannequin(joints[0], SHAPE))


def test_2d_coordinates_are_scaled_from_img_shape_to_the_output_frame():
    joints = mannequin_joints(1, (480, 640))
    sample = mannequin_sample(joints, (480, 640))
    small = next(render_overlay(sample, frame_shape=SHAPE, show_text=False))
    on_bones = _skeleton_mask(joints[0] / 2, SHAPE, 0)
    assert small.any(axis=-1)[on_bones].mean() > 0.95
    assert output_shape(sample, max_side=320) == SHAPE
    assert output_shape(sample, video_shape=(1080, 1920), max_side=1280) == (720, 1280)


def test_hidden_joints_and_their_limbs_are_not_drawn():
    joints = mannequin_joints(1, SHAPE)
    sample = mannequin_sample(joints, SHAPE)
    sample['keypoint_score'][0, 0, 9] = 0.1    # left wrist below the threshold
    frame = next(render_overlay(sample, frame_shape=SHAPE, show_text=False, score_thr=0.3))
    wrist = joints[0, 9].round().astype(int)
    elbow = joints[0, 7]
    forearm_middle = ((joints[0, 9] + elbow) / 2).round().astype(int)
    assert not frame[wrist[1], wrist[0]].any()
    assert not frame[forearm_middle[1], forearm_middle[0]].any()


def test_3d_sample_is_projected_upright_into_the_canvas():
    layout = get_layout('nturgb+d')
    keypoint = np.zeros((1, 3, 25, 3), np.float32)
    keypoint[..., 2] = 3.0
    keypoint[..., layout.joint_names.index('head'), 1] = 0.7
    keypoint[..., layout.joint_names.index('spine_mid'), 1] = 0.3
    keypoint[..., layout.joint_names.index('left_foot'), :] = (-0.1, -0.9, 3.0)
    sample = dict(frame_dir='s', label=0, total_frames=3, keypoint=keypoint)
    frame = next(render_overlay(sample, show_text=False))
    assert frame.shape == (720, 720, 3)
    rows = np.flatnonzero(frame.any(axis=(1, 2)))
    # 1.6 m of height fills the canvas minus the 8 % margins
    assert rows.min() < 0.1 * 720 and rows.max() > 0.9 * 720


def test_align_frames_policies_name_both_counts():
    assert align_frames(10, 10).num_output == 10 and align_frames(10, 10).message == ''
    truncated = align_frames(12, 10)
    assert truncated.num_output == 10 and 'video has 10 frames' in truncated.message \
        and '12 skeleton frames' in truncated.message and 'drew the first 10' in truncated.message
    stretched = align_frames(5, 10, policy='stretch')
    assert stretched.skeleton_index.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    strided = align_frames(4, 10, frame_stride=3)
    assert strided.message == '' and strided.skeleton_index.tolist() == \
        [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]
    with pytest.raises(InputError, match=r"sample 's'.*10 frames.*12 skeleton frames"):
        align_frames(12, 10, policy='error', source='v.mp4', sample='s')


def test_top5_is_written_and_the_truth_is_highlighted_when_in_it():
    classes = [f'action {i}' for i in range(8)]
    scores = np.array([0.02, 0.5, 0.2, 0.1, 0.08, 0.05, 0.03, 0.02], np.float32)
    assert [name for _, name, _ in top_classes(scores, classes)] == \
        ['action 1', 'action 2', 'action 3', 'action 4', 'action 5']

    def green_rows(gt_label):
        frame = np.full((360, 640, 3), 128, np.uint8)
        draw_predictions(frame, scores, classes, gt_label, header='clip')
        green = (frame == TRUTH_COLOUR).all(axis=-1)
        return frame, np.flatnonzero(green.any(axis=1))

    frame, in_top = green_rows(1)
    _, not_in_top = green_rows(7)
    assert (frame[:200, :300] != 128).any() and (frame[250:, 400:] == 128).all()
    # truth line only vs. truth line + the highlighted top-1 line
    assert len(in_top) > len(not_in_top) > 0
    assert in_top.min() < not_in_top.min()
    blank = np.zeros((50, 50, 3), np.uint8)
    assert not draw_predictions(blank, None, None, None).any()
    assert format_score(0.5, scores) == '50.0%'
    assert format_score(2.414, np.array([2.414, -1.0])) == '2.41'   # logits stay raw


def test_per_frame_scores_with_nan_rows_draw_no_prediction():
    joints = mannequin_joints(2, SHAPE)
    sample = mannequin_sample(joints, SHAPE, label=-1)
    scores = np.array([[0.9, 0.1], [np.nan, np.nan]], np.float32)
    first, second = render_overlay(sample, frame_shape=SHAPE, scores=scores,
                                   classes=['a', 'b'])
    box = (slice(0, 60), slice(0, 200))
    assert (first[box] != second[box]).any()
