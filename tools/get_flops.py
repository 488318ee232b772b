"""Parameters and FLOPs per sample of a config's model (mmengine's complexity analysis).

    python tools/get_flops.py configs/c3d_keypoint.py [--shape 6 48 17 2]
        [--dataloader test|val|train] [--cfg-options k=v ...]

The input is one view of one sample: by default its shape is taken from the first sample of the
config's test dataset (``--dataloader`` picks another; the data must exist), or ``--shape``
gives it (without batch and view axes). FLOPs follow fvcore's convention: one multiply-add
counts as one FLOP. mmengine's analysis does not count recurrent layers; their multiply-adds
(``G · H · (I + H)`` per step, layer and direction, ``G`` = 4 gates for an LSTM, 3 for a GRU)
are added from forward hooks and shown separately. Convolutional LSTMs (``ConvLSTM``) need no
hook: their gates are ordinary convolutions, counted once per time step. Test-time cost per
sample is this number times the test pipeline's number of views (clips × flips).
"""
from __future__ import annotations

import argparse
import logging
import re
from typing import TYPE_CHECKING

from pyskl_lite.utils import run_cli
from pyskl_lite.utils.cli import add_cfg_options

if TYPE_CHECKING:
    import torch
    import torch.nn as nn

# torch, mmengine and the package's modules are imported inside the functions, after the
# arguments are parsed: --help answers without them.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--shape', type=int, nargs='+',
                        help='input shape of one view, e.g. 6 48 17 2 for NCTVM keypoints or '
                             '17 48 56 56 for heatmaps (default: from the test dataset)')
    parser.add_argument('--dataloader', choices=('test', 'val', 'train'), default='test',
                        help='whose dataset gives the input shape (default test)')
    add_cfg_options(parser)
    parser.add_argument('--show-table', action='store_true', help='print the per-layer table')
    return parser.parse_args(argv)


def first_sample_inputs(cfg, dataloader: str) -> torch.Tensor:
    """The packed ``inputs`` ``(num_views, ...)`` of the first sample of a dataloader."""
    from pyskl_lite.registry import DATASETS

    dataset = DATASETS.build(cfg[f'{dataloader}_dataloader']['dataset'])
    return dataset[0]['inputs']


def count_recurrent_flops(model: nn.Module, batch: torch.Tensor) -> int:
    """Multiply-adds of every ``nn.LSTM`` and ``nn.GRU`` in ``model`` for one forward pass of
    ``batch`` (``gates · H · (I + H)`` per step, layer and direction)."""
    import torch
    import torch.nn as nn

    gates = {nn.LSTM: 4, nn.GRU: 3}
    total = 0

    def hook(module: nn.LSTM | nn.GRU, args: tuple, _output) -> None:
        nonlocal total
        seq = args[0]
        steps = seq.shape[0] * seq.shape[1]  # batch × time, in either order
        directions = 2 if module.bidirectional else 1
        hidden = module.hidden_size
        for layer in range(module.num_layers):
            inputs = module.input_size if layer == 0 else hidden * directions
            total += gates[type(module)] * hidden * (inputs + hidden) * steps * directions

    handles = [m.register_forward_hook(hook) for m in model.modules() if type(m) in gates]
    with torch.no_grad():
        model(batch)
    for handle in handles:
        handle.remove()
    return total


class AnalysisNotices(logging.Filter):
    """Keeps mmengine's analysis notices off the console: an operator without a FLOPs rule
    (element-wise ops, pooling, normalisation: not multiply-adds by fvcore's convention) is
    collected in :attr:`uncounted` for one summary line; the "submodules never called" notice
    (the loss and the data preprocessor, outside a forward pass) is dropped."""

    def __init__(self) -> None:
        super().__init__()
        self.uncounted: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        match = re.match(r'Unsupported operator (\S+) encountered', message)
        if match:
            self.uncounted.append(match[1])
            return False
        return not message.startswith('The following submodules of the model were never')


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch
    from mmengine.analysis import get_model_complexity_info
    from mmengine.logging import MMLogger

    from pyskl_lite import register_all_modules
    from pyskl_lite.apis import channel_axis, derive_in_channels, load_config, needs_in_channels
    from pyskl_lite.apis.inference import config_pipeline
    from pyskl_lite.registry import MODELS

    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    if args.shape and needs_in_channels(cfg):
        axis = channel_axis(config_pipeline(cfg, args.dataloader))
        cfg.model.backbone.in_channels = args.shape[axis]
    derive_in_channels(cfg)
    model = MODELS.build(cfg.model).eval()
    test_views = None
    if args.shape:
        one_view = torch.zeros(args.shape)
    else:
        inputs = first_sample_inputs(cfg, args.dataloader)
        one_view = inputs[0]
        test_views = inputs.shape[0] if args.dataloader == 'test' else None
    batch = one_view.float()[None, None]  # (1 sample, 1 view, ...)
    notices = AnalysisNotices()
    logger = MMLogger.get_current_instance()
    logger.addFilter(notices)
    try:
        with torch.no_grad():
            info = get_model_complexity_info(model, inputs=(batch,),
                                             show_table=args.show_table, show_arch=False)
    finally:
        logger.removeFilter(notices)
    recurrent = count_recurrent_flops(model, batch)
    flops = int(info['flops']) + recurrent
    print(f'config: {args.config}')
    print(f'input per view: {tuple(one_view.shape)}')
    print(f'parameters: {info["params"]:,} ({info["params_str"]})')
    print(f'FLOPs per view: {flops:,} ({flops / 1e9:.3f} G; 1 multiply-add = 1 FLOP)')
    if recurrent:
        print(f'  of which recurrent (LSTM / GRU) layers: {recurrent:,}')
    if notices.uncounted:
        print('  not counted (no multiply-adds rule, as in fvcore): '
              + ', '.join(dict.fromkeys(op.removeprefix('aten::') for op in notices.uncounted)))
    if test_views is not None:
        print(f'test views per sample: {test_views} -> FLOPs per test sample: '
              f'{flops * test_views:,}')
    if args.show_table:
        print(info['out_table'])
    return 0


if __name__ == '__main__':
    run_cli(main)
