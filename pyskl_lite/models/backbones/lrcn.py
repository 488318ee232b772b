"""LRCN: a small 2D CNN on every heatmap frame, then an LSTM or GRU over time.

Long-term recurrent convolutional network (Donahue et al., 2015) on PoseConv3D pseudo-heatmap
volumes: the ``K`` joint / limb heatmaps of one frame are the channels of a 2D image, so the
CNN sees which joint lies where; the recurrent layers see how that changes from frame to frame.

Architecture (defaults in brackets)
-----------------------------------
1. Frame CNN, shared by all frames (frames folded into the batch): one 3×3 convolution with
   stride 2 (padding 1, no bias), BatchNorm2d and ReLU per entry of ``cnn_channels``
   [(32, 64, 128): ``H × W`` → ``H/8 × W/8``].
2. Adaptive average pooling to ``spatial_pool × spatial_pool`` cells [2] and flattening: the
   frame feature keeps where in the picture (upper half / lower half, left / right) the
   activity is, which a global average would erase — ``128 × 2 × 2 = 512`` features; any
   ``H, W`` works.
3. ``nn.LSTM`` or ``nn.GRU`` over the ``T`` frame features (``rnn_type``, ``hidden_size``,
   ``num_layers``, ``bidirectional``, ``dropout`` between layers) [one bidirectional LSTM
   layer, 128 units per direction].
4. ``temporal_pool``: ``'last'`` (the final state of each direction) or ``'mean'`` (outputs
   averaged over time) [``'last'``].

Output ``(N, D)``, ``D = hidden_size × directions`` [256], for ``ClsHead``.

Cost (why it is this small)
---------------------------
Multiply-adds per frame of ``K × H × W`` = 17 × 28 × 28 (``configs/lrcn_heatmap.py`` renders
the heatmaps at half PoseConv3D's size, 32 frames): 3.0 M in the CNN + 0.33 M per LSTM
direction, 0.12 G per clip (``tools/get_flops.py``; C3D-light on 17 × 48 × 56 × 56: 16.8 G).
Measured on the shared 2-core CPU, one thread, a forward + backward + SGD step on batches of
16 random volumes (load average 4.3): 84 samples/s at 32 × 28 × 28, 11 samples/s at
PoseConv3D's 48 × 56 × 56 (ConvLSTM: 39 and 3.5); the data pipeline renders about 1700
volumes/s of 32 × 28 × 28 (700/s at full size), so the model is the cost: at 84 samples/s the
24 epochs over the 1728 synthetic training samples take about 8 minutes of training steps
(C3D-light: about 7 hours). The 100-sample overfitting test passes at epoch 12
(``tools/sanity_check.py``).
"""
