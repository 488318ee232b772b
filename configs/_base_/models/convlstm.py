# ConvLSTM on heatmap volumes: two stride-2 stem convolutions per frame (17 -> 32 -> 32, H / 4),
# ConvLSTM layers of 32 then 64 hidden channels (BatchNorm after each, 2 x 2 average pooling
# between them), the last hidden map pooled to 2 x 2 cells (256 features). in_channels (the
# heatmap count) and the head's are derived.
model = dict(
    type='Recognizer',
    backbone=dict(type='ConvLSTM', stem_channels=(32, 32), hidden_channels=(32, 64),
                  kernel_size=3, temporal_pool='last', spatial_pool=2),
    cls_head=dict(type='ClsHead', num_classes=24, dropout=0.5),
    test_cfg=dict(average_clips='prob'))
