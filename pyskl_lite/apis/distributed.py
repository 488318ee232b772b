"""Multi-process training on GPUs (NCCL) and on CPU-only machines (gloo).

mmengine's own initialisation calls ``torch.cuda.set_device`` and its default DDP wrapper
passes ``device_ids``; both fail without CUDA. :func:`init_distributed` starts the process group
from the launcher's environment with the backend that fits the machine,
:class:`CPUDistributedDataParallel` wraps a model that lives on the CPU, and
:func:`finish_distributed` leaves the group once every rank is done.
"""
from __future__ import annotations

import logging
import os
import subprocess
from datetime import timedelta

import torch
import torch.distributed as dist
from mmengine.logging import print_log
from mmengine.model import MMDistributedDataParallel

from pyskl_lite.registry import MODEL_WRAPPERS

LAUNCHERS = ('none', 'pytorch', 'slurm')
DEFAULT_PORT = 29500


def default_backend() -> str:
    """``'nccl'`` when CUDA GPUs are visible, otherwise ``'gloo'``."""
    return 'nccl' if torch.cuda.is_available() else 'gloo'


def _slurm_environment(port: int | None) -> None:
    """Translate SLURM's variables into the ``env://`` ones (``RANK``, ``WORLD_SIZE``,
    ``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``); explicit values win."""
    node_list = os.environ['SLURM_NODELIST']
    first_node = subprocess.check_output(
        ['scontrol', 'show', 'hostname', node_list], text=True).split()[0]
    os.environ.setdefault('MASTER_ADDR', first_node)
    os.environ.setdefault('MASTER_PORT', str(port or DEFAULT_PORT))
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ['SLURM_LOCALID'])


def init_distributed(launcher: str, backend: str | None = None, timeout_s: int = 1800,
                     port: int | None = None) -> None:
    """Join the process group described by the launcher's environment variables.

    Args:
        launcher: ``'pytorch'`` (torchrun sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
            ``MASTER_ADDR``, ``MASTER_PORT``) or ``'slurm'`` (derived from ``SLURM_*``).
            ``'none'`` does nothing.
        backend: ``'nccl'``, ``'gloo'`` or None for :func:`default_backend`. NCCL needs
            CUDA; asking for it on a CPU-only machine falls back to gloo with a warning.
        timeout_s: collective timeout in seconds.
        port: master port for SLURM when ``MASTER_PORT`` is unset.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}, got {launcher!r}')
    if launcher == 'none' or dist.is_initialized():
        return
    if launcher == 'slurm':
        _slurm_environment(port)
    chosen = backend or default_backend()
    if chosen == 'nccl' and not torch.cuda.is_available():
        print_log('NCCL needs CUDA GPUs and none is visible: using gloo', logger='current',
                  level=logging.WARNING)
        chosen = 'gloo'
    if chosen == 'nccl':
        torch.cuda.set_device(int(os.environ['LOCAL_RANK']) % torch.cuda.device_count())
    rank, world_size = int(os.environ['RANK']), int(os.environ['WORLD_SIZE'])
    dist.init_process_group(backend=chosen, init_method='env://', rank=rank,
                            world_size=world_size, timeout=timedelta(seconds=timeout_s))
    print_log(f'process group: backend {chosen}, rank {rank} of {world_size}, '
              f'{torch.get_num_threads()} threads', logger='current')


def finish_distributed() -> None:
    """Wait for every process, then leave the process group (no-op when not distributed).

    A process that exits while another still talks to it through gloo can abort in the
    process group's destructor ("terminate called without an active exception"); the barrier
    lets every rank finish its work first.
    """
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """mmengine's DDP wrapper for a model on the CPU: the Runner passes ``device_ids`` for the
    local GPU, which DDP rejects for CPU modules, so they are dropped here."""

    def __init__(self, module: torch.nn.Module, device_ids: list[int] | None = None,
                 **kwargs) -> None:
        super().__init__(module=module, device_ids=None, **kwargs)
