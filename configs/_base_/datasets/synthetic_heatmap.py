"""Synthetic 2D skeletons as PoseConv3D pseudo-heatmap volumes (the C3D-light pipeline).

Inputs: ``(num_views, 17, 48, H, W)`` heatmaps of the COCO-17 joints; train 1 view of 56 x 56,
val 1 view and test 10 clips of 64 x 64 (PoseConv3D's sizes; the C3D head pools globally).
Point it at another 2D pickle with ``--cfg-options ann_file=... label_map=... joint_layout=...``.
``clip_len`` and ``heatmap_scaling`` (the heatmap canvas scale of every ``GeneratePoseTarget``)
are table shortcuts: a config that inherits this file sets them in one line each
(``configs/lrcn_heatmap.py``: 32 frames of 28 x 28).

``min_samples``: an epoch holds at least this many samples (``RepeatDataset``), as in the
keypoint pipeline: 24 epochs of a 100-sequence set (UTKinect) are 1500 steps of 16 instead of
168. The synthetic set (1728 training sequences) and NTU (40k) are used once per epoch, as in
PoseConv3D.

Flip and the synthetic classes: ``wave left hand`` / ``wave right hand`` and ``kick with left
leg`` / ``kick with right leg`` are mirror images, so a flipped training sample takes the mirrored
class (``flip_label_map``, by name: on a dataset whose label map lacks these names it maps
nothing). For the same reason the test pipeline does not use PoseConv3D's flip test
(``double=True``, which averages each clip with its mirror image): averaging "wave left" with its
mirror "wave right" would erase what tells the two classes apart. Datasets without mirrored
classes (NTU, Kinetics) should set ``double=True`` in ``GeneratePoseTarget`` of the test
pipeline, doubling the views to 20.
"""
dataset_type = 'PoseDataset'
ann_file = 'work_dirs/data/synthetic_2d.pkl'
label_map = 'work_dirs/data/synthetic_2d_label_map.txt'
train_split = 'xsub_train'
val_split = 'xsub_val'
test_split = 'xsub_val'
joint_layout = 'coco'
clip_len = 48
heatmap_scaling = 1.0  # heatmap H x W = the Resize sizes above x this (a shortcut)
min_samples = 1000
mirrored_classes = {'wave left hand': 'wave right hand',
                    'kick with left leg': 'kick with right leg'}

train_pipeline = [
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5, joint_layout=joint_layout,
         flip_label_map=mirrored_classes, label_map=label_map),
    dict(type='GeneratePoseTarget', sigma=0.6, use_score=True, with_kp=True, with_limb=False,
         scaling=heatmap_scaling, joint_layout=joint_layout),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackSkeletonInputs'),
]
val_pipeline = [
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='GeneratePoseTarget', sigma=0.6, use_score=True, with_kp=True, with_limb=False,
         scaling=heatmap_scaling, joint_layout=joint_layout),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackSkeletonInputs'),
]
test_pipeline = [
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=10),
    dict(type='PoseDecode'),
    dict(type='PoseCompact', hw_ratio=1.0, allow_imgpad=True),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='GeneratePoseTarget', sigma=0.6, use_score=True, with_kp=True, with_limb=False,
         double=False, scaling=heatmap_scaling, joint_layout=joint_layout),
    dict(type='FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='PackSkeletonInputs'),
]

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='RepeatDataset', min_samples=min_samples,
                 dataset=dict(type=dataset_type, ann_file=ann_file, label_map=label_map,
                              split=train_split, pipeline=train_pipeline)))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, label_map=label_map, split=val_split,
                 pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=2,  # 10 clips of 17 x 48 x 64 x 64 floats: 134 MB per sample
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, label_map=label_map, split=test_split,
                 pipeline=test_pipeline, test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
