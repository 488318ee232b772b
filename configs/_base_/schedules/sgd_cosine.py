"""SGD with Nesterov momentum and a cosine learning rate decayed per iteration (PYSKL's
ST-GCN++ / PoseConv3D recipe), validation every epoch.

A config that trains for another number of epochs overrides both ``train_cfg`` and the
scheduler's ``T_max`` / ``end``, e.g. for 40 epochs::

    train_cfg = dict(max_epochs=40)
    param_scheduler = [dict(type='CosineAnnealingLR', T_max=40, end=40, eta_min=0,
                            by_epoch=True, convert_to_iter_based=True)]

``lr`` is tuned for a total batch of ``auto_scale_lr.base_batch_size`` samples;
``tools/train.py --auto-scale-lr`` scales it linearly with processes x batch size.
"""
max_epochs = 24

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, end=max_epochs, eta_min=0, by_epoch=True,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=32)
