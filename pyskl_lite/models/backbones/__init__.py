from .c3d import C3D
from .convlstm import ConvLSTM
from .keypoint_c3d import KeypointC3D
from .lrcn import LRCN
from .lstm import LSTMBackbone
from .stgcn import STGCN

__all__ = ['C3D', 'ConvLSTM', 'KeypointC3D', 'LRCN', 'LSTMBackbone', 'STGCN']
