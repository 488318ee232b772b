"""KeypointC3D on raw keypoints: the main config of pyskl_lite.

Inputs ``(1, 6, 48, 17, 2)`` per training sample, layout NCTVM: 6 channels (x, y, score of
every joint and the x, y motion of the joint to the next sampled frame with its score) × 48
frames × 17 COCO joints × 2 persons. The pipeline is the one of
``_base_/datasets/synthetic_keypoint.py`` (pixels → [-1, 1], centred on the clip's mean joint,
temporal reversal of reversed pairs and a small random affine in training) with two changes:
``GenSkeFeat(['j', 'jm'])`` runs after frame sampling, so motion is the displacement between
the 48 sampled frames, and ``FormatKeypoints`` lays the tensor out NCTVM for the backbone.

Model: ``KeypointC3D`` (input BN; a dense joint embedding of all 17 joints × 6 channels into
64 features per person and frame; three C3D stages 64 → 128 → 256 with (3, 1, 1) kernels over
(T, V', M) and temporal average pooling), global average pooling, dropout 0.5, linear
classifier. See ``pyskl_lite/models/backbones/keypoint_c3d.py`` for the design and the variants
that were compared.

Schedule: SGD with Nesterov momentum, lr 0.1 for a total batch of 32, weight decay 5e-4,
gradient clipping at 40, cosine decay per iteration over 24 epochs
(``_base_/schedules/sgd_cosine.py``); ``--auto-scale-lr`` scales lr to other total batches.

Another 2D COCO-17 pickle (e.g. PYSKL's ntu60_hrnet.pkl) runs unchanged with
``--cfg-options ann_file=... label_map=... num_classes=60 train_split=xsub_train
val_split=xsub_val test_split=xsub_val``; another joint layout also needs ``joint_layout=``.
"""
_base_ = [
    '_base_/models/keypoint_c3d.py',
    '_base_/datasets/synthetic_keypoint.py',
    '_base_/schedules/sgd_cosine.py',
    '_base_/default_runtime.py',
]

label_map = 'work_dirs/data/synthetic_2d_label_map.txt'
joint_layout = 'coco'
clip_len = 48
keypoint_layout = 'NCTVM'
features = ['j', 'jm']
reversed_classes = {'sit down': 'stand up', 'pick up': 'put down',
                    'put on hat': 'take off hat', 'approach each other': 'walk apart'}

train_pipeline = [
    dict(type='PreNormalize2D', threshold=0.01),
    dict(type='CentroidNormalize', mode='clip'),
    dict(type='TemporalReverse', prob=0.5, reverse_label_map=reversed_classes,
         label_map=label_map),
    dict(type='RandomAffine', rotation=0.2, scale=0.1, shear=0.0),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='GenSkeFeat', feats=features, joint_layout=joint_layout),
    dict(type='FormatKeypoints', num_person=2, layout=keypoint_layout),
    dict(type='PackSkeletonInputs'),
]
val_pipeline = [
    dict(type='PreNormalize2D', threshold=0.01),
    dict(type='CentroidNormalize', mode='clip'),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1),
    dict(type='PoseDecode'),
    dict(type='GenSkeFeat', feats=features, joint_layout=joint_layout),
    dict(type='FormatKeypoints', num_person=2, layout=keypoint_layout),
    dict(type='PackSkeletonInputs'),
]
test_pipeline = [
    dict(type='PreNormalize2D', threshold=0.01),
    dict(type='CentroidNormalize', mode='clip'),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=10),
    dict(type='PoseDecode'),
    dict(type='GenSkeFeat', feats=features, joint_layout=joint_layout),
    dict(type='FormatKeypoints', num_person=2, layout=keypoint_layout),
    dict(type='PackSkeletonInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

model = dict(backbone=dict(in_channels=6, layout=keypoint_layout, joint_layout=joint_layout))
