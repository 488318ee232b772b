import pytest
import torch

from pyskl_lite.models.backbones import STGCN
from pyskl_lite.models.backbones.graph import spatial_adjacency
from pyskl_lite.models.backbones.stgcn_blocks import GraphConv, MultiScaleTemporalConv

PLUS_PLUS = dict(gcn_adaptive='init', gcn_with_res=True, tcn_type='mstcn')


@pytest.mark.parametrize('layout,frames,persons,channels', [
    ('coco', 20, 2, 3),       # 2D: x, y, score
    ('coco', 9, 1, 6),        # 2D joints + bones
    ('nturgb+d', 16, 2, 3),   # 3D: x, y, z
    ('kinect', 7, 1, 3),
])
@pytest.mark.parametrize('options', [{}, PLUS_PLUS], ids=['stgcn', 'stgcn++'])
def test_stgcn_output_shape(layout, frames, persons, channels, options):
    torch.manual_seed(0)
    model = STGCN(joint_layout=layout, in_channels=channels, base_channels=8, num_stages=4,
                  inflate_stages=(2, 4), down_stages=(3,), **options)
    joints = model.num_joints
    out = model(torch.randn(2, persons, frames, joints, channels))
    assert model.out_channels == 32
    assert out.shape == (2, 32, persons, (frames + 1) // 2, joints)


def test_stgcn_defaults_are_the_published_widths():
    model = STGCN(**PLUS_PLUS)
    assert model.out_channels == 256 and len(model.blocks) == 10
    params = sum(p.numel() for p in model.parameters())
    assert 1.3e6 < params < 1.45e6  # ST-GCN++ backbone: 1.39 M with a 60-class head


def test_stgcn_rejects_a_joint_count_other_than_the_layout():
    model = STGCN(joint_layout='coco', base_channels=8, num_stages=2)
    with pytest.raises(ValueError, match='V=17'):
        model(torch.randn(1, 1, 8, 25, 3))


def test_persons_are_processed_independently():
    torch.manual_seed(0)
    model = STGCN(base_channels=8, num_stages=3, inflate_stages=(), down_stages=(2,),
                  **PLUS_PLUS).eval()
    x = torch.randn(1, 2, 10, 17, 3)
    y = x.clone()
    y[:, 1] = torch.randn(10, 17, 3)
    assert torch.allclose(model(x)[:, :, 0], model(y)[:, :, 0], atol=1e-6)
    assert not torch.allclose(model(x)[:, :, 1], model(y)[:, :, 1])


def test_graph_conv_mixes_only_neighbouring_joints():
    """One fixed-graph convolution: joint w's output depends on w and its limb neighbours."""
    adjacency = torch.from_numpy(spatial_adjacency('coco'))
    conv = GraphConv(3, 4, adjacency, adaptive=None).eval()
    x = torch.randn(1, 3, 5, 17, requires_grad=True)
    target = 9  # left wrist; its only limb neighbour is the left elbow (7)
    conv(x)[..., target].sum().backward()
    touched = (x.grad.abs().sum(dim=(0, 1, 2)) > 0).nonzero().flatten().tolist()
    assert touched == [7, 9]


def test_adaptive_init_learns_the_graph_itself():
    adjacency = torch.from_numpy(spatial_adjacency('coco'))
    learnable = GraphConv(3, 4, adjacency, adaptive='init')
    fixed = GraphConv(3, 4, adjacency, adaptive=None)
    assert isinstance(learnable.adjacency, torch.nn.Parameter)
    assert 'adjacency' not in dict(fixed.named_parameters())
    learnable(torch.randn(2, 3, 5, 17)).sum().backward()
    assert learnable.adjacency.grad is not None and learnable.adjacency.grad.abs().sum() > 0


def test_multi_scale_tcn_keeps_joints_and_strides_time():
    tcn = MultiScaleTemporalConv(12, 12, stride=2)
    assert tcn(torch.randn(2, 12, 11, 5)).shape == (2, 12, 6, 5)
    with pytest.raises(ValueError, match='branch'):
        MultiScaleTemporalConv(12, 12, branches=[(3, 1), 'avg'])
