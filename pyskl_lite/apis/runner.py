"""``SkeletonRunner``: mmengine's Runner with CPU-capable distribution and safe checkpoints.

What it changes (everything else is mmengine's Runner):

- distributed start: :func:`~pyskl_lite.apis.distributed.init_distributed` picks NCCL on GPUs
  and gloo on CPU-only machines (``env_cfg.dist_cfg.backend`` overrides); on CPU the model is
  wrapped by :class:`~pyskl_lite.apis.distributed.CPUDistributedDataParallel`;
- checkpoints are written to a temporary file and renamed, carry the random-number-generator
  states, and load under ``weights_only=True`` with :data:`CHECKPOINT_SAFE_GLOBALS`;
  ``CheckpointHook`` becomes :class:`~pyskl_lite.apis.hooks.SafeCheckpointHook` (outdated
  files deleted after the new one is saved, ``last_checkpoint`` replaced atomically);
- ``resume`` restores those generator states, so a resumed run continues the same random
  sequence as an uninterrupted one;
- DataLoader workers are seeded by :func:`~pyskl_lite.apis.random_state.seed_worker` unless
  the dataloader config names its own ``worker_init_fn``;
- training stops with one line when the loss becomes NaN or infinite
  (:class:`~pyskl_lite.apis.hooks.NonFiniteLossHook`);
- every runner of a process has its own experiment name: mmengine names the logger and the
  visualizer ``<config name>_<timestamp>`` and reuses an instance of that name, so a second run
  of one config started within the same second logged into the first run's work dir.
"""
from __future__ import annotations

import copy
import itertools
import os
from typing import Any

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.dist import master_only
from mmengine.hooks import CheckpointHook
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from pyskl_lite.datasets.annotations import read_label_map
from pyskl_lite.registry import RUNNERS
from pyskl_lite.utils import InputError

from .checkpoint import checkpoint_safe_globals, readable_checkpoint, replace_atomically
from .distributed import init_distributed
from .hooks import NonFiniteLossHook, SafeCheckpointHook
from .random_state import capture_random_state, restore_random_state, seed_worker
from .sanity import innermost_dataset

CPU_WRAPPER = 'pyskl_lite.CPUDistributedDataParallel'
#: What a checkpoint must hold to be resumed from.
RESUME_KEYS = ('meta', 'state_dict', 'optimizer')
_RUNNERS_IN_PROCESS = itertools.count()


