"""Import a script of ``tools/`` as a module, so tests can call its ``main(argv)`` in-process."""
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_tool(relative: str) -> ModuleType:
    """``load_tool('tools/visualize.py')`` -> the module (not run as ``__main__``)."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(f'tool_{path.stem}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_tool(relative: str, *args, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run the script in a fresh interpreter (as a user would), capturing its output."""
    return subprocess.run([sys.executable, str(ROOT / relative), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
