from .errors import InputError, TrainingDivergedError, run_cli

__all__ = ['InputError', 'TrainingDivergedError', 'run_cli']
