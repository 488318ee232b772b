# ST-GCN++ (PYSKL): learnable graph initialised from the skeleton, residual GCN, multi-scale TCN.
# Input NMTVC keypoints; in_channels (the pipeline's C) and the head's in_channels are derived.
model = dict(
    type='Recognizer',
    backbone=dict(type='STGCN', joint_layout='coco', gcn_adaptive='init', gcn_with_res=True,
                  tcn_type='mstcn'),
    cls_head=dict(type='ClsHead', num_classes=24, dropout=0.0),
    test_cfg=dict(average_clips='prob'))
