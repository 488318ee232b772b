"""Every tool answers --help without importing torch (tools/benchmark_help.py times them).

The tools are found by globbing, so a new tool is checked without editing this file."""
import subprocess
import sys

import pytest

from tests.tools.load_tool import ROOT

TOOLS = sorted(str(p.relative_to(ROOT)) for pattern in ('tools/*.py', 'tools/data/*.py')
               for p in ROOT.glob(pattern) if p.name != '__init__.py')
PROBE = '''
import runpy, sys
sys.argv = [sys.argv[1], '--help']
try:
    runpy.run_path(sys.argv[0], run_name='__main__')
except SystemExit as exit:
    code = exit.code or 0
else:
    code = 0
print('heavy modules:', sorted(m for m in ('torch', 'mmengine') if m in sys.modules))
sys.exit(code)
'''


def test_the_tools_are_found():
    assert {'tools/train.py', 'tools/test.py', 'tools/data/make_synthetic.py'} <= set(TOOLS)


@pytest.mark.parametrize('tool', TOOLS)
def test_help_imports_no_torch(tool):
    proc = subprocess.run([sys.executable, '-c', PROBE, tool], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'usage:' in proc.stdout
    assert proc.stdout.rstrip().endswith('heavy modules: []'), proc.stdout[-300:]


def test_train_help_lists_every_cfg_options_shortcut():
    from pyskl_lite.utils.cli import CFG_OPTION_SHORTCUTS

    proc = subprocess.run([sys.executable, 'tools/train.py', '--help'], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    text = ' '.join(proc.stdout.split())
    for key in CFG_OPTION_SHORTCUTS:
        assert f'{key} (' in text
    assert '--verbose' in text
