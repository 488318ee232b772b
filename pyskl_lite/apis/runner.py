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
- validation's persistent workers start before training, when forking them is cheap
  (:class:`~pyskl_lite.apis.hooks.EarlyValWorkersHook`);
- every runner of a process has its own experiment name: mmengine names the logger and the
  visualizer ``<config name>_<timestamp>`` and reuses an instance of that name, so a second run
  of one config started within the same second logged into the first run's work dir;
- a quiet console (:mod:`~pyskl_lite.apis.console`): the environment, the config, the hook
  table and the per-iteration lines go to the log file only (``cfg.verbose = True`` shows them
  on the console too); :class:`~pyskl_lite.apis.hooks.ConsoleProgressHook` shows a summary and
  the progress instead. The environment names processes and device, not "GPU number";
- each run keeps its own config: ``<timestamp>/<config name>.py`` from the start, copied to
  the work dir's ``<config name>.py`` with the run's first checkpoint (so that file is the
  config of the checkpoints beside it); a run that fails before its loop starts (bad data, a
  bad checkpoint to resume) removes its ``<timestamp>/`` folder and leaves the work dir as it
  was.
"""
from __future__ import annotations

import contextlib
import copy
import io
import itertools
import os
import shutil
from typing import Any

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.dist import master_only
from mmengine.hooks import CheckpointHook
from mmengine.runner import Runner
from mmengine.utils.dl_utils import collect_env
from torch.utils.data import DataLoader

from pyskl_lite.datasets.annotations import read_label_map
from pyskl_lite.registry import RUNNERS
from pyskl_lite.utils import InputError

from .channels import derive_in_channels
from .checkpoint import (
    checkpoint_safe_globals,
    load_checkpoint_file,
    readable_checkpoint,
    replace_atomically,
    write_text_atomically,
)
from .console import FILE_ONLY, install_console_filter
from .distributed import init_distributed
from .hooks import (
    ConsoleProgressHook,
    EarlyValWorkersHook,
    NonFiniteLossHook,
    SafeCheckpointHook,
)
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

    #: Hooks that mean a run's loop has started (its data and checkpoints loaded).
    START_HOOKS = ('before_train', 'before_val', 'before_test')

    def __init__(self, *args, **kwargs) -> None:
        self._loaded_random_state: dict | None = None
        self._started = False
        self._config_in_work_dir = False
        self._resuming = False
        kwargs['experiment_name'] = unique_experiment_name(kwargs.get('experiment_name'),
                                                           kwargs.get('cfg'))
        work_dir = kwargs.get('work_dir')
        # Run folders are named by the second they start in: one that already exists belongs to
        # an earlier run of the same second and is never discarded with this one.
        self._existing_run_dirs = set(os.listdir(work_dir)) if work_dir and \
            os.path.isdir(work_dir) else set()
        try:
            super().__init__(*args, **kwargs)
        except BaseException:
            self.discard_run_dir()
            raise

    def build_logger(self, log_level: int | str = 'INFO', log_file: str | None = None,
                     **kwargs):
        """mmengine's logger with :func:`~pyskl_lite.apis.console.install_console_filter`
        on its console handler (none with ``cfg.verbose``)."""
        logger = super().build_logger(log_level=log_level, log_file=log_file, **kwargs)
        install_console_filter(logger, verbose=bool(self.cfg.get('verbose', False)))
        return logger

    def _log_env(self, env_cfg: dict) -> None:
        """Environment, runtime settings and config into the log file (console with
        ``verbose``)."""
        runtime = {**env_cfg, **self._randomness_cfg, 'seed': self._seed,
                   'launcher': self._launcher, 'processes': self._world_size,
                   'cuda_devices': torch.cuda.device_count()}
        lines = ['System environment:'] + [f'    {k}: {v}' for k, v in collect_env().items()]
        lines += ['Runtime environment:'] + [f'    {k}: {v}' for k, v in runtime.items()]
        self.logger.info('\n'.join(lines), extra=FILE_ONLY)
        if self.cfg._cfg_dict:
            self.logger.info(f'Config:\n{self.cfg.pretty_text}', extra=FILE_ONLY)

    def call_hook(self, fn_name: str, **kwargs) -> None:
        if fn_name in self.START_HOOKS:
            self._started = True
        super().call_hook(fn_name, **kwargs)

    def train(self) -> torch.nn.Module:
        with self._discard_run_dir_on_failed_start():
            return super().train()

    def val(self) -> dict:
        with self._discard_run_dir_on_failed_start():
            return super().val()

    def test(self) -> dict:
        with self._discard_run_dir_on_failed_start():
            return super().test()

    @contextlib.contextmanager
    def _discard_run_dir_on_failed_start(self):
        try:
            yield
        except BaseException:
            if not self._started:
                self.discard_run_dir()
            raise

    @master_only
    def discard_run_dir(self) -> None:
        """Remove this run's ``<timestamp>/`` folder, for a run that failed before its loop
        started (done by :meth:`train`, :meth:`val` and :meth:`test`; a tool that fails
        between building the runner and starting it calls it, e.g. on a checkpoint that does
        not load)."""
        visualizer = getattr(self, 'visualizer', None)
        if visualizer is not None:
            visualizer.close()  # TensorBoard's writer thread must not write into a removed folder
        log_dir = getattr(self, '_log_dir', None)
        if log_dir and os.path.isdir(log_dir) and \
                os.path.basename(log_dir) not in self._existing_run_dirs:
            shutil.rmtree(log_dir, ignore_errors=True)

    def register_hooks(self, default_hooks: dict | None = None,
                       custom_hooks: list | None = None) -> None:
        """mmengine's hooks, with :class:`~pyskl_lite.apis.hooks.SafeCheckpointHook` in place
        of ``CheckpointHook``, plus :class:`~pyskl_lite.apis.hooks.NonFiniteLossHook`,
        :class:`~pyskl_lite.apis.hooks.EarlyValWorkersHook` and a
        :class:`~pyskl_lite.apis.hooks.ConsoleProgressHook` unless the config has them."""
        default_hooks = dict(default_hooks or {})
        checkpoint = default_hooks.setdefault('checkpoint', dict(type='CheckpointHook',
                                                                 interval=1))
        if isinstance(checkpoint, dict) and checkpoint.get('type') in ('CheckpointHook',
                                                                       CheckpointHook):
            default_hooks['checkpoint'] = dict(checkpoint, type=SafeCheckpointHook)
        super().register_hooks(default_hooks, custom_hooks)
        for kind in (NonFiniteLossHook, EarlyValWorkersHook, ConsoleProgressHook):
            if not any(isinstance(hook, kind) for hook in self.hooks):
                self.register_hook(kind())

    def setup_env(self, env_cfg: dict) -> None:
        if self.distributed:
            # mmengine sets these to 1 with a warning per process when unset (tools/torchrun.sh
            # sets them); setting them here first keeps its behaviour without the warnings.
            for name in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
                os.environ.setdefault(name, '1')
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
        """The run's config into its own ``<timestamp>/`` folder (mmengine writes the work dir's
        copy here, which a failed start would overwrite; see :meth:`save_checkpoint`)."""
        os.makedirs(self.log_dir, exist_ok=True)
        self.cfg.dump(self._run_config_path())

    def _run_config_path(self) -> str:
        name = os.path.basename(self.cfg.filename) if self.cfg.filename else 'config.py'
        return os.path.join(self.log_dir, name)

    @master_only
    def save_checkpoint(self, out_dir: str, filename: str, file_client_args: dict | None = None,
                        save_optimizer: bool = True, save_param_scheduler: bool = True,
                        meta: dict | None = None, by_epoch: bool = True,
                        backend_args: dict | None = None) -> None:
        """mmengine's ``save_checkpoint`` plus ``meta['random_state']``; local files are
        written as ``.<filename>.partial`` and renamed when complete."""
        meta = dict(meta or {})
        meta['random_state'] = capture_random_state()
        meta['in_channels'] = self.cfg.model.backbone.get('in_channels')
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
        if not self._config_in_work_dir and os.path.isfile(self._run_config_path()):
            # The work dir's config is the config of the checkpoints beside it.
            with open(self._run_config_path(), encoding='utf-8') as file:
                write_text_atomically(os.path.join(
                    self.work_dir, os.path.basename(self._run_config_path())), file.read())
            self._config_in_work_dir = True

    def load_checkpoint(self, filename: str, map_location='cpu', strict: bool = False,
                        revise_keys: list | None = None) -> dict:
        """mmengine's ``load_checkpoint`` under ``weights_only=True`` with our allow-list.

        ``load_from`` (a non-strict load, not resuming) may name a checkpoint of another
        model type with the same backbone, e.g. a ``SimCLR`` pretraining for a
        ``Recognizer``: the backbone loads, the rest is matched by name (a projection head is
        ignored, a missing head keeps its initialisation); :func:`check_backbone_weights`
        refuses a backbone that does not fit.

        Raises:
            InputError: for a file that is not a readable checkpoint (truncated, random
                bytes, holding objects outside the allow-list), one whose backbone does not fit
                the model's, or, when resuming, one without the training state.
        """
        if not self._resuming and not strict:
            model = self.model.module if hasattr(self.model, 'module') else self.model
            check_backbone_weights(model, load_checkpoint_file(filename), filename)
        printed = io.StringIO()
        with checkpoint_safe_globals(), readable_checkpoint(filename), \
                contextlib.redirect_stdout(printed):
            checkpoint = super().load_checkpoint(
                filename, map_location=map_location, strict=strict,
                revise_keys=revise_keys if revise_keys is not None else [(r'^module.', '')])
        if printed.getvalue().strip():
            self.logger.info(printed.getvalue().strip(), extra=FILE_ONLY)
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


def check_backbone_weights(model: torch.nn.Module, checkpoint: dict, filename: str) -> None:
    """Refuse, in one line, a checkpoint whose ``backbone.*`` weights do not fit ``model``'s
    backbone exactly (missing or extra weights, other shapes): loading it would silently keep
    part of the backbone at its random initialisation.

    Raises:
        InputError: naming the first mismatch and, when the checkpoint's meta has it, the
            ``in_channels`` it was trained with.
    """
    if not isinstance(getattr(model, 'backbone', None), torch.nn.Module):
        return
    weights = checkpoint.get('state_dict', checkpoint)
    if not isinstance(weights, dict):
        return
    ours = {k: v for k, v in model.state_dict().items() if k.startswith('backbone.')}
    theirs = {k.removeprefix('module.'): v for k, v in weights.items()
              if isinstance(k, str) and k.removeprefix('module.').startswith('backbone.')}
    meta = checkpoint.get('meta') or {}
    trained = f" (trained with in_channels={meta['in_channels']})" \
        if meta.get('in_channels') is not None else ''
    fix = ('load a checkpoint of the same backbone type and settings (joint_layout, stream, '
           'base_channels, ...), or train without load_from')
    if not theirs:
        raise InputError.at(filename, f'load_from: the checkpoint holds no backbone weights '
                            f'(no backbone.* keys); {fix}', field='state_dict')
    missing = sorted(set(ours) - set(theirs))
    extra = sorted(set(theirs) - set(ours))
    if missing or extra:
        first = f'missing {missing[0]}' if missing else f'unexpected {extra[0]}'
        raise InputError.at(filename, f'load_from: its backbone does not fit this model\'s '
                            f'({len(missing)} weights missing, {len(extra)} unexpected; first: '
                            f'{first}){trained}; {fix}', field='state_dict')
    for key, value in ours.items():
        if tuple(theirs[key].shape) != tuple(value.shape):
            raise InputError.at(filename, f'load_from: {key} has shape '
                                f'{tuple(theirs[key].shape)} in the checkpoint but '
                                f'{tuple(value.shape)} in this model{trained}; {fix}',
                                field='state_dict')


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
    :func:`check_num_classes` and :func:`~pyskl_lite.apis.channels.derive_in_channels`.

    The runner renders the config as text for the dumped config file, the log and every
    checkpoint; mmengine formats that text with yapf (about 0.4 s each time), so the config is
    handed over with ``format_python_code=False`` (plain, still valid Python).
    """
    check_num_classes(cfg)
    derive_in_channels(cfg)
    cfg = Config(cfg._cfg_dict.to_dict(), cfg_text=cfg.text, filename=cfg.filename,
                 env_variables=cfg.env_variables, format_python_code=False)
    runner_type = cfg.get('runner_type', 'SkeletonRunner')
    runner = SkeletonRunner.from_cfg(cfg) if runner_type == 'SkeletonRunner' \
        else RUNNERS.build(cfg)
    note = best_on_test_note(cfg)
    if note:
        runner.logger.warning(note)
    return runner


def best_on_test_note(cfg: Config) -> str | None:
    """A warning when the checkpoint kept as "best" is chosen on the test data: validation
    and test read the same split of the same file and a ``save_best`` is set."""
    best = ((cfg.get('default_hooks') or {}).get('checkpoint') or {}).get('save_best')
    loaders = [cfg.get(f'{stage}_dataloader') for stage in ('val', 'test')]
    if not best or not all(loaders) or not cfg.get('train_dataloader') or \
            cfg.get('val_cfg') is None:
        return None
    val, test = (innermost_dataset(loader['dataset']) for loader in loaders)
    same = (val.get('ann_file'), val.get('split')) == (test.get('ann_file'), test.get('split'))
    if not same:
        return None
    return (f"val_split == test_split ({val.get('split')!r}): the 'best' checkpoint "
            f"(save_best={best!r}) is chosen on the test data, so its test score is optimistic; "
            'report the final epoch_N.pth, or validate on another split (--cfg-options '
            'val_split=...)')
