# KeypointC3D on raw keypoints laid out NCTVM: channels = per-joint features, volume = frames x
# joints x persons; the joint embedding turns each person's skeleton into one feature vector
# per frame (out_joints=1). in_channels (the pipeline's C) and the head's in_channels (the
# backbone's output width) are derived, not set here.
model = dict(
    type='Recognizer',
    backbone=dict(type='KeypointC3D', layout='NCTVM', joint_layout='coco', out_joints=1,
                  base_channels=64, num_stages=3),
    cls_head=dict(type='ClsHead', num_classes=24, dropout=0.5),
    test_cfg=dict(average_clips='prob'))
