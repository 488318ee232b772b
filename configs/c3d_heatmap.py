"""PoseConv3D, C3D-light on joint heatmap volumes (PYSKL's ``c3d_light/.../joint.py`` recipe).

Inputs ``(1, 17, 48, 56, 56)`` per training sample: Gaussian pseudo-heatmaps of the 17 COCO
joints over 48 uniformly sampled frames (``_base_/datasets/synthetic_heatmap.py``). Backbone
C3D-light (``in_channels`` = 17 heatmaps, derived; ``base_channels=32, num_stages=3,
temporal_downsample=False``), global average pooling, dropout 0.5, linear classifier.

Schedule: SGD (momentum 0.9, weight decay 3e-4), gradient clipping at norm 40, cosine decay
per iteration over 24 epochs. ``lr=0.025`` is for a total batch of 16 (1 process x 16), i.e.
PYSKL's 0.2 for 8 GPUs x 16 scaled linearly; on N processes pass ``--auto-scale-lr`` (or set
``auto_scale_lr.enable=True``) and mmengine scales it by ``N * batch_size / 16``.

Test: 10 clips per video, probabilities averaged. PoseConv3D also averages each clip with its
horizontal mirror (``double=True`` in the test pipeline's ``GeneratePoseTarget``: 20 views);
the synthetic data has mirrored classes (wave left / right hand), which that would blur, so the
dataset file leaves it off. Turn it on for NTU: ``--cfg-options
test_dataloader.dataset.pipeline.4.double=True``.

Another dataset: ``--cfg-options ann_file=... label_map=... num_classes=... train_split=...
val_split=... test_split=...`` (``in_channels``, the heatmap count, is derived from the
pipeline: 17 for COCO joints, more with limb heatmaps or another layout).
"""
_base_ = [
    '_base_/models/c3d_light.py',
    '_base_/datasets/synthetic_heatmap.py',
    '_base_/schedules/sgd_cosine.py',
    '_base_/default_runtime.py',
]

# The schedule of sgd_cosine.py (cosine over 24 epochs, clipping at 40) with PoseConv3D's SGD.
optim_wrapper = dict(optimizer=dict(lr=0.025, weight_decay=3e-4, nesterov=False))
auto_scale_lr = dict(base_batch_size=16)
# tools/sanity_check.py: sparse heatmaps give the network little to tell samples apart at first,
# so memorising 100 of them takes many small steps. Batches of 4 for 100 epochs: passed at epoch
# 88 (114 min on a 2-core CPU); 50 epochs reached 84 % at best, batches of 15 learnt slower.
sanity_check = dict(max_epochs=100, batch_size=4)
