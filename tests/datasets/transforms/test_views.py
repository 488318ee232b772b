import numpy as np
import pytest

from pyskl_lite.datasets.transforms import MultiView
from pyskl_lite.utils import InputError
from tests.datasets.transforms.helpers import pose_results


def views_pipeline(seed=None, clip_len=16):
    return [dict(type='RandomAffine', rotation=0.3, scale=0.2, seed=seed),
            dict(type='UniformSampleFrames', clip_len=clip_len, train_seed=seed),
            dict(type='PoseDecode'),
            dict(type='FormatKeypoints', num_person=2, layout='NCTVM')]


def test_views_are_independent_draws_stacked_on_the_view_axis():
    results = pose_results(dim=3, num_joints=25)
    original = results['keypoint'].copy()
    out = MultiView(views_pipeline(seed=0), num_views=3)(results)
    assert out['keypoint'].shape == (3, 3, 16, 25, 2) and out['num_views'] == 3
    first, second, third = out['keypoint']
    assert not np.allclose(first, second) and not np.allclose(second, third)
    np.testing.assert_array_equal(results['keypoint'], original)  # the input is not touched
    # view k is what the sub-pipeline gives on its k-th call
    single = MultiView(views_pipeline(seed=0), num_views=1)
    repeated = [single(pose_results(dim=3, num_joints=25))['keypoint'][0] for _ in range(3)]
    np.testing.assert_allclose(out['keypoint'], np.stack(repeated), rtol=1e-6)


def test_views_of_different_shapes_are_one_error_line():
    class Grow:
        calls = 0

        def __call__(self, results):
            Grow.calls += 1
            results['keypoint'] = np.zeros((1, Grow.calls, 2))
            return results

    with pytest.raises(InputError, match="MultiView: the views must share one"):
        MultiView([Grow()], num_views=2)(pose_results(dim=3, num_joints=25))
    with pytest.raises(ValueError, match='num_views'):
        MultiView([], num_views=0)
