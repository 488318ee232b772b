from .cross_entropy import CrossEntropyLoss
from .nt_xent import NTXentLoss

__all__ = ['CrossEntropyLoss', 'NTXentLoss']
