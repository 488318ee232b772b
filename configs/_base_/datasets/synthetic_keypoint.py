"""Skeletons as keypoint tensors (synthetic 2D COCO-17 by default), for KeypointC3D, LSTM and
ST-GCN++. The same pipeline serves 2D and 3D data of any joint layout: point it at another
pickle with ``--cfg-options ann_file=... label_map=... num_classes=... joint_layout=...``
(``synthetic_keypoint_3d.py`` does exactly that for the synthetic NTU-25 3D set).

Inputs: ``(num_views, M=2, T=48, V, C)`` float32 (``keypoint_layout`` ``'NMTVC'``, what the LSTM
and ST-GCN++ backbones take); ``C`` = the ``stream``'s features × (coordinates + score): 3 for
2D with scores, 3 for 3D without; the model's ``in_channels`` is derived from it. Train and val
1 view, test 10 clips.

The table (top-level names are shortcuts, see ``pyskl_lite/apis/config.py``; each can be
overridden with ``--cfg-options``):

- ``joint_layout``: the skeleton (bones, torso joints, graph); a name or a .json/.py file.
- ``stream``: ``GenSkeFeat`` features, ``j`` (joints), ``b`` (bones), ``jm``/``bm`` (their
  motion between the sampled frames), or several joined by ``+``.
- ``reverse_pairs``: classes that are each other played backwards (``TemporalReverse``), by
  label-map name; on data whose label map lacks them nothing is reversed (``reverse_pairs=
  sitDown:standUp`` declares UTKinect's pair, ``reverse_pairs=none`` none).
- ``min_samples``: an epoch holds at least this many samples (``RepeatDataset``): 1000 repeats
  a 100-sequence set 10 times, so 24 epochs are 750 steps of 32 instead of 96; sets with
  1000 or more training samples (NTU: 40k) are used once per epoch, as before.

Choices, in pipeline order (the README's "Real data" section has the measurements):

- ``BodyNormalize``: the main person's body frame: origin at the hips (median over frames),
  unit = the median torso length, upright (2D: y up; 3D: spine -> +z, shoulders -> +x).
  Replaces PYSKL's image-size scaling (2D) and first-frame ``PreNormalize3D`` (3D): on real
  Kinect skeletons it made the difference between ~70 % and ~96 % top-1.
- train only: ``TemporalReverse`` (``reverse_pairs``, half of the time), ``RandomAffine``
  (rotation up to 0.2 rad about every axis, per-axis scale +-10 %). No ``Flip``: the synthetic
  classes include mirrored pairs (wave left / right hand).
- ``UniformSampleFrames(48)``: 48 frames spread over the whole action; sequences shorter than
  that are interpolated, not looped. Test: 10 clips (deterministic per video).
- ``GenSkeFeat`` after frame sampling, so motion is the displacement between sampled frames.
- ``FormatKeypoints(num_person=2)``: 2 persons (interactions), zero-padded; ``num_person=1``
  halves the cost on single-person data (UTKinect), where the second person is all zeros.

At NTU scale (50k samples) nothing needs changing: ``min_samples`` then has no effect.
"""
dataset_type = 'PoseDataset'
ann_file = 'work_dirs/data/synthetic_2d.pkl'
label_map = 'work_dirs/data/synthetic_2d_label_map.txt'
train_split = 'xsub_train'
val_split = 'xsub_val'
test_split = 'xsub_val'
joint_layout = 'coco'
clip_len = 48
num_person = 2
stream = 'j'
keypoint_layout = 'NMTVC'
reverse_pairs = {'sit down': 'stand up', 'pick up': 'put down',
                 'put on hat': 'take off hat', 'approach each other': 'walk apart'}
min_samples = 1000

train_pipeline = [
    dict(type='BodyNormalize', joint_layout=joint_layout),
    dict(type='TemporalReverse', prob=0.5, reverse_label_map=reverse_pairs, label_map=label_map),
    dict(type='RandomAffine', rotation=0.2, scale=0.1, shear=0.0),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='GenSkeFeat', feats=stream, joint_layout=joint_layout),
    dict(type='FormatKeypoints', num_person=num_person, layout=keypoint_layout),
    dict(type='PackSkeletonInputs'),
]
val_pipeline = [
    dict(type='BodyNormalize', joint_layout=joint_layout),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1),
    dict(type='PoseDecode'),
    dict(type='GenSkeFeat', feats=stream, joint_layout=joint_layout),
    dict(type='FormatKeypoints', num_person=num_person, layout=keypoint_layout),
    dict(type='PackSkeletonInputs'),
]
test_pipeline = [
    dict(type='BodyNormalize', joint_layout=joint_layout),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=10),
    dict(type='PoseDecode'),
    dict(type='GenSkeFeat', feats=stream, joint_layout=joint_layout),
    dict(type='FormatKeypoints', num_person=num_person, layout=keypoint_layout),
    dict(type='PackSkeletonInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='RepeatDataset', min_samples=min_samples,
                 dataset=dict(type=dataset_type, ann_file=ann_file, label_map=label_map,
                              split=train_split, pipeline=train_pipeline)))
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
