from .amp import CPUAmpOptimWrapper, check_cpu_bf16, cpu_bf16_supported, use_amp
from .channels import channel_axis, derive_in_channels, needs_in_channels
from .checkpoint import (
    CHECKPOINT_SAFE_GLOBALS,
    checkpoint_safe_globals,
    find_resume_checkpoint,
    load_checkpoint_file,
)
from .config import load_config
from .distributed import (
    CPUDistributedDataParallel,
    default_backend,
    finish_distributed,
    init_distributed,
)
from .hooks import ConsoleProgressHook, TrainingCurvesHook, TrainScalarsHook
from .inference import inference_recognizer, init_recognizer
from .pretraining_check import TrainingLossHook
from .random_state import (
    ValidationRandomStateHook,
    capture_random_state,
    restore_random_state,
    seed_worker,
)
from .runner import SkeletonRunner, build_runner

__all__ = [
    'CHECKPOINT_SAFE_GLOBALS', 'CPUAmpOptimWrapper', 'CPUDistributedDataParallel',
    'SkeletonRunner', 'check_cpu_bf16', 'cpu_bf16_supported',
    'ConsoleProgressHook', 'TrainScalarsHook', 'TrainingCurvesHook', 'TrainingLossHook',
    'ValidationRandomStateHook', 'build_runner', 'capture_random_state', 'channel_axis',
    'checkpoint_safe_globals', 'default_backend', 'derive_in_channels', 'find_resume_checkpoint',
    'finish_distributed', 'inference_recognizer', 'init_distributed', 'init_recognizer',
    'load_checkpoint_file', 'load_config', 'needs_in_channels', 'restore_random_state',
    'seed_worker', 'use_amp',
]