@RUNNERS.register_module()
class SkeletonRunner(Runner):
    """mmengine ``Runner`` for pyskl_lite (see the module doc). Built from a config by
    :func:`build_runner`; the arguments are mmengine's."""

    def __init__(self, *args, **kwargs) -> None:
        self._loaded_random_state: dict | None = None
        self._resuming = False
        kwargs['experiment_name'] = unique_experiment_name(kwargs.get('experiment_name'),
                                                           kwargs.get('cfg'))
        super().__init__(*args, **kwargs)

    def register_hooks(self, default_hooks: dict | None = None,
                       custom_hooks: list | None = None) -> None:
        """mmengine's hooks, with :class:`~pyskl_lite.apis.hooks.SafeCheckpointHook` in place
        of ``CheckpointHook``, plus :class:`~pyskl_lite.apis.hooks.NonFiniteLossHook`."""
        default_hooks = dict(default_hooks or {})
        checkpoint = default_hooks.setdefault('checkpoint', dict(type='CheckpointHook',
                                                                 interval=1))
        if isinstance(checkpoint, dict) and checkpoint.get('type') in ('CheckpointHook',
                                                                       CheckpointHook):
            default_hooks['checkpoint'] = dict(checkpoint, type=SafeCheckpointHook)
        super().register_hooks(default_hooks, custom_hooks)
        if not any(isinstance(hook, NonFiniteLossHook) for hook in self.hooks):
            self.register_hook(NonFiniteLossHook())

    def setup_env(self, env_cfg: dict) -> None:
        if self.distributed and not dist.is_initialized():
            dist_cfg = dict(env_cfg.get('dist_cfg') or {})
            init_distributed(self.launcher, backend=dist_cfg.get('backend'),
                             timeout_s=dist_cfg.get('timeout'),
                             port=dist_cfg.get('port'))
        super().setup_env(env_cfg)

    def wrap_model(self, model_wrapper_cfg: dict | None, model: torch.nn.Module):
        if self.distributed and not torch.cuda.is_available():
            wrapper = dict(model_wrapper_cfg or {})
            if wrapper.get('type', 'MMDistributedDataParallel') == 'MMDistributedDataParallel':
                wrapper['type'] = CPU_WRAPPER
                wrapper.setdefault('find_unused_parameters',
                                   self.cfg.get('find_unused_parameters', False))
            model_wrapper_cfg = wrapper
        return super().wrap_model(model_wrapper_cfg, model)

    @staticmethod
    def build_dataloader(dataloader: DataLoader | dict, seed: int | None = None,
                         diff_rank_seed: bool = False) -> DataLoader:
        if isinstance(dataloader, dict) and 'worker_init_fn' not in dataloader:
            dataloader = copy.copy(dataloader)
            dataloader['worker_init_fn'] = dict(type=seed_worker)
        return Runner.build_dataloader(dataloader, seed=seed, diff_rank_seed=diff_rank_seed)

    @master_only
    def dump_config(self) -> None:
        """A training run dumps its config into the work dir (mmengine); a test-only run (no
        ``train_cfg``) into its ``<timestamp>/`` folder, so that testing in a training work dir
        keeps the training run's config file."""
        if self._train_loop is not None:
            super().dump_config()
            return
        name = os.path.basename(self.cfg.filename) if self.cfg.filename else 'config.py'
        os.makedirs(self.log_dir, exist_ok=True)
        self.cfg.dump(os.path.join(self.log_dir, name))

    @master_only
    def save_checkpoint(self, out_dir: str, filename: str, file_client_args: dict | None = None,
                        save_optimizer: bool = True, save_param_scheduler: bool = True,
                        meta: dict | None = None, by_epoch: bool = True,
                        backend_args: dict | None = None) -> None:
        """mmengine's ``save_checkpoint`` plus ``meta['random_state']``; local files are
        written as ``.<filename>.partial`` and renamed when complete."""
        meta = dict(meta or {})
        meta['random_state'] = capture_random_state()
        local = file_client_args is None and backend_args is None and '://' not in out_dir
        target = filename if not local else f'.{filename}.partial'
        try:
            super().save_checkpoint(out_dir, target, file_client_args=file_client_args,
                                    save_optimizer=save_optimizer,
                                    save_param_scheduler=save_param_scheduler, meta=meta,
                                    by_epoch=by_epoch, backend_args=backend_args)
        except BaseException as err:
            if local and os.path.exists(os.path.join(out_dir, target)):
                os.remove(os.path.join(out_dir, target))
            if isinstance(err, OSError) and not err.filename:  # a write failed: disk full, ...
                err.filename = os.path.join(out_dir, filename)
            raise
        if local:
            replace_atomically(os.path.join(out_dir, target), os.path.join(out_dir, filename))

    def load_checkpoint(self, filename: str, map_location='cpu', strict: bool = False,
                        revise_keys: list | None = None) -> dict:
        """mmengine's ``load_checkpoint`` under ``weights_only=True`` with our allow-list.

        Raises:
            InputError: for a file that is not a readable checkpoint (truncated, random
                bytes, holding objects outside the allow-list), or, when resuming, one
                without the training state.
        """
        with checkpoint_safe_globals(), readable_checkpoint(filename):
            checkpoint = super().load_checkpoint(
                filename, map_location=map_location, strict=strict,
                revise_keys=revise_keys if revise_keys is not None else [(r'^module.', '')])
        if self._resuming and not all(key in checkpoint for key in RESUME_KEYS):
            missing = [key for key in RESUME_KEYS if key not in checkpoint]
            raise InputError.at(filename, f'--resume: not a training checkpoint (no '
                                f'{", ".join(missing)}); start from its weights with '
                                f'--cfg-options load_from={filename} instead')
        self._loaded_random_state = checkpoint.get('meta', {}).get('random_state')
        return checkpoint

    def resume(self, filename: str, resume_optimizer: bool = True,
               resume_param_scheduler: bool = True, map_location='default') -> None:
        """mmengine's ``resume`` (model, optimizer, schedulers, epoch/iter, message hub), then
        the random-number-generator states saved with the checkpoint."""
        self._resuming = True
        try:
            super().resume(filename, resume_optimizer=resume_optimizer,
                           resume_param_scheduler=resume_param_scheduler,
                           map_location=map_location)
        finally:
            self._resuming = False
        if self._loaded_random_state is None:
            self.logger.warning(f'{filename} holds no random state: the resumed run draws '
                                'different random numbers than an uninterrupted one')
        else:
            restore_random_state(self._loaded_random_state)
            self.logger.info('restored the random-number-generator states of the checkpoint')


