"""bfloat16 mixed precision on the CPU (``tools/train.py --amp`` without a GPU)."""
import pytest
import torch
import torch.nn as nn
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from pyskl_lite.apis import CPUAmpOptimWrapper, cpu_bf16_supported
from pyskl_lite.registry import OPTIM_WRAPPERS

pytestmark = pytest.mark.skipif(not cpu_bf16_supported(), reason='no native bfloat16 CPU')


def test_forward_runs_in_bfloat16_and_the_weights_stay_float32():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv3d(2, 4, 3), nn.BatchNorm3d(4), nn.Flatten(), nn.LazyLinear(3))
    model(torch.randn(2, 2, 4, 5, 5))
    with DefaultScope.overwrite_default_scope('pyskl_lite'):
        wrapper = build_optim_wrapper(model, dict(
            type='CPUAmpOptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9),
            clip_grad=dict(max_norm=40)))
    assert isinstance(wrapper, CPUAmpOptimWrapper)
    seen = {}
    model[0].register_forward_hook(lambda m, i, out: seen.update(conv=out.dtype))
    before = model[0].weight.detach().clone()
    with wrapper.optim_context(model):
        loss = nn.functional.cross_entropy(model(torch.randn(2, 2, 4, 5, 5)),
                                           torch.tensor([0, 2]))
    wrapper.update_params(loss)
    assert seen['conv'] == torch.bfloat16
    assert torch.isfinite(loss) and not torch.equal(before, model[0].weight)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    state = next(iter(wrapper.optimizer.state.values()), {})
    assert all(v.dtype == torch.float32 for v in state.values() if torch.is_tensor(v))
    # outside the wrapper's context the model computes in float32 again (validation, testing)
    seen.clear()
    model(torch.randn(2, 2, 4, 5, 5))
    assert seen['conv'] == torch.float32


def test_the_wrapper_is_registered_for_configs():
    assert OPTIM_WRAPPERS.get('CPUAmpOptimWrapper') is CPUAmpOptimWrapper
