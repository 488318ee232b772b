"""The README's shell commands, walked block by block (new sections are walked too).

Every ``python tools/...`` command, and every launcher script mapped to the tool it runs, must
name an existing tool whose argument parser accepts the arguments as written, and every
``configs/``, ``tools/`` or ``pyskl_lite/`` path it names must exist. Running each command is
what ``make demo`` and the tool tests do; this catches a README that drifted from the code
(a renamed flag, a missing config, a wrong launcher argument count)."""
import contextlib
import io
import re
import shlex
import sys

import pytest

from tests.tools.load_tool import ROOT, load_tool

#: Launcher script -> (tool it runs, how many leading arguments the script itself takes
#: besides those it passes on: process count, SLURM partition and job name).
LAUNCHERS = {
    'tools/dist_train.sh': ('tools/train.py', lambda a: [a[0], *a[2:]]),
    'tools/dist_test.sh': ('tools/test.py', lambda a: [a[0], a[1], *a[3:]]),
    'tools/slurm_train.sh': ('tools/train.py', lambda a: a[2:]),
    'tools/slurm_test.sh': ('tools/test.py', lambda a: a[2:]),
}
REPO_PATH = re.compile(r'^(configs|tools|pyskl_lite)/[\w./+-]+$')


def readme_commands() -> list[list[str]]:
    """The words of every command in the README's ``bash`` blocks (continuations joined,
    comments and ``VAR=value`` prefixes dropped, ``[optional args]`` placeholders cut)."""
    text = (ROOT / 'README.md').read_text(encoding='utf-8')
    commands = []
    for block in re.findall(r'```bash\n(.*?)```', text, flags=re.S):
        for line in block.replace('\\\n', ' ').splitlines():
            for part in line.split('&&'):
                words = shlex.split(part, comments=True)
                while words and re.match(r'^[A-Z_]+=', words[0]):
                    words.pop(0)
                if any(w.startswith('[') for w in words):
                    words = words[:next(i for i, w in enumerate(words) if w.startswith('['))]
                if words:
                    commands.append(words)
    return commands


def tool_call(words: list[str]) -> tuple[str, list[str]] | None:
    """``(tool path, its arguments)`` of a README command, None for other commands."""
    if words[0] in ('python', 'python3') and words[1:2] and words[1].startswith('tools/'):
        return words[1], words[2:]
    if words[0] == 'bash' and words[1] in LAUNCHERS:
        tool, pass_on = LAUNCHERS[words[1]]
        return tool, pass_on(words[2:])
    return None


CALLS = [call for call in map(tool_call, readme_commands()) if call is not None]


def test_the_walk_finds_the_readmes_commands():
    tools = {tool for tool, _ in CALLS}
    assert {'tools/train.py', 'tools/test.py', 'tools/visualize.py',
            'tools/data/make_synthetic.py'} <= tools
    assert len(CALLS) >= 20


@pytest.mark.parametrize('tool, args', CALLS, ids=[' '.join([t, *a])[:60] for t, a in CALLS])
def test_readme_command_parses(tool, args, monkeypatch):
    assert (ROOT / tool).is_file(), tool
    for word in [tool, *args]:
        if REPO_PATH.match(word) and not word.endswith('/'):
            assert (ROOT / word).exists(), f'{word} (in: {tool} {" ".join(args)})'
    module = load_tool(tool)
    monkeypatch.setattr(sys, 'argv', [tool, *args])
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            module.parse_args()
        except SystemExit as exit:
            pytest.fail(f'{tool} {" ".join(args)}: {stderr.getvalue().strip()} ({exit.code})')
