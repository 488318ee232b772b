"""Synthetic 3D skeletons (NTU-25, metres) as keypoint tensors: ``synthetic_keypoint.py`` with
``PreNormalize3D`` in place of ``PreNormalize2D``.

Inputs: ``(num_views, M=2, T=48, V=25, C=3)`` float32 (``'NMTVC'``): x, y, z in metres after
centring on person 0's spine in the first frame and rotating its spine onto +z and its shoulders
onto +x (PYSKL's NTU pre-normalisation), then on the clip's mean joint. 3D data has no scores,
so ``GenSkeFeat(['j'])`` gives 3 channels, as in 2D. Real NTU 3D pickles:
``--cfg-options ann_file=data/ntu60_3danno.pkl label_map=<ntu60 names> num_classes=60``.
"""
_base_ = ['./synthetic_keypoint.py']

ann_file = 'work_dirs/data/synthetic_3d.pkl'
label_map = 'work_dirs/data/synthetic_3d_label_map.txt'
joint_layout = 'nturgb+d'
clip_len = 48
reversed_classes = {'sit down': 'stand up', 'pick up': 'put down',
                    'put on hat': 'take off hat', 'approach each other': 'walk apart'}

train_pipeline = [
    dict(type='PreNormalize3D', joint_layout=joint_layout),
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
    dict(type='PreNormalize3D', joint_layout=joint_layout),
    dict(type='CentroidNormalize', mode='clip'),
    dict(type='GenSkeFeat', feats=['j'], joint_layout=joint_layout),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1),
    dict(type='PoseDecode'),
    dict(type='FormatKeypoints', num_person=2, layout='NMTVC'),
    dict(type='PackSkeletonInputs'),
]
test_pipeline = [
    dict(type='PreNormalize3D', joint_layout=joint_layout),
    dict(type='CentroidNormalize', mode='clip'),
    dict(type='GenSkeFeat', feats=['j'], joint_layout=joint_layout),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=10),
    dict(type='PoseDecode'),
    dict(type='FormatKeypoints', num_person=2, layout='NMTVC'),
    dict(type='PackSkeletonInputs'),
]

train_dataloader = dict(dataset=dict(ann_file=ann_file, label_map=label_map,
                                     pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(ann_file=ann_file, label_map=label_map,
                                   pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(ann_file=ann_file, label_map=label_map,
                                    pipeline=test_pipeline))
