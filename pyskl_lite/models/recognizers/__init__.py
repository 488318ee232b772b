from .blending import MixupBlending
from .data_preprocessor import ActionDataPreprocessor
from .recognizer import Recognizer
from .simclr import SimCLR

__all__ = ['ActionDataPreprocessor', 'MixupBlending', 'Recognizer', 'SimCLR']
