"""SimCLR self-supervised pretraining of ``c3d_keypoint.py``'s KeypointC3D backbone, without
labels: the synthetic NTU-25 3D set by default, any 2D or 3D keypoint pickle through the usual
table shortcuts (UTKinect, its labels removed or not: none is read)::

    python tools/train.py configs/simclr_c3d_keypoint.py --cfg-options \\
        ann_file=../shared/data/utkinect_xsub.pkl joint_layout=kinect

then fine-tune (or linear-probe) with the supervised config of the same backbone and data::

    python tools/train.py configs/c3d_keypoint_3d.py --cfg-options \\
        load_from=work_dirs/simclr_c3d_keypoint/epoch_48.pth [model.freeze_backbone=True] \\
        ann_file=... label_map=... num_classes=... joint_layout=... reverse_pairs=...

The config is label-free (``label_free = True``): the dataset runs with
``with_labels=False`` (labels removed unread at loading; the pickle may have none) and the
shortcuts that only concern labels (``label_map``, ``num_classes``, ``reverse_pairs``) are
accepted and have no effect, so one set of ``--cfg-options`` serves both configs.

Model: ``SimCLR``: the backbone of ``_base_/models/keypoint_c3d.py`` unchanged (so its
``backbone.*`` weights load into the supervised config; ``in_channels`` derived from the data
as there), ``ProjectionHead`` (pooling, 256 → 256 → 128 MLP), ``NTXentLoss`` at temperature
0.1. Views are embedded 64 at a time with gradient caching (``chunk_size``), so a batch of
128 sequences (256 views, 254 negatives each) needs the activation memory of 64 views.

Pipeline: ``BodyNormalize`` (the body frame: centroid and scale normalisation), then
``MultiView`` runs the augmentations twice with independent draws: ``RandomAffine`` (rotation
up to 0.3 rad about every axis, per-axis scale ± 20 %), ``RandomJitter`` (σ = 0.02 torso
lengths), a random temporal crop of 50-100 % of the sequence resampled to 48 frames
(``UniformSampleFrames(p_interval=(0.5, 1))``: partial sequences), then ``GenSkeFeat`` and
``FormatKeypoints`` as in the supervised config. No time reversal: invariance to it would
make sit down and stand up (and every other pair that is each other backwards) one
embedding, and without labels there is no telling which sequences reverse into themselves.

Check: ``tools/sanity_check.py configs/simclr_c3d_keypoint.py`` pretrains for 12 epochs and
passes when the loss falls and a linear probe of ``c3d_keypoint_3d.py`` (8 epochs) on the
pretrained backbone beats one on a random backbone (``sanity_check`` below).

Schedule: SGD with Nesterov momentum, lr 0.1, weight decay 5e-4, cosine over 48 epochs of at
least 1000 samples (``RepeatDataset``; two copies of one sequence in a batch are not each
other's negatives). Checkpoints every 8 epochs; no validation (no labels).
"""
_base_ = [
    '_base_/models/keypoint_c3d.py',
    '_base_/schedules/sgd_cosine.py',
    '_base_/default_runtime.py',
]

label_free = True
dataset_type = 'PoseDataset'
ann_file = 'work_dirs/data/synthetic_3d.pkl'
train_split = 'xsub_train'
joint_layout = 'nturgb+d'
clip_len = 48
num_person = 2
stream = 'j+jm'
keypoint_layout = 'NCTVM'
min_samples = 1000
max_epochs = 48

view_pipeline = [
    dict(type='RandomAffine', rotation=0.3, scale=0.2, shear=0.0),
    dict(type='RandomJitter', sigma=0.02),
    dict(type='UniformSampleFrames', clip_len=clip_len, p_interval=(0.5, 1.0)),
    dict(type='PoseDecode'),
    dict(type='GenSkeFeat', feats=stream, joint_layout=joint_layout),
    dict(type='FormatKeypoints', num_person=num_person, layout=keypoint_layout),
]
train_pipeline = [
    dict(type='BodyNormalize', joint_layout=joint_layout),
    dict(type='MultiView', num_views=2, transforms=view_pipeline),
    dict(type='PackSkeletonInputs'),
]
train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='RepeatDataset', min_samples=min_samples,
                 dataset=dict(type=dataset_type, ann_file=ann_file, split=train_split,
                              with_labels=False, pipeline=train_pipeline)))
val_cfg = None
test_cfg = None

model = dict(
    _delete_=True,
    type='SimCLR',
    backbone={{_base_.model.backbone}},
    projector=dict(type='ProjectionHead', hidden_channels=256, out_channels=128, num_layers=2),
    loss=dict(type='NTXentLoss', temperature=0.1),
    chunk_size=64)

train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs + 1)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, end=max_epochs, eta_min=0, by_epoch=True,
         convert_to_iter_based=True),
]
default_hooks = dict(checkpoint=dict(interval=8, save_best=None))
auto_scale_lr = dict(base_batch_size=128)
sanity_check = dict(probe_config='c3d_keypoint_3d.py', max_epochs=12, probe_epochs=8)
custom_hooks = [
    dict(type='TrainScalarsHook', keys=('loss', 'lr', 'pair_top1')),
    dict(type='TrainingCurvesHook'),
]
