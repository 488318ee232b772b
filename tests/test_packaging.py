"""The install files agree with each other and the repository has the agreed layout."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _requirement_name(spec: str) -> str:
    return re.split(r'[<>=!~\[; ]', spec, maxsplit=1)[0].lower().replace('_', '-')


def _setup_list(name: str):
    tree = ast.parse((ROOT / 'setup.py').read_text())
    values = {node.targets[0].id: node.value for node in tree.body
              if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    constants = {k: ast.literal_eval(v) for k, v in values.items()
                 if isinstance(v, ast.Constant)}
    value = values[name]
    return [constants[e.id] if isinstance(e, ast.Name) else ast.literal_eval(e)
            for e in value.elts] if isinstance(value, ast.List) else ast.literal_eval(value)


def test_conda_file_names_every_runtime_dependency_with_the_same_pins():
    env = yaml.safe_load((ROOT / 'pyskl.yaml').read_text())
    assert 'python=3.11' in env['dependencies']
    pip_deps = next(d['pip'] for d in env['dependencies'] if isinstance(d, dict))
    conda_specs = {_requirement_name(spec): spec for spec in pip_deps}
    for spec in _setup_list('INSTALL_REQUIRES'):
        name = _requirement_name(spec)
        assert name in conda_specs, f'{name} missing from pyskl.yaml'
        assert conda_specs[name].replace(' ', '') == spec.replace(' ', '')


def test_torch_pin_takes_the_local_cpu_build():
    assert 'torch==2.13.0' in _setup_list('INSTALL_REQUIRES')


def test_top_level_layout():
    tracked = subprocess.run(['git', 'ls-files'], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    if not tracked:
        return
    top = {path.split('/')[0] for path in tracked}
    assert top == {'pyskl_lite', 'configs', 'tools', 'work_dirs', 'tests', 'docs', 'setup.py',
                   'pyskl.yaml', 'README.md', 'Makefile', '.ci', '.gitignore'}
    assert 'work_dirs/README.md' in tracked and '.ci/run' in tracked


def test_ruff_clean():
    result = subprocess.run(
        [sys.executable, '-m', 'ruff', 'check', '--line-length', '100', '--target-version',
         'py310', '--select', 'E,F,W,I,B,UP', 'pyskl_lite', 'tools', 'tests', 'setup.py'],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
