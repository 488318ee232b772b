"""``c3d_keypoint.py`` on 3D skeletons: the synthetic NTU-25 set by default.

Only the data entries of the table change; ``BodyNormalize`` puts 2D and 3D skeletons into the
same body frame, so the pipeline, model and schedule are those of ``c3d_keypoint.py``. Inputs
``(1, 6, 48, 25, 2)``: x, y, z and their motion (3D pickles carry no scores; with scores C = 8,
derived). Real 3D data, e.g. UTKinect (Kinect v1, 20 joints)::

    python tools/train.py configs/c3d_keypoint_3d.py --cfg-options \\
        ann_file=../shared/data/utkinect_xsub.pkl label_map=tools/data/label_map/utkinect.txt \\
        num_classes=10 joint_layout=kinect reverse_pairs=sitDown:standUp
"""
_base_ = ['./c3d_keypoint.py']

ann_file = 'work_dirs/data/synthetic_3d.pkl'
label_map = 'work_dirs/data/synthetic_3d_label_map.txt'
joint_layout = 'nturgb+d'
