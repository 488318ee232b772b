from .c3d import C3D
from .keypoint_c3d import KeypointC3D
from .lstm import LSTMBackbone
from .stgcn import STGCN

__all__ = ['C3D', 'KeypointC3D', 'LSTMBackbone', 'STGCN']
