# LRCN on heatmap volumes: a 3-layer stride-2 2D CNN per frame (17 -> 32 -> 64 -> 128, pooled to
# 2 x 2 cells), one bidirectional LSTM layer of 128 units per direction, final states of both
# directions (256 features). in_channels (the heatmap count) and the head's are derived.
model = dict(
    type='Recognizer',
    backbone=dict(type='LRCN', cnn_channels=(32, 64, 128), spatial_pool=2, rnn_type='lstm',
                  hidden_size=128, num_layers=1, bidirectional=True, temporal_pool='last'),
    cls_head=dict(type='ClsHead', num_classes=24, dropout=0.5),
    test_cfg=dict(average_clips='prob'))
