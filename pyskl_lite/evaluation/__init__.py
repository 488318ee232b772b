from .ensemble import FUSIONS, FusedResults, align_results, fuse_results, stream_scores
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
from .results_io import ResultsFile, dump_results, load_results, read_results
from .summary import (
    DEFAULT_EVAL,
    EVAL_CHOICES,
    evaluate_scores,
    format_table,
    metric_configs,
    write_summary,
)

__all__ = [
    'DEFAULT_EVAL', 'EVAL_CHOICES', 'FUSIONS', 'AccMetric', 'ConfusionMatrix', 'DumpPredictions',
    'FusedResults', 'PrecisionRecallF1', 'PredictionMetric', 'ResultsFile', 'align_results',
    'confusion_matrix', 'dump_results', 'evaluate_scores', 'format_table', 'fuse_results',
    'load_results', 'macro_average', 'mean_class_accuracy', 'metric_configs',
    'precision_recall_f1', 'read_results', 'row_normalize', 'stream_scores', 'top_k_accuracy',
    'write_summary',
]
