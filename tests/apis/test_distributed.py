import socket

import pytest
import torch
import torch.distributed as dist

from pyskl_lite.apis import distributed
from pyskl_lite.apis.distributed import (
    CPUDistributedDataParallel,
    finish_distributed,
    init_distributed,
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
def single_process_env(monkeypatch):
    """The variables torchrun sets, for a world of one process."""
    for name, value in dict(RANK='0', WORLD_SIZE='1', LOCAL_RANK='0', MASTER_ADDR='127.0.0.1',
                            MASTER_PORT=str(_free_port())).items():
        monkeypatch.setenv(name, value)
    yield
    if dist.is_initialized():
        dist.destroy_process_group()


def test_unknown_launcher_is_refused():
    with pytest.raises(ValueError, match='launcher must be one of'):
        init_distributed('mpi')


def test_launcher_none_starts_nothing():
    init_distributed('none')
    assert not dist.is_initialized()


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the CPU-only fallback')
def test_nccl_on_cpu_falls_back_to_gloo_and_finish_leaves_the_group(single_process_env):
    init_distributed('pytorch', backend='nccl', timeout_s=60)
    assert dist.is_initialized()
    assert dist.get_backend() == 'gloo'
    assert (dist.get_rank(), dist.get_world_size()) == (0, 1)
    finish_distributed()
    assert not dist.is_initialized()
    finish_distributed()  # a second call, or one without a group, is a no-op


def test_cpu_wrapper_ignores_device_ids_and_averages_gradients(single_process_env):
    init_distributed('pytorch', backend='gloo', timeout_s=60)
    model = torch.nn.Linear(3, 2)
    wrapped = CPUDistributedDataParallel(model, device_ids=[0])
    wrapped(torch.ones(4, 3)).sum().backward()
    assert torch.allclose(model.weight.grad, torch.full((2, 3), 4.0))
    finish_distributed()


def test_slurm_variables_become_env_variables(monkeypatch):
    environ = dict(SLURM_NODELIST='node[07-08]', SLURM_PROCID='5', SLURM_NTASKS='8',
                   SLURM_LOCALID='1', MASTER_PORT='29600')
    monkeypatch.setattr(distributed.os, 'environ', environ)
    calls = []

    def scontrol(command, text):
        calls.append(command)
        return 'node07\nnode08\n'

    monkeypatch.setattr(distributed.subprocess, 'check_output', scontrol)
    distributed._slurm_environment(port=29700)
    assert calls == [['scontrol', 'show', 'hostname', 'node[07-08]']]
    assert environ['MASTER_ADDR'] == 'node07'
    assert environ['MASTER_PORT'] == '29600'  # an explicit value wins over the port argument
    assert (environ['RANK'], environ['WORLD_SIZE'], environ['LOCAL_RANK']) == ('5', '8', '1')
