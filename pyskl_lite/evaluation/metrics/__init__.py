from .classification import (
    AccMetric,
    ConfusionMatrix,
    DumpPredictions,
    PrecisionRecallF1,
    PredictionMetric,
)

__all__ = ['AccMetric', 'ConfusionMatrix', 'DumpPredictions', 'PrecisionRecallF1',
           'PredictionMetric']
