"""SimCLR: gradient caching equals the plain computation; forward/backward with every keypoint
backbone; the projection head is dropped when a recognizer loads the backbone."""
import copy

import pytest
import torch

from pyskl_lite import register_all_modules
from pyskl_lite.registry import MODELS
from pyskl_lite.structures import ActionDataSample
from pyskl_lite.utils import InputError

register_all_modules()

BACKBONES = {
    'KeypointC3D': (dict(type='KeypointC3D', in_channels=6, layout='NCTVM',
                         joint_layout='nturgb+d', out_joints=1, base_channels=8, num_stages=2),
                    (6, 12, 25, 2)),
    'STGCN': (dict(type='STGCN', in_channels=3, joint_layout='nturgb+d', base_channels=8,
                   num_stages=2, inflate_stages=(), down_stages=()),
              (2, 12, 25, 3)),
    'LSTMBackbone': (dict(type='LSTMBackbone', in_channels=3, joint_layout='nturgb+d',
                          hidden_size=8, num_layers=2, dropout=0.3, embed_channels=8),
                     (2, 12, 25, 3)),
}


def simclr(backbone, **kwargs):
    return MODELS.build(dict(type='SimCLR', backbone=backbone,
                             projector=dict(type='ProjectionHead', hidden_channels=16,
                                            out_channels=8), **kwargs))


def samples(names):
    return [ActionDataSample(metainfo=dict(frame_dir=name)) for name in names]


@pytest.mark.parametrize('name', sorted(BACKBONES))
def test_gradient_caching_equals_the_plain_computation(name):
    """Same loss, gradients and batch-norm statistics as running every chunk with autograd and
    backpropagating the loss of the whole batch (LSTM: with dropout, so random state matters;
    its kernels differ by ~1e-5 relative between no-grad and grad mode, hence the tolerance)."""
    backbone, shape = BACKBONES[name]
    torch.manual_seed(0)
    plain = simclr(backbone)
    cached = simclr(backbone, chunk_size=3)
    cached.load_state_dict(plain.state_dict())
    plain.train()
    cached.train()
    inputs = torch.randn(4, 2, *shape)
    data = samples(['a', 'b', 'a', 'c'])

    torch.manual_seed(1)
    out = cached.loss(inputs, data)
    out['loss_nt_xent'].backward()

    torch.manual_seed(1)
    views = inputs.flatten(0, 1)
    embeddings = torch.cat([plain.embed(chunk) for chunk in views.split(3)])
    ids = torch.tensor([0, 1, 0, 2])
    reference = plain.loss_fn(embeddings, ids)
    reference.backward()

    assert out['loss_nt_xent'].item() == pytest.approx(reference.item(), rel=1e-5)
    for (key, a), b in zip(plain.named_parameters(), cached.parameters(), strict=True):
        assert a.grad is not None, key
        torch.testing.assert_close(b.grad, a.grad, rtol=1e-3, atol=1e-3, msg=key)
    for a, b in zip(plain.buffers(), cached.buffers(), strict=True):
        torch.testing.assert_close(b, a)
    assert 0 <= out['pair_top1'].item() <= 1


@pytest.mark.parametrize('name', sorted(BACKBONES))
@pytest.mark.parametrize('chunk_size', [None, 2])
def test_forward_backward_and_a_step_lowers_the_loss(name, chunk_size):
    backbone, shape = BACKBONES[name]
    torch.manual_seed(0)
    model = simclr(backbone, chunk_size=chunk_size)
    model.train()
    inputs = torch.randn(6, 2, *shape)
    inputs[:, 1] = inputs[:, 0] + 0.05 * torch.randn_like(inputs[:, 0])  # near-identical views
    embeddings = model(inputs, mode='tensor')
    assert embeddings.shape == (6, 2, 8)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    losses = []
    for _ in range(4):
        torch.manual_seed(2)
        loss = model.loss(inputs, samples('abcdef'))['loss_nt_xent']
        optimizer.zero_grad()
        loss.backward()
        assert all(p.grad is not None for p in model.parameters())
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_wrong_view_count_and_predict_are_refused():
    backbone, shape = BACKBONES['KeypointC3D']
    model = simclr(backbone)
    with pytest.raises(InputError, match='MultiView'):
        model.loss(torch.randn(2, 1, *shape))
    with pytest.raises(InputError, match='load_from'):
        model(torch.randn(2, 2, *shape), mode='predict')


def test_a_recognizer_takes_the_backbone_and_ignores_the_projection_head():
    backbone, _ = BACKBONES['KeypointC3D']
    pretrained = simclr(backbone)
    recognizer = MODELS.build(dict(type='Recognizer', backbone=copy.deepcopy(backbone),
                                   cls_head=dict(type='ClsHead', num_classes=5)))
    result = recognizer.load_state_dict(pretrained.state_dict(), strict=False)
    assert set(result.missing_keys) == {'cls_head.fc.weight', 'cls_head.fc.bias'}
    assert all(key.startswith('projector.') for key in result.unexpected_keys)
    for key, value in pretrained.backbone.state_dict().items():
        torch.testing.assert_close(recognizer.backbone.state_dict()[key], value)


def _ddp_gradients(rank, init_file, queue):
    """One rank: the gradient of a DistributedDataParallel step with gradient caching, and
    the average over the ranks of the single-process gradients of the same inputs."""
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank, world_size=2)
    register_all_modules()
    backbone, shape = BACKBONES['KeypointC3D']
    torch.manual_seed(0)
    model = simclr(backbone, chunk_size=3)
    reference = copy.deepcopy(model)
    wrapped = torch.nn.parallel.DistributedDataParallel(model)
    torch.manual_seed(10 + rank)
    inputs = torch.randn(4, 2, *shape)
    wrapped(inputs, mode='loss')['loss_nt_xent'].backward()
    reference.loss(inputs)['loss_nt_xent'].backward()
    average = torch.cat([p.grad.flatten() for p in reference.parameters()])
    dist.all_reduce(average)
    synced = torch.cat([p.grad.flatten() for p in model.parameters()])
    queue.put((rank, synced.numpy(), (average / 2).numpy()))  # numpy: no shared-memory handles
    dist.destroy_process_group()


def test_gradient_caching_under_distributed_data_parallel_averages_full_gradients(tmp_path):
    """DDP must see each parameter's gradient once: a nested backward per chunk made it
    average partial gradients (max difference 4 on gradients of size 6 before the fix)."""
    context = torch.multiprocessing.get_context('spawn')
    queue = context.Queue()
    ranks = [context.Process(target=_ddp_gradients, args=(rank, tmp_path / 'init', queue))
             for rank in range(2)]
    for process in ranks:
        process.start()
    results = [queue.get(timeout=240) for _ in ranks]
    for process in ranks:
        process.join(timeout=60)
        assert process.exitcode == 0
    for _, synced, average in results:
        torch.testing.assert_close(torch.from_numpy(synced), torch.from_numpy(average),
                                   rtol=1e-4, atol=1e-5)
