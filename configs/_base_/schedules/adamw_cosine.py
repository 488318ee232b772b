"""AdamW with one epoch of linear warm-up and a cosine decay per iteration, validation every
epoch. Suits the recurrent and small models, which train unevenly with plain SGD.

Override ``train_cfg`` and the cosine scheduler's ``T_max`` / ``end`` together (as in
``sgd_cosine.py``) for another number of epochs; ``auto_scale_lr`` as there.
"""
max_epochs = 24

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.01),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, begin=0, end=1, by_epoch=True,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 1, begin=1, end=max_epochs, eta_min=0,
         by_epoch=True, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=32)
