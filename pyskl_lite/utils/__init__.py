from .errors import InputError, run_cli

__all__ = ['InputError', 'run_cli']
