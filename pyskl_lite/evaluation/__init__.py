from .functional import (
    confusion_matrix,
    macro_average,
    mean_class_accuracy,
    precision_recall_f1,
    row_normalize,
    top_k_accuracy,
)
from .metrics import (
    AccMetric,
    ConfusionMatrix,
    DumpPredictions,
    PrecisionRecallF1,
    PredictionMetric,
)
from .results_io import dump_results, load_results

__all__ = [
    'AccMetric', 'ConfusionMatrix', 'DumpPredictions', 'PrecisionRecallF1', 'PredictionMetric',
    'confusion_matrix', 'dump_results', 'load_results', 'macro_average', 'mean_class_accuracy',
    'precision_recall_f1', 'row_normalize', 'top_k_accuracy',
]
