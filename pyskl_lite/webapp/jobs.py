"""A bounded queue of video jobs, one worker thread, and clean-up of finished jobs.

A job lives in its own folder ``<root>/<32 hex digits>`` (a random id: nothing a client sends
becomes part of a path). Its life: :meth:`JobQueue.reserve` (status ``'uploading'``: counts
against ``max_pending`` while the upload arrives) → :meth:`JobQueue.start` (``'queued'``) →
the worker (``'running'``, with ``stage`` and ``progress``) → ``'done'`` or ``'failed'``
(``message`` is one line). Finished jobs are deleted, folder and all, ``keep_seconds`` after
they finished, and the oldest ones first when more than ``max_finished`` are kept. Jobs run
one at a time, in order: a CPU has no cores to spare for two pose estimators, and a client
that sends many uploads is refused (:class:`QueueFull`) rather than starving the others.
"""
from __future__ import annotations

import contextlib
import queue
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmengine.logging import MMLogger

from pyskl_lite.utils import InputError

#: ``run(job, progress)`` does the work of one job and returns its result.
Runner = Callable[['Job', Callable[[str, float], None]], dict[str, Any]]
PENDING = ('uploading', 'queued', 'running')


class QueueFull(RuntimeError):
    """More than ``max_pending`` jobs are waiting or running."""


@dataclass
class Job:
    """One video's job (module doc). ``input`` is the video to analyse, ``info`` its probe."""

    id: str
    name: str
    folder: Path
    input: Path | None = None
    info: Any = None
    status: str = 'uploading'
    stage: str = ''
    progress: float = 0.0
    message: str = ''
    result: dict[str, Any] | None = None
    created: float = field(default_factory=time.monotonic)
    finished: float | None = None


class JobQueue:
    """Jobs of the web app (module doc).

    Args:
        run: the work of one job (``run(job, progress) -> result``); an
            :class:`~pyskl_lite.utils.InputError` fails the job with its message, any other
            exception with ``internal error`` and a logged traceback.
        root: folder for the job folders (created).
        max_pending: jobs uploading, queued or running at once. Default 8.
        keep_seconds: a finished job is deleted this long after it finished. Default 1800.
        max_finished: finished jobs kept at most. Default 32.
    """

    def __init__(self, run: Runner, root: Path, max_pending: int = 8,
                 keep_seconds: float = 1800.0, max_finished: int = 32) -> None:
        self.run, self.root = run, Path(root)
        self.max_pending, self.keep_seconds, self.max_finished = (max_pending, keep_seconds,
                                                                  max_finished)
        self.root.mkdir(parents=True, exist_ok=True)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._worker = threading.Thread(target=self._work, name='pyskl-jobs', daemon=True)
        self._worker.start()

    def reserve(self, name: str) -> Job:
        """A new job with its folder, status ``'uploading'``.

        Raises:
            QueueFull: when ``max_pending`` jobs are already pending.
        """
        self.clean()
        with self._lock:
            pending = sum(job.status in PENDING for job in self._jobs.values())
            if pending >= self.max_pending:
                raise QueueFull(f'the server is busy with {pending} videos (at most '
                                f'{self.max_pending}); try again in a minute')
            job_id = uuid.uuid4().hex
            job = Job(job_id, name, self.root / job_id)
            job.folder.mkdir()
            self._jobs[job.id] = job
        return job

    def start(self, job: Job) -> None:
        """Queue a reserved job whose ``input`` (and ``info``) are set."""
        job.status = 'queued'
        self._queue.put(job)

    def discard(self, job: Job) -> None:
        """Forget a job and delete its folder (an upload that was refused)."""
        with self._lock:
            self._jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def position(self, job: Job) -> int:
        """How many jobs run or wait before ``job`` (0 when it runs or has finished)."""
        if job.status != 'queued':
            return 0
        with self._lock:
            return sum(other.status in ('queued', 'running') and other.created < job.created
                       for other in self._jobs.values())

    def clean(self) -> None:
        """Delete the finished jobs that expired or exceed ``max_finished``."""
        now = time.monotonic()
        with self._lock:
            finished = sorted((job for job in self._jobs.values() if job.finished is not None),
                              key=lambda job: job.finished)
            excess = len(finished) - self.max_finished
            expired = [job for index, job in enumerate(finished)
                       if index < excess or now - job.finished >= self.keep_seconds]
            for job in expired:
                del self._jobs[job.id]
        for job in expired:
            shutil.rmtree(job.folder, ignore_errors=True)

    def close(self) -> None:
        """Stop the worker after the running job, delete every job folder, and ``root`` when
        that leaves it empty."""
        self._queue.put(None)
        self._worker.join(timeout=60)
        with self._lock:
            jobs, self._jobs = list(self._jobs.values()), {}
        for job in jobs:
            shutil.rmtree(job.folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.root.rmdir()

    def _work(self) -> None:
        while True:
            try:
                job = self._queue.get(timeout=min(60.0, max(self.keep_seconds / 4, 0.05)))
            except queue.Empty:
                self.clean()
                continue
            if job is None:
                return
            self._run(job)
            self.clean()

    def _run(self, job: Job) -> None:
        def progress(stage: str, fraction: float) -> None:
            job.stage, job.progress = stage, fraction

        job.status = 'running'
        try:
            job.result = self.run(job, progress)
            job.status = 'done'
        except InputError as err:
            job.status, job.message = 'failed', str(err)
        except Exception as err:  # noqa: BLE001 - one bad video must not stop the server
            MMLogger.get_current_instance().error(f'job {job.id} ({job.name}) failed',
                                                  exc_info=True)
            job.status = 'failed'
            job.message = (f'{job.name}: internal error while {job.stage or "starting"}: '
                           f'{type(err).__name__}: {" ".join(str(err).split())[:200]}')
        job.finished = time.monotonic()
