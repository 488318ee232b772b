# PoseConv3D C3D-light on joint heatmap volumes (K COCO joints × 48 × 56 × 56). in_channels (the
# pipeline's heatmap count: joints with_kp and/or limbs with_limb) and the head's in_channels
# are derived.
model = dict(
    type='Recognizer',
    backbone=dict(type='C3D', base_channels=32, num_stages=3, temporal_downsample=False),
    cls_head=dict(type='ClsHead', num_classes=24, dropout=0.5),
    test_cfg=dict(average_clips='prob'))
