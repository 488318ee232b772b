"""Progress displays: a bar on a terminal, whole lines in a piped log."""
import io

import pytest

from pyskl_lite.utils.progress import Progress, format_seconds


def test_off_a_terminal_whole_lines_and_no_carriage_returns():
    stream = io.StringIO()
    with Progress(4, 'test', stream=stream, interval_s=0) as bar:
        for step in range(4):
            bar.update(1, postfix=f'loss {step}')
    lines = stream.getvalue().splitlines()
    assert '\r' not in stream.getvalue()
    assert [line.split(',')[0] for line in lines] == [
        'test: 1/4 (25 %)', 'test: 2/4 (50 %)', 'test: 3/4 (75 %)', 'test: 4/4 (100 %)']
    assert 'ETA' in lines[0] and lines[0].endswith('loss 0') and 'ETA' not in lines[-1]


def test_lines_are_spaced_by_the_interval_and_a_left_bar_ends_with_one():
    stream = io.StringIO()
    with Progress(100, 'epoch 1/3', stream=stream, interval_s=3600) as bar:
        for _ in range(100):
            bar.update(1)
    assert stream.getvalue().splitlines() == [bar.line()] and '100/100' in bar.line()

    quiet = io.StringIO()
    with Progress(10, 'validation', stream=quiet, interval_s=3600, leave=False) as bar:
        bar.update(10)
    assert quiet.getvalue() == ''


def test_a_terminal_gets_a_redrawn_bar():
    stream = io.StringIO()
    with Progress(3, 'test', stream=stream, terminal=True) as bar:
        bar.write('a log line')
        bar.update(3)
    text = stream.getvalue()
    assert '\r' in text and 'a log line\n' in text and '3/3' in text


@pytest.mark.parametrize('seconds, text', [(0.4, '0 s'), (42, '42 s'), (185, '3 min 05 s'),
                                           (7620, '2 h 07 min')])
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text
