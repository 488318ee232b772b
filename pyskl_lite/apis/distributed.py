"""Multi-process training on GPUs (NCCL) and on CPU-only machines (gloo).

mmengine's own initialisation calls ``torch.cuda.set_device`` and its default DDP wrapper
passes ``device_ids``; both fail without CUDA. :func:`init_distributed` starts the process group
from the launcher's environment with the backend that fits the machine,
:class:`CPUDistributedDataParallel` wraps a model that lives on the CPU, and
:func:`finish_distributed` leaves the group once every rank is done.

A job never outlives its launcher or waits forever for a peer: under torchrun every rank dies
with the launcher (the parent-death signal, Linux), and a :class:`Watchdog` thread in every
rank ends the job with one line naming the rank that stopped sending heartbeats (stopped,
stuck outside Python, or dead) for ``timeout_s`` (``env_cfg.dist_cfg.timeout``; default
:func:`default_timeout`), which also bounds every collective operation.
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from datetime import timedelta

import torch
import torch.distributed as dist
from mmengine.logging import print_log
from mmengine.model import MMDistributedDataParallel

from pyskl_lite.registry import MODEL_WRAPPERS
from pyskl_lite.utils import InputError
from pyskl_lite.utils.errors import ERROR_EXIT, report

LAUNCHERS = ('none', 'pytorch', 'slurm')
DEFAULT_PORT = 29500
#: Variables torchrun sets for every process (``--launcher pytorch`` needs them).
TORCHRUN_VARIABLES = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT')
_PR_SET_PDEATHSIG = 1
_watchdog: Watchdog | None = None


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


def default_timeout(backend: str) -> int:
    """Seconds before a silent peer ends the job: 300 with gloo (CPU), 1800 with NCCL (the
    first iterations on a GPU may compile kernels for minutes)."""
    return 1800 if backend == 'nccl' else 300


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent (the launcher) exits, so
    that killing torchrun ends its ranks; returns False where that is not available.
    A process whose parent is already gone exits at once."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != parent or parent == 1:
        os._exit(ERROR_EXIT)
    return True


def _check_torchrun_environment() -> None:
    missing = [name for name in TORCHRUN_VARIABLES if name not in os.environ]
    if missing:
        raise InputError(f'--launcher pytorch: {", ".join(missing)} not set (the process was '
                         'not started by torchrun): use tools/dist_train.sh CONFIG N, or drop '
                         '--launcher for one process')


def init_distributed(launcher: str, backend: str | None = None, timeout_s: int | None = None,
                     port: int | None = None) -> None:
    """Join the process group described by the launcher's environment variables.

    Args:
        launcher: ``'pytorch'`` (torchrun sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
            ``MASTER_ADDR``, ``MASTER_PORT``) or ``'slurm'`` (derived from ``SLURM_*``).
            ``'none'`` does nothing.
        backend: ``'nccl'``, ``'gloo'`` or None for :func:`default_backend`. NCCL needs
            CUDA; asking for it on a CPU-only machine falls back to gloo with a warning.
        timeout_s: seconds a peer may stay silent (no heartbeat, or absent from a collective
            operation) before the job ends; None for :func:`default_timeout`.
        port: master port for SLURM when ``MASTER_PORT`` is unset.

    Raises:
        InputError: for ``'pytorch'`` in a process torchrun did not start, or a timeout that
            is not a positive number.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}, got {launcher!r}')
    if launcher == 'none' or dist.is_initialized():
        return
    if launcher == 'pytorch':
        _check_torchrun_environment()
        die_with_parent()
    if launcher == 'slurm':
        _slurm_environment(port)
    chosen = backend or default_backend()
    if chosen == 'nccl' and not torch.cuda.is_available():
        print_log('NCCL needs CUDA GPUs and none is visible: using gloo', logger='current',
                  level=logging.WARNING)
        chosen = 'gloo'
    if chosen == 'nccl':
        torch.cuda.set_device(int(os.environ['LOCAL_RANK']) % torch.cuda.device_count())
    if timeout_s is None:
        timeout_s = default_timeout(chosen)
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)) or timeout_s <= 0:
        raise InputError(f'env_cfg.dist_cfg.timeout = {timeout_s!r} must be a number of seconds '
                         '> 0')
    rank, world_size = int(os.environ['RANK']), int(os.environ['WORLD_SIZE'])
    dist.init_process_group(backend=chosen, init_method='env://', rank=rank,
                            world_size=world_size, timeout=timedelta(seconds=timeout_s))
    global _watchdog
    _watchdog = Watchdog(dist.distributed_c10d._get_default_store(), rank, world_size,
                         timeout_s)
    _watchdog.start()
    print_log(f'process group: backend {chosen}, rank {rank} of {world_size}, '
              f'{torch.get_num_threads()} threads', logger='current')


