"""Runtime shared by every config: runner, hooks, logging, TensorBoard, environment.

Work dir (``tools/train.py``'s default ``work_dirs/<config name>/``) after a run:
``<config name>.py`` (the config of the checkpoints, written with a run's first checkpoint),
``epoch_N.pth`` (the last ``max_keep_ckpts``), ``best_acc_top1_epoch_N.pth``,
``last_checkpoint``, ``curves.png`` (loss and accuracy), and per run ``<timestamp>/<config
name>.py`` (that run's config), ``<timestamp>/<timestamp>.log`` (text log: environment, config,
hook table, every logged iteration), ``<timestamp>/vis_data/<timestamp>.json``
(json log: training scalars every ``LoggerHook.interval`` iterations, validation metrics per
epoch) and ``<timestamp>/vis_data/events.out.tfevents.*`` (TensorBoard: the same, plus
``train_iter/loss``, ``train_iter/lr`` and ``train_iter/top1_acc`` at every iteration).
"""
default_scope = 'pyskl_lite'
runner_type = 'SkeletonRunner'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3, save_best='acc/top1',
                    rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
custom_hooks = [
    dict(type='ValidationRandomStateHook'),
    dict(type='TrainScalarsHook', keys=('loss', 'lr', 'top1_acc')),
    dict(type='TrainingCurvesHook'),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # backend None: NCCL when CUDA GPUs are visible, gloo otherwise (SkeletonRunner).
    # timeout (s): a rank that stops responding ends the job after this long; None: 300 on
    # CPU (gloo), 1800 with NCCL.
    dist_cfg=dict(backend=None, timeout=None),
)

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
log_level = 'INFO'

load_from = None
resume = False
randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)
