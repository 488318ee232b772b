"""LRCN (2D CNN per frame + bidirectional LSTM) on joint heatmap volumes, CPU-sized.

Inputs ``(1, 17, 32, 28, 28)`` per training sample: ``_base_/datasets/synthetic_heatmap.py``
(the C3D-light pipeline) with two table shortcuts, ``clip_len = 32`` frames and
``heatmap_scaling = 0.5`` (56 x 56 training crops rendered as 28 x 28 heatmaps, 64 x 64
val / test frames as 32 x 32); 10 test clips as there. Backbone ``LRCN`` (design and cost in
``pyskl_lite/models/backbones/lrcn.py``), ``in_channels`` derived; head: global features,
dropout 0.5, linear classifier.

Schedule: AdamW (lr 1e-3 for a total batch of 16, weight decay 0.01), clipping at 40, one
warm-up epoch, cosine decay over 24 epochs (``_base_/schedules/adamw_cosine.py``).

At NTU scale (more frames per action, finer poses, GPUs): PoseConv3D's input, ``--cfg-options
clip_len=48 heatmap_scaling=1.0`` (about 6x the cost per sample), and a wider network, e.g.
``model.backbone.cnn_channels="(64,128,256)" model.backbone.hidden_size=256``; limbs with
``with_limb=True`` in the three ``GeneratePoseTarget`` (``in_channels`` follows). Other 2D data:
``--cfg-options ann_file=... label_map=... num_classes=... joint_layout=...``. 3D pickles are
refused (no pixel frame to draw heatmaps in): train them with the keypoint configs.
"""
_base_ = [
    '_base_/models/lrcn.py',
    '_base_/datasets/synthetic_heatmap.py',
    '_base_/schedules/adamw_cosine.py',
    '_base_/default_runtime.py',
]

clip_len = 32
heatmap_scaling = 0.5
optim_wrapper = dict(optimizer=dict(lr=1e-3))
auto_scale_lr = dict(base_batch_size=16)
sanity_check = dict(max_epochs=30, batch_size=16)
