"""Synthetic 3D skeletons (NTU-25, metres) as keypoint tensors: ``synthetic_keypoint.py`` with
another pickle and joint layout, nothing else (``BodyNormalize`` handles 2D and 3D alike).

Inputs: ``(num_views, M=2, T=48, V=25, C=3)`` float32 (x, y, z in torso lengths; 3D pickles
carry no scores; with scores C = 4, derived). Real NTU 3D pickles: ``--cfg-options
ann_file=data/ntu60_3danno.pkl label_map=<ntu60 names> num_classes=60``.
"""
_base_ = ['./synthetic_keypoint.py']

ann_file = 'work_dirs/data/synthetic_3d.pkl'
label_map = 'work_dirs/data/synthetic_3d_label_map.txt'
joint_layout = 'nturgb+d'