class Watchdog(threading.Thread):
    """Heartbeats through the process group's store; ends this process with one line when a
    peer has been silent for ``timeout_s`` (its launcher then ends the others).

    Every ``interval`` (a tenth of the silence allowed, 0.5-30 s) each rank increments its
    counter ``pyskl_heartbeat/<rank>`` and reads the others'; a peer is silent when its counter
    has not moved for ``0.75 * timeout_s`` by this process's clock (no clock synchronisation
    needed), so the watchdog names the rank before a collective operation times out. A silent
    peer on the same machine is killed (a stopped process would otherwise hold up the
    launcher's shutdown). A rank that finished sets ``pyskl_done/<rank>`` and is no longer
    watched.

    Args:
        store: the process group's key-value store.
        rank, world_size: this process and the job size.
        timeout_s: the silence that ends the job.
    """

    def __init__(self, store: dist.Store, rank: int, world_size: int, timeout_s: float) -> None:
        super().__init__(name='pyskl-watchdog', daemon=True)
        self.store, self.rank, self.world_size = store, rank, world_size
        self.timeout_s = float(timeout_s)
        self.silence_s = 0.75 * self.timeout_s
        self.interval = min(30.0, max(0.5, self.silence_s / 10))
        self.stopped = threading.Event()
        store.set(f'pyskl_pid/{rank}', f'{socket.gethostname()} {os.getpid()}')

    def run(self) -> None:
        peers = [r for r in range(self.world_size) if r != self.rank]
        last_seen = {r: (-1, time.monotonic()) for r in peers}
        while peers and not self.stopped.is_set():
            try:
                self.store.add(f'pyskl_heartbeat/{self.rank}', 1)
                for peer in peers:
                    if self.store.check([f'pyskl_done/{peer}']):
                        last_seen[peer] = (-2, time.monotonic())
                        continue
                    count = self.store.add(f'pyskl_heartbeat/{peer}', 0)
                    if count != last_seen[peer][0]:
                        last_seen[peer] = (count, time.monotonic())
            except Exception as err:  # the store lives in the launcher: it is gone
                if self.stopped.is_set():
                    return
                self._end(f'distributed: rank {self.rank} lost contact with the launcher '
                          f'({type(err).__name__}); the job was ended')
            now = time.monotonic()
            for peer, (count, seen) in last_seen.items():
                if count != -2 and now - seen > self.silence_s:
                    self._kill_local(peer)
                    self._end(f'distributed: rank {peer}: stopped responding (no heartbeat for '
                              f'{now - seen:.0f} s, env_cfg.dist_cfg.timeout={self.timeout_s:g}'
                              '); the process is stopped, stuck or dead; the job was ended '
                              '(raise the timeout if that rank was merely busy)')
            self.stopped.wait(self.interval)

    def _kill_local(self, peer: int) -> None:
        try:
            host, pid = self.store.get(f'pyskl_pid/{peer}').decode().split()
            if host == socket.gethostname():
                os.kill(int(pid), signal.SIGKILL)
        except Exception:  # best effort: the launcher ends it anyway
            pass

    def _end(self, message: str) -> None:
        if not self.stopped.is_set():
            report(message)
            os._exit(ERROR_EXIT)

    def stop(self) -> None:
        """Stop watching and tell the peers this rank finished."""
        self.stopped.set()
        try:
            self.store.set(f'pyskl_done/{self.rank}', '1')
        except Exception:  # the job is ending anyway
            pass


def finish_distributed() -> None:
    """Wait for every process, then leave the process group (no-op when not distributed).

    A process that exits while another still talks to it through gloo can abort in the
    process group's destructor ("terminate called without an active exception"); the barrier
    lets every rank finish its work first.
    """
    global _watchdog
    if dist.is_initialized():
        dist.barrier()
        if _watchdog is not None:
            _watchdog.stop()
            _watchdog = None
        dist.destroy_process_group()


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """mmengine's DDP wrapper for a model on the CPU: the Runner passes ``device_ids`` for the
    local GPU, which DDP rejects for CPU modules, so they are dropped here."""

    def __init__(self, module: torch.nn.Module, device_ids: list[int] | None = None,
                 **kwargs) -> None:
        super().__init__(module=module, device_ids=None, **kwargs)
