"""ConvLSTM (stacked convolutional LSTM layers) on joint heatmap volumes, CPU-sized.

Inputs ``(1, 17, 32, 28, 28)`` per training sample: ``_base_/datasets/synthetic_heatmap.py``
with ``clip_len = 32`` and ``heatmap_scaling = 0.5`` as in ``lrcn_heatmap.py``; 10 test clips.
Backbone ``ConvLSTM`` (design and measurements in
``pyskl_lite/models/backbones/convlstm.py``; ``in_channels`` derived): the last hidden map
pooled to 2 x 2 cells; head: dropout 0.5, linear classifier.

Schedule: AdamW (lr 3e-3 for a total batch of 16, weight decay 0.01), clipping at 40, one
warm-up epoch, cosine decay over 24 epochs (``_base_/schedules/adamw_cosine.py``).

At NTU scale: ``--cfg-options clip_len=48 heatmap_scaling=1.0`` (PoseConv3D's input; the
recurrent layers then run on 14 x 14 and 7 x 7 maps, about 6x the cost per sample) and wider
layers, e.g. ``model.backbone.hidden_channels="(64,128)"``. Other 2D data and 3D pickles: as in
``lrcn_heatmap.py``.
"""
_base_ = [
    '_base_/models/convlstm.py',
    '_base_/datasets/synthetic_heatmap.py',
    '_base_/schedules/adamw_cosine.py',
    '_base_/default_runtime.py',
]

clip_len = 32
heatmap_scaling = 0.5
optim_wrapper = dict(optimizer=dict(lr=3e-3))
auto_scale_lr = dict(base_batch_size=16)
sanity_check = dict(max_epochs=30, batch_size=16)
