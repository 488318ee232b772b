"""KeypointC3D on raw keypoints: the main config of pyskl_lite.

Inputs ``(1, C, 48, V, 2)`` per training sample, layout NCTVM: C = 6 for 2D (x, y, score of
every joint and the x, y motion to the next sampled frame with its score; 3D: 6 without
scores), 48 frames, V joints, 2 persons. The pipeline is ``_base_/datasets/synthetic_keypoint.py``
(body-frame normalisation, temporal reversal of reversed pairs and a small random affine in
training, short clips interpolated) with two entries of its table changed: ``stream = 'j+jm'``
(joints and joint motion) and ``keypoint_layout = 'NCTVM'`` (features as channels, which
KeypointC3D is told through the same shortcut). ``in_channels`` is derived from the data.

Model: ``KeypointC3D`` (input BN; a dense joint embedding of all V joints × C channels into 64
features per person and frame; three C3D stages 64 → 128 → 256 with (3, 1, 1) kernels over
(T, V', M) and temporal average pooling), global average pooling, dropout 0.5, linear
classifier. See ``pyskl_lite/models/backbones/keypoint_c3d.py`` for the design and the variants
that were compared.

Schedule: SGD with Nesterov momentum, lr 0.1 for a total batch of 32, weight decay 5e-4,
gradient clipping at 40, cosine decay per iteration over 24 epochs of at least 1000 samples
(``_base_/schedules/sgd_cosine.py``); ``--auto-scale-lr`` scales lr to other total batches.

3D data: ``c3d_keypoint_3d.py``, or this file with ``--cfg-options ann_file=... label_map=...
num_classes=... joint_layout=...`` (the pipeline is the same). Another 2D pickle (e.g. PYSKL's
ntu60_hrnet.pkl) runs with ``--cfg-options ann_file=... label_map=... num_classes=60
train_split=xsub_train val_split=xsub_val test_split=xsub_val``; at NTU scale nothing else
needs changing.
"""
_base_ = [
    '_base_/models/keypoint_c3d.py',
    '_base_/datasets/synthetic_keypoint.py',
    '_base_/schedules/sgd_cosine.py',
    '_base_/default_runtime.py',
]

stream = 'j+jm'
keypoint_layout = 'NCTVM'
