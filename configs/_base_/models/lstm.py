# Keypoint-LSTM baseline: per-person bidirectional LSTM over flattened joints. Input NMTVC.
# One layer of 256 units per direction: the 2 × 128 stack learns more slowly and did not
# reliably overfit 100 samples in the sanity check's 50 epochs (one layer: epochs 32-39).
# in_channels (the pipeline's C) and the head's in_channels are derived.
model = dict(
    type='Recognizer',
    backbone=dict(type='LSTMBackbone', joint_layout='coco', hidden_size=256, num_layers=1,
                  bidirectional=True, embed_channels=128),
    cls_head=dict(type='ClsHead', num_classes=24, dropout=0.5),
    test_cfg=dict(average_clips='prob'))
