"""``lstm_keypoint.py`` on 3D skeletons: the synthetic NTU-25 set by default.

Only the data entries of the table change (``BodyNormalize`` puts 2D and 3D skeletons into the
same body frame; ``in_channels`` is derived: 3 for x, y, z). Real 3D data, e.g. UTKinect::

    python tools/train.py configs/lstm_keypoint_3d.py --cfg-options \\
        ann_file=../shared/data/utkinect_xsub.pkl label_map=tools/data/label_map/utkinect.txt \\
        num_classes=10 joint_layout=kinect reverse_pairs=sitDown:standUp
"""
_base_ = ['./lstm_keypoint.py']

ann_file = 'work_dirs/data/synthetic_3d.pkl'
label_map = 'work_dirs/data/synthetic_3d_label_map.txt'
joint_layout = 'nturgb+d'
