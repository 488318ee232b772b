# Keypoint-LSTM baseline: per-person bidirectional LSTM over flattened joints. Input NMTVC.
model = dict(
    type='Recognizer',
    backbone=dict(type='LSTMBackbone', joint_layout='coco', in_channels=3, hidden_size=128,
                  num_layers=2, bidirectional=True, embed_channels=128),
    cls_head=dict(type='ClsHead', in_channels=256, num_classes=24, dropout=0.5),
    test_cfg=dict(average_clips='prob'))
