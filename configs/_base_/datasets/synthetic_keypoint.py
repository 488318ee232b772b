"""Synthetic 2D skeletons as keypoint tensors, for KeypointC3D, LSTM and ST-GCN++.

Inputs: ``(num_views, M=2, T=48, V=17, C=3)`` float32 (layout ``'NMTVC'``, what the LSTM and
ST-GCN++ backbones take; KeypointC3D takes any layout): channels x, y
normalised to [-1, 1] by the 1920 x 1080 frame and centred on the clip's mean joint, plus the
detector score; train and val 1 view, test 10 clips.

Choices, in pipeline order:

- ``PreNormalize2D``: pixels -> [-1, 1]; joints with score <= 0.01 become missing (0).
- ``CentroidNormalize(mode='clip')``: subtract the mean of all valid joints of the sequence, so
  where the actors stand in the frame does not matter, while walking and approaching keep their
  displacement (``mode='frame'`` would remove it).
- train only: ``TemporalReverse`` turns ``sit down`` into ``stand up`` (and ``pick up`` /
  ``put down``, ``put on hat`` / ``take off hat``, ``approach each other`` / ``walk apart``)
  by playing it backwards, half of the time: an exact augmentation for these reversed pairs
  (names resolved through the label map; on another dataset they map nothing).
  ``RandomAffine``: rotation up to 0.2 rad and per-axis scale +-10 % about the centroid.
  No ``Flip``: the synthetic classes include mirrored pairs (wave left / right hand).
- ``GenSkeFeat(feats=['j'])``: joints plus score, C = 3 (``['j', 'b']`` gives 6 channels,
  adding bones along the layout's tree; ``jm``/``bm`` add motion), computed on the full-rate
  sequence as PYSKL does.
- ``UniformSampleFrames(48)``: 48 frames spread over the whole action (the synthetic sequences
  have 30-300 frames); test takes 10 such clips (deterministic per video).
- ``FormatKeypoints(num_person=2, layout='NMTVC')``: 2 persons (interactions), zero-padded.

The 3D twin is ``synthetic_keypoint_3d.py`` (PreNormalize3D instead of PreNormalize2D, NTU-25).
"""
dataset_type = 'PoseDataset'
ann_file = 'work_dirs/data/synthetic_2d.pkl'
label_map = 'work_dirs/data/synthetic_2d_label_map.txt'
train_split = 'xsub_train'
val_split = 'xsub_val'
test_split = 'xsub_val'
joint_layout = 'coco'
clip_len = 48
reversed_classes = {'sit down': 'stand up', 'pick up': 'put down',
                    'put on hat': 'take off hat', 'approach each other': 'walk apart'}

train_pipeline = [
    dict(type='PreNormalize2D', threshold=0.01),
    dict(type='CentroidNormalize', mode='clip'),
    dict(type='TemporalReverse', prob=0.5, reverse_label_map=reversed_classes,
         label_map=label_map),
    dict(type='RandomAffine', rotation=0.2, scale=0.1, shear=0.0),
    dict(type='GenSkeFeat', feats=['j'], joint_layout=joint_layout),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='FormatKeypoints', num_person=2, layout='NMTVC'),
    dict(type='PackSkeletonInputs'),
]
val_pipeline = [
    dict(type='PreNormalize2D', threshold=0.01),
    dict(type='CentroidNormalize', mode='clip'),
    dict(type='GenSkeFeat', feats=['j'], joint_layout=joint_layout),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1),
    dict(type='PoseDecode'),
    dict(type='FormatKeypoints', num_person=2, layout='NMTVC'),
    dict(type='PackSkeletonInputs'),
]
test_pipeline = [
    dict(type='PreNormalize2D', threshold=0.01),
    dict(type='CentroidNormalize', mode='clip'),
    dict(type='GenSkeFeat', feats=['j'], joint_layout=joint_layout),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=10),
    dict(type='PoseDecode'),
    dict(type='FormatKeypoints', num_person=2, layout='NMTVC'),
    dict(type='PackSkeletonInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=ann_file, label_map=label_map, split=train_split,
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, label_map=label_map, split=val_split,
                 pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, label_map=label_map, split=test_split,
                 pipeline=test_pipeline, test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
