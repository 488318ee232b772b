"""ST-GCN++ (PYSKL) on 2D keypoints: the standard graph baseline to compare KeypointC3D with.

Inputs ``(1, 2, 48, 17, 3)`` per training sample (NMTVC: persons, frames, COCO joints, x/y/score)
from ``_base_/datasets/synthetic_keypoint.py`` unchanged. Backbone: 10 ST-GCN blocks (64 → 128
→ 256 channels, time / 4) with the ST-GCN++ options: learnable graph initialised from the
layout's skeleton (``gcn_adaptive='init'``), residual GCN, multi-scale TCN; the graph is the
spatial partition of ``joint_layout``'s limbs around its centre. Head: global average pooling
over persons, time and joints, linear classifier (no dropout, as PYSKL's GCNHead).

Schedule: SGD with Nesterov momentum, weight decay 5e-4, gradient clipping at 40, cosine decay
per iteration over 24 epochs (``_base_/schedules/sgd_cosine.py``; PYSKL trains 16 epochs over a
5× repeated NTU). ``lr=0.025`` is for a total batch of 32: PYSKL's 0.1 for 8 GPUs × 16 scaled
linearly (``--auto-scale-lr`` scales it to other totals). lr 0.1 at batch 32 learned markedly
slower in the 100-sample overfitting test (one run each: eval-mode train top-1 14 % vs 44 %
after 12 epochs). PYSKL samples 100 frames per clip; the synthetic default uses 48 to keep CPU
training practical (``--cfg-options clip_len=100`` changes every pipeline).

Other data: ``--cfg-options ann_file=... label_map=... num_classes=... joint_layout=...``
(the graph and the input BN follow ``joint_layout``); single-person sets (UTKinect):
``num_person=1``. At NTU scale (40-50k samples) nothing else needs changing: ``min_samples``
then has no effect, and ``clip_len=100`` is PYSKL's setting (not trained at that scale here).
"""
_base_ = [
    '_base_/models/stgcnpp.py',
    '_base_/datasets/synthetic_keypoint.py',
    '_base_/schedules/sgd_cosine.py',
    '_base_/default_runtime.py',
]

optim_wrapper = dict(optimizer=dict(lr=0.025))
# tools/sanity_check.py: a graph network learns more slowly per step than a CNN; at the default
# 50 epochs ST-GCN++ memorised 95-97 % of the 100 samples, not all of them.
sanity_check = dict(max_epochs=100)
