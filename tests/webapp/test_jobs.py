import threading
import time

import pytest

from pyskl_lite.utils import InputError
from pyskl_lite.webapp.jobs import JobQueue, QueueFull


def wait(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, 'timed out'
        time.sleep(0.01)


class Gate:
    """A runner that records the jobs it ran and waits for ``release`` before finishing."""

    def __init__(self, fail=None):
        self.order, self.fail = [], fail
        self.release = threading.Event()

    def __call__(self, job, progress):
        self.order.append(job.name)
        progress('extract', 0.5)
        self.release.wait(20)
        if self.fail is not None:
            raise self.fail
        return {'name': job.name}


def submit(jobs, name):
    job = jobs.reserve(name)
    (job.folder / 'input.mp4').write_bytes(b'x')
    job.input = job.folder / 'input.mp4'
    jobs.start(job)
    return job


def test_jobs_run_one_at_a_time_in_order_with_positions_and_progress(tmp_path):
    gate = Gate()
    jobs = JobQueue(gate, tmp_path / 'jobs')
    first, second, third = (submit(jobs, name) for name in ('a', 'b', 'c'))
    wait(lambda: first.progress == 0.5)
    assert (first.status, first.stage) == ('running', 'extract')
    assert [second.status, third.status] == ['queued', 'queued']
    assert [jobs.position(j) for j in (first, second, third)] == [0, 1, 2]
    gate.release.set()
    wait(lambda: third.status == 'done')
    assert gate.order == ['a', 'b', 'c'] and third.result == {'name': 'c'}
    assert jobs.position(third) == 0
    jobs.close()
    assert jobs.get(first.id) is None and not (tmp_path / 'jobs').exists()


def test_more_than_max_pending_jobs_are_refused_until_one_finishes(tmp_path):
    gate = Gate()
    jobs = JobQueue(gate, tmp_path, max_pending=2)
    running = submit(jobs, 'a')
    jobs.reserve('uploading')
    with pytest.raises(QueueFull, match=r'busy with 2 videos \(at most 2\)'):
        jobs.reserve('c')
    gate.release.set()
    wait(lambda: running.status == 'done')
    assert jobs.reserve('c').status == 'uploading'
    jobs.close()


def test_discarded_upload_frees_its_place_and_folder(tmp_path):
    jobs = JobQueue(Gate(), tmp_path, max_pending=1)
    job = jobs.reserve('a')
    jobs.discard(job)
    assert not job.folder.exists() and jobs.get(job.id) is None
    jobs.reserve('b')
    jobs.close()


@pytest.mark.parametrize('error, message', [
    (InputError("a.mp4: field 'video': no person found"), "a.mp4: field 'video': no person found"),
    (ValueError('bad\nvalue'), 'a: internal error while extract: ValueError: bad value'),
])
def test_a_failed_job_keeps_a_one_line_message_and_the_worker_goes_on(tmp_path, error, message):
    gate = Gate(fail=error)
    gate.release.set()
    jobs = JobQueue(gate, tmp_path)
    failed = submit(jobs, 'a')
    wait(lambda: failed.status == 'failed')
    assert failed.message == message and failed.result is None
    gate.fail = None
    later = submit(jobs, 'b')
    wait(lambda: later.status == 'done')
    jobs.close()


def test_finished_jobs_are_deleted_after_keep_seconds(tmp_path):
    gate = Gate()
    gate.release.set()
    jobs = JobQueue(gate, tmp_path, keep_seconds=0.5)
    job = submit(jobs, 'a')
    wait(lambda: job.status == 'done')
    assert jobs.get(job.id) is job and job.folder.is_dir()
    wait(lambda: jobs.get(job.id) is None and not job.folder.exists(), seconds=10)
    assert time.monotonic() - job.finished >= 0.5
    jobs.close()


def test_only_max_finished_jobs_are_kept(tmp_path):
    gate = Gate()
    gate.release.set()
    jobs = JobQueue(gate, tmp_path, max_finished=1)
    first = submit(jobs, 'a')
    wait(lambda: first.status == 'done')
    second = submit(jobs, 'b')
    wait(lambda: second.status == 'done' and jobs.get(first.id) is None)
    assert not first.folder.exists() and jobs.get(second.id) is second
    jobs.close()