def unique_experiment_name(name: str | None, cfg: Config | dict | None) -> str:
    """``name`` (default: the config file's name without extension, else ``'run'``) for the
    first runner of the process, ``<name>_run<k>`` for the k-th after it; mmengine appends the
    timestamp."""
    if name is None:
        filename = getattr(cfg, 'filename', None)
        name = os.path.splitext(os.path.basename(filename))[0] if filename else 'run'
    index = next(_RUNNERS_IN_PROCESS)
    return name if index == 0 else f'{name}_run{index}'


def _values_of(node: Any, key: str) -> list[Any]:
    """Every value stored under ``key`` in the dicts below ``node``."""
    if isinstance(node, dict):
        return [value for name, value in node.items() if name == key] + [
            found for value in node.values() for found in _values_of(value, key)]
    if isinstance(node, (list, tuple)):
        return [found for item in node for found in _values_of(item, key)]
    return []


def check_num_classes(cfg: Config) -> None:
    """The model's ``num_classes`` must match the label map of every dataloader's dataset.

    Raises:
        InputError: naming both numbers and the override that fixes them (otherwise the run
            fails later inside the loss with "Target 20 is out of bounds").
    """
    predicted = set(_values_of(cfg.get('model', {}), 'num_classes'))
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        if not loader:
            continue
        label_map = innermost_dataset(loader['dataset']).get('label_map')
        if isinstance(label_map, str) and os.path.isfile(label_map):
            classes = len(read_label_map(label_map))
        elif isinstance(label_map, (list, tuple)):
            classes = len(label_map)
        else:
            continue
        for value in predicted - {classes}:
            raise InputError.at(cfg.filename or '<config>', f'the model predicts {value} classes '
                                f'but the label map of {name} ({label_map}) lists {classes}; '
                                f'set --cfg-options num_classes={classes}', field='num_classes')


def build_runner(cfg: Config) -> Runner:
    """The runner of ``cfg``: ``cfg.runner_type`` (default :class:`SkeletonRunner`), after
    :func:`check_num_classes`.

    The runner renders the config as text for the dumped config file, the log and every
    checkpoint; mmengine formats that text with yapf (about 0.4 s each time), so the config is
    handed over with ``format_python_code=False`` (plain, still valid Python).
    """
    check_num_classes(cfg)
    cfg = Config(cfg._cfg_dict.to_dict(), cfg_text=cfg.text, filename=cfg.filename,
                 env_variables=cfg.env_variables, format_python_code=False)
    runner_type = cfg.get('runner_type', 'SkeletonRunner')
    if runner_type == 'SkeletonRunner':
        return SkeletonRunner.from_cfg(cfg)
    return RUNNERS.build(cfg)
