"""Keypoint-LSTM baseline: a per-person bidirectional LSTM over flattened joints.

Inputs ``(1, 2, 48, 17, 3)`` per training sample (NMTVC) from
``_base_/datasets/synthetic_keypoint.py`` unchanged. Each person's frame (17 joints × x, y,
score = 51 features) is batch-normalised, embedded to 128 features (linear + ReLU) and fed to a
one-layer bidirectional LSTM with 256 hidden units per direction; the final states of both
directions (512 features) are averaged over persons by the head, then dropout 0.5 and a linear
classifier.

Schedule: AdamW (lr 3e-3 for a total batch of 32, weight decay 0.01), gradient clipping at 40,
one warm-up epoch, cosine decay over 24 epochs (``_base_/schedules/adamw_cosine.py``).

Other data: ``--cfg-options ann_file=... label_map=... num_classes=... joint_layout=...``
(``V`` follows ``joint_layout``). At NTU scale (40-50k samples) nothing needs changing:
``min_samples`` then has no effect (not trained at that scale here).
"""
_base_ = [
    '_base_/models/lstm.py',
    '_base_/datasets/synthetic_keypoint.py',
    '_base_/schedules/adamw_cosine.py',
    '_base_/default_runtime.py',
]

optim_wrapper = dict(optimizer=dict(lr=3e-3))
