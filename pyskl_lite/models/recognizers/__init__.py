from .data_preprocessor import ActionDataPreprocessor
from .recognizer import Recognizer

__all__ = ['ActionDataPreprocessor', 'Recognizer']
