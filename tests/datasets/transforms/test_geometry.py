import numpy as np
import pytest

from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.datasets.transforms import (
    CenterCrop,
    Flip,
    PoseCompact,
    RandomResizedCrop,
    Resize,
)
from pyskl_lite.utils import InputError
from tests.datasets.transforms.helpers import missing, pose_results


def _valid_extent(keypoint):
    valid = ~missing(keypoint)
    xs, ys = keypoint[..., 0][valid], keypoint[..., 1][valid]
    return xs.min(), xs.max(), ys.min(), ys.max()


@pytest.mark.parametrize('allow_imgpad', [True, False])
def test_pose_compact_frames_all_joints_in_a_square_box(allow_imgpad):
    results = pose_results(num_person=2)
    before = missing(results['keypoint'])
    out = PoseCompact(padding=0.25, hw_ratio=1.0, allow_imgpad=allow_imgpad)(results)
    h, w = out['img_shape']
    min_x, max_x, min_y, max_y = _valid_extent(out['keypoint'])
    assert min_x >= 0 and min_y >= 0 and max_x <= w and max_y <= h
    np.testing.assert_array_equal(missing(out['keypoint']), before)
    if allow_imgpad:
        assert abs(h - w) <= 1
        # 25 % padding: the tight box fills about 1 / 1.25 of the longer side
        assert max(max_x - min_x, max_y - min_y) == pytest.approx(max(h, w) / 1.25, rel=0.02)


def test_pose_compact_leaves_tiny_or_empty_skeletons_alone():
    results = pose_results(num_person=1)
    results['keypoint'][..., :] = results['keypoint'][0, 0, 0]   # a single point
    kept = PoseCompact(threshold=10)(dict(results))
    assert kept['img_shape'] == (1080, 1920)
    results = pose_results(num_person=1, dim=3)
    with pytest.raises(InputError, match="img_shape"):
        PoseCompact()(results)


def test_resize_short_side_and_exact_size_keep_relative_positions():
    results = pose_results()
    results['img_shape'] = (300, 200)
    relative = results['keypoint'] / np.array([200, 300], np.float32)
    zeros = missing(results['keypoint'])
    out = Resize(scale=(-1, 64))(results)
    assert out['img_shape'] == (96, 64)
    np.testing.assert_allclose(out['keypoint'] / np.array([64, 96]), relative, rtol=1e-5)
    out = Resize(scale=(56, 56), keep_ratio=False)(out)
    assert out['img_shape'] == (56, 56)
    np.testing.assert_allclose(out['keypoint'] / 56, relative, rtol=1e-5)
    np.testing.assert_allclose(out['scale_factor'], [56 / 200, 56 / 300], rtol=1e-6)
    np.testing.assert_array_equal(missing(out['keypoint']), zeros)
    assert Resize(scale=(128, 64))(dict(img_shape=(300, 200)))['img_shape'] == (96, 64)
    assert Resize(scale=0.5)(dict(img_shape=(300, 201)))['img_shape'] == (150, 101)


def test_random_resized_crop_is_seeded_and_consistent():
    crops = []
    for _ in range(2):
        results = pose_results()
        zeros = missing(results['keypoint'])
        original = results['keypoint'].copy()
        out = RandomResizedCrop(area_range=(0.56, 1.0), seed=4)(results)
        left, top, right, bottom = out['crop_bbox']
        assert out['img_shape'] == (bottom - top, right - left)
        area = (bottom - top) * (right - left) / (1080 * 1920)
        assert 0.5 < area <= 1.0 and left >= 0 and top >= 0 and right <= 1920
        valid = ~zeros
        np.testing.assert_allclose(out['keypoint'][valid], original[valid] - [left, top])
        np.testing.assert_array_equal(missing(out['keypoint']), zeros)
        crops.append(tuple(out['crop_bbox']))
    assert crops[0] == crops[1]
    state = np.random.get_state()
    RandomResizedCrop(seed=1)(pose_results())
    assert np.array_equal(np.random.get_state()[1], state[1])


def test_center_crop_moves_origin_to_the_crop_corner():
    results = pose_results()
    original = results['keypoint'].copy()
    out = CenterCrop(crop_size=(1000, 800))(results)
    assert out['img_shape'] == (800, 1000)
    valid = ~missing(original)
    np.testing.assert_allclose(out['keypoint'][valid], original[valid] - [460, 140])


def test_flip_mirrors_swaps_sides_and_twice_is_identity():
    results = pose_results(num_person=2)
    original = {k: np.copy(results[k]) for k in ('keypoint', 'keypoint_score')}
    flip = Flip(flip_ratio=1.0, joint_layout='coco')
    once = flip({k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in
                 results.items()})
    assert once['flip'] is True
    layout = get_layout('coco')
    for left, right in zip(layout.left, layout.right, strict=True):
        source = original['keypoint'][:, :, right]
        valid = ~missing(source)
        np.testing.assert_allclose(once['keypoint'][:, :, left][valid],
                                   np.stack([1920 - source[..., 0], source[..., 1]], -1)[valid])
        np.testing.assert_array_equal(once['keypoint_score'][:, :, left],
                                      original['keypoint_score'][:, :, right])
    np.testing.assert_array_equal(missing(once['keypoint']),
                                  missing(original['keypoint'])[:, :, list(layout.flip_index)])
    twice = flip(once)
    np.testing.assert_allclose(twice['keypoint'], original['keypoint'], atol=1e-4)
    np.testing.assert_array_equal(twice['keypoint_score'], original['keypoint_score'])
    assert Flip(flip_ratio=0.0)(pose_results())['flip'] is False


def test_flip_label_map_by_name_and_unknown_names_are_ignored(tmp_path):
    label_map = tmp_path / 'labels.txt'
    label_map.write_text('clap\nwave left hand\nwave right hand\n')
    flip = Flip(flip_ratio=1.0, flip_label_map={'wave left hand': 'wave right hand',
                                                'kick left': 'kick right'},
                label_map=str(label_map))
    assert flip.flip_label_map == {1: 2, 2: 1}
    assert flip(pose_results(label=2))['label'] == 1
    assert flip(pose_results(label=0))['label'] == 0
    with pytest.raises(ValueError, match='label_map'):
        Flip(flip_label_map={'a': 'b'})
    with pytest.raises(ValueError, match='both'):
        Flip(flip_label_map={0: 1, 2: 1})


def test_flip_reports_a_layout_that_does_not_fit():
    results = pose_results(num_joints=5, dim=2)
    with pytest.raises(InputError, match='joint_layout'):
        Flip(flip_ratio=1.0, joint_layout='coco')(results)
