import pytest
import torch

from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.models.backbones import KeypointC3D
from pyskl_lite.utils import InputError


def shaped(layout: str, sizes: dict[str, int], batch: int = 2) -> torch.Size:
    return torch.Size([batch] + [sizes[axis] for axis in layout[1:]])


@pytest.mark.parametrize('joint_layout,frames,persons,channels', [
    ('coco', 48, 2, 3),       # 2D x, y, score
    ('coco', 13, 1, 6),       # 2D joints + motion, odd T
    ('nturgb+d', 20, 2, 3),   # 3D x, y, z
    ('nturgb+d', 3, 3, 12),   # 3D j, b, jm, bm; very short clip, 3 persons
])
@pytest.mark.parametrize('layout', ['NCTVM', 'NMTVC', 'NTCVM'])
@pytest.mark.parametrize('out_joints', [1, 4, None])
def test_output_shape_for_any_t_v_m_c(joint_layout, frames, persons, channels, layout,
                                      out_joints):
    joints = get_layout(joint_layout).num_joints
    sizes = dict(C=channels, T=frames, V=joints, M=persons)
    model = KeypointC3D(in_channels=sizes[layout[1]], layout=layout, joint_layout=joint_layout,
                        out_joints=out_joints, base_channels=4, num_stages=3)
    out = model(torch.randn(shaped(layout, sizes)))
    expected = dict(sizes, V=out_joints or joints)
    if layout[1] != 'T':
        expected['T'] = -(-frames // 4)  # two ceil-mode halvings of time
    expected[layout[1]] = 16
    assert model.out_channels == 16
    assert out.shape == shaped(layout, expected)


def test_without_joint_embedding_any_joint_count_runs():
    model = KeypointC3D(in_channels=3, joint_layout=None, base_channels=4, num_stages=2,
                        kernel_size=dict(V=3))
    for joints in (5, 17, 33):
        assert model(torch.randn(1, 3, 9, joints, 2)).shape == (1, 8, 5, joints, 2)


def test_joints_as_channels_order_of_the_published_attempt():
    model = KeypointC3D(in_channels=17, layout='NVTMC', joint_layout=None, base_channels=4,
                        num_stages=4, kernel_size=dict(C=3))
    assert model(torch.randn(2, 17, 16, 2, 3)).shape == (2, 32, 2, 2, 3)
    with pytest.raises(ValueError, match='joints as channels'):
        KeypointC3D(in_channels=17, layout='NVTMC', joint_layout='coco')


def test_the_joint_embedding_tells_which_limb_moved():
    """Swapping the left and right wrist tracks: a pooled bag of joints (V kernel 1, no
    embedding) cannot see it, the embedded network can."""
    torch.manual_seed(0)
    x = torch.randn(1, 3, 8, 17, 1)
    swapped = x.clone()
    swapped[:, :, :, [9, 10]] = x[:, :, :, [10, 9]]
    for joint_layout, out_joints, should_differ in ((None, None, False), ('coco', None, True),
                                                    ('coco', 1, True)):
        model = KeypointC3D(in_channels=3, joint_layout=joint_layout, out_joints=out_joints,
                            base_channels=4, num_stages=2).eval()
        pooled, pooled_swapped = model(x).mean(dim=(2, 3, 4)), model(swapped).mean(dim=(2, 3, 4))
        assert torch.allclose(pooled, pooled_swapped, atol=1e-5) is not should_differ


def test_time_order_is_visible():
    """Sit down vs stand up: the same frames reversed must give other features."""
    torch.manual_seed(0)
    model = KeypointC3D(in_channels=3, base_channels=4, num_stages=2).eval()
    x = torch.randn(1, 3, 12, 17, 2)
    assert not torch.allclose(model(x).mean(dim=(2, 3, 4)),
                              model(x.flip(2)).mean(dim=(2, 3, 4)), atol=1e-4)


def test_bad_arguments_and_inputs_are_refused():
    with pytest.raises(ValueError, match='layout'):
        KeypointC3D(in_channels=3, layout='NCTV')
    with pytest.raises(ValueError, match='odd'):
        KeypointC3D(in_channels=3, kernel_size=dict(T=2))
    with pytest.raises(ValueError, match='axis letters'):
        KeypointC3D(in_channels=3, kernel_size=dict(X=3))
    with pytest.raises(ValueError, match='num_stages'):
        KeypointC3D(in_channels=3, num_stages=5)
    model = KeypointC3D(in_channels=3, base_channels=4, num_stages=1)
    with pytest.raises(ValueError, match='V=17'):
        model(torch.randn(1, 3, 8, 25, 2))
    # A config whose in_channels does not match its pipeline: one error line for the tools.
    with pytest.raises(InputError, match=r'\(N, 3, D1, D2, D3\)'):
        model(torch.randn(1, 6, 8, 17, 2))
