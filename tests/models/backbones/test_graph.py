import numpy as np
import pytest

from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.models.backbones.graph import hop_distances, normalize_incoming, spatial_adjacency


def test_hop_distances_on_a_branching_tree():
    #   0 - 1 - 2      4 is not connected
    #       |
    #       3
    distance = hop_distances(5, [(0, 1), (1, 2), (3, 1)], source=1)
    np.testing.assert_array_equal(distance, [1, 0, 1, 1, np.inf])
    np.testing.assert_array_equal(hop_distances(5, [(0, 1), (1, 2), (3, 1)], source=0)[:4],
                                  [0, 1, 2, 2])


def test_normalize_incoming_divides_each_target_column():
    adjacency = np.array([[0, 1, 0], [0, 0, 0], [0, 1, 0.0]])
    out = normalize_incoming(adjacency)
    np.testing.assert_allclose(out, [[0, 0.5, 0], [0, 0, 0], [0, 0.5, 0]])


@pytest.mark.parametrize('name', ['coco', 'nturgb+d', 'openpose', 'kinect', 'mediapipe'])
def test_spatial_adjacency_partitions_every_limb_by_distance_to_the_centre(name):
    layout = get_layout(name)
    adjacency = spatial_adjacency(name)
    num = layout.num_joints
    assert adjacency.shape == (3, num, num) and adjacency.dtype == np.float32
    np.testing.assert_array_equal(adjacency[0], np.eye(num))
    depth = hop_distances(num, layout.limbs, layout.center)
    for a, b in layout.limbs:
        far, near = (a, b) if depth[a] >= depth[b] else (b, a)
        assert adjacency[1, far, near] > 0, (far, near)
        if depth[far] > depth[near]:
            assert adjacency[2, near, far] > 0 and adjacency[1, near, far] == 0
        else:  # as far from the centre: messages both ways are centripetal
            assert adjacency[1, near, far] > 0
    edges = {frozenset(limb) for limb in layout.limbs}
    nonzero = {frozenset((int(v), int(w))) for k in (1, 2)
               for v, w in zip(*adjacency[k].nonzero(), strict=True)}
    assert nonzero == edges
    for k in (1, 2):
        totals = adjacency[k].sum(axis=0)
        assert np.all(np.isclose(totals, 1) | (totals == 0))
    # No joint is closer to the centre than the centre itself: nothing flows outward into it.
    assert adjacency[2][:, layout.center].sum() == 0


def test_spatial_adjacency_of_a_user_layout_dict():
    hand = dict(name='test_graph_chain', joint_names=('a', 'b', 'c'), parents=(-1, 0, 1))
    adjacency = spatial_adjacency(hand)
    np.testing.assert_array_equal(adjacency[1], [[0, 0, 0], [1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(adjacency[2], [[0, 1, 0], [0, 0, 1], [0, 0, 0]])
