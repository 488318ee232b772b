# ST-GCN++ (PYSKL): learnable graph initialised from the skeleton, residual GCN, multi-scale TCN.
# Input NMTVC keypoints; in_channels = C of the pipeline (x, y, score in 2D; x, y, z in 3D).
model = dict(
    type='Recognizer',
    backbone=dict(type='STGCN', joint_layout='coco', in_channels=3, gcn_adaptive='init',
                  gcn_with_res=True, tcn_type='mstcn'),
    cls_head=dict(type='ClsHead', in_channels=256, num_classes=24, dropout=0.0),
    test_cfg=dict(average_clips='prob'))
