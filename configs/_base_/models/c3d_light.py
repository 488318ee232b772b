# PoseConv3D C3D-light on joint heatmap volumes (K=17 COCO joints × 48 × 56 × 56).
# in_channels is the heatmap count of the pipeline: joints (with_kp) and/or limbs (with_limb).
model = dict(
    type='Recognizer',
    backbone=dict(type='C3D', in_channels=17, base_channels=32, num_stages=3,
                  temporal_downsample=False),
    cls_head=dict(type='ClsHead', in_channels=256, num_classes=24, dropout=0.5),
    test_cfg=dict(average_clips='prob'))
