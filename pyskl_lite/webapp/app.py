"""The FastAPI application of ``tools/serve.py``: the page and its JSON API.

FastAPI because it streams an upload without buffering it (the size limit holds while the
bytes arrive), runs the blocking work in threads beside a responsive event loop, and describes
the API as OpenAPI (``GET /openapi.json``) from the same code. Its Swagger / ReDoc pages load
their scripts from a CDN, so they are switched off: the page and everything it loads are
served from this package.

API (every error is ``{"error": "<one line>"}`` with a 4xx/5xx status):

==========================================  ================================================
``GET /api/info``                            model, classes, windows, limits, sample videos
``POST /api/jobs?filename=NAME``             body: the video's bytes → 202, the job
``POST /api/samples/{name}``                 analyse one of the server's sample videos → 202
``GET /api/jobs/{id}``                       status, stage, progress, queue position, top-5
``GET /api/jobs/{id}/annotated.webm``        the annotated video (VP8)
``GET /api/jobs/{id}/skeleton.pkl``          the PYSKL annotation pickle
``GET /api/jobs/{id}/predictions.json``      top-5 and the scores of every window
==========================================  ================================================
"""
from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from pyskl_lite.utils import InputError
from pyskl_lite.visualization.video_io import VIDEO_SUFFIXES

from .analysis import RESULT_FILES, Limits, VideoAnalyser, probe_video, safe_name
from .jobs import Job, JobQueue, QueueFull

STATIC = Path(__file__).resolve().parent / 'static'
MIB = 2 ** 20


class ApiError(Exception):
    """An error answer: HTTP ``status`` and a one-line ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ClassScore(BaseModel):
    index: int
    name: str
    score: float


class JobOut(BaseModel):
    """A job as the API shows it. ``stage``: ``extract``, ``recognise`` or ``render`` while
    running; ``progress``: fraction of that stage; ``queue_position``: jobs before it."""

    id: str
    name: str
    status: Literal['uploading', 'queued', 'running', 'done', 'failed']
    stage: str
    progress: float
    queue_position: int
    message: str
    video: dict[str, Any] | None
    top5: list[ClassScore] | None
    links: dict[str, str]


class Info(BaseModel):
    model: str
    classes: list[str]
    window: int
    stride: int
    frame_stride: int
    limits: dict[str, float]
    samples: list[str]


def display_name(filename: str) -> str:
    """The client's file name made safe (:func:`safe_name`), with its suffix when that is a
    video suffix."""
    suffix = os.path.splitext(filename)[1].lower()
    return safe_name(filename) + (suffix if suffix in VIDEO_SUFFIXES else '')


def create_app(analyser: VideoAnalyser, root: Path, model_name: str = '',
               limits: Limits | None = None, samples: dict[str, Path] | None = None,
               max_pending: int = 8, keep_seconds: float = 1800.0) -> FastAPI:
    """The app (module doc). Jobs run in ``root`` (created; at shutdown the job folders are
    deleted, and ``root`` when that leaves it empty).

    Args:
        analyser: the work of one video.
        root: folder of the job folders.
        model_name: what the page says the model is.
        limits: upload limits; default :class:`Limits`.
        samples: the server's sample videos by the name clients pick them by.
        max_pending: jobs uploading, queued or running at once (more are refused, 503).
        keep_seconds: finished jobs are deleted this long after they finish.
    """
    limits = limits or Limits()
    samples = dict(samples or {})
    jobs = JobQueue(lambda job, progress: analyser(job.input, job.folder, job.name, progress),
                    root, max_pending, keep_seconds)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.close()

    app = FastAPI(title='pyskl_lite: actions in your videos', version='1', lifespan=lifespan,
                  docs_url=None, redoc_url=None, description=__doc__.split('\n\n')[0])
    app.state.jobs = jobs
    app.mount('/static', StaticFiles(directory=STATIC), name='static')
    page = (STATIC / 'index.html').read_text(encoding='utf-8')

    @app.exception_handler(ApiError)
    async def api_error(_: Request, err: ApiError) -> JSONResponse:
        return JSONResponse({'error': str(err)}, status_code=err.status)

    @app.exception_handler(InputError)
    async def input_error(_: Request, err: InputError) -> JSONResponse:
        return JSONResponse({'error': str(err)}, status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> JSONResponse:
        return JSONResponse({'error': f'{request.url.path}: {err.detail}'},
                            status_code=err.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0]
        where = '.'.join(str(part) for part in first.get('loc', ()))
        return JSONResponse({'error': f'{request.url.path}: {where}: {first.get("msg")}'},
                            status_code=422)

    @app.exception_handler(Exception)
    async def internal_error(_: Request, err: Exception) -> JSONResponse:
        return JSONResponse({'error': f'internal error: {type(err).__name__}'}, status_code=500)

    def job_out(job: Job) -> JobOut:
        done = job.status == 'done'
        base = f'/api/jobs/{job.id}'
        return JobOut(
            id=job.id, name=job.name, status=job.status, stage=job.stage,
            progress=round(job.progress, 4), queue_position=jobs.position(job),
            message=job.message,
            video=None if job.info is None else dict(
                frames=job.info.frames, fps=job.info.fps, width=job.info.width,
                height=job.info.height, seconds=job.info.seconds),
            top5=job.result['top5'] if done else None,
            links={name: f'{base}/{name}' for name in RESULT_FILES} if done else {})

    def find_job(job_id: str) -> Job:
        job = jobs.get(job_id)
        if job is None:
            raise ApiError(404, f'job {job_id[:40]!r} not found (finished jobs are deleted '
                           f'{keep_seconds / 60:g} min after they finish)')
        return job

    def reserve(name: str) -> Job:
        try:
            return jobs.reserve(name)
        except QueueFull as err:
            raise ApiError(503, str(err)) from None

    async def probe_and_start(job: Job, path: Path) -> JobOut:
        try:
            job.info = await run_in_threadpool(probe_video, path, job.name, limits)
        except BaseException:
            jobs.discard(job)
            raise
        job.input = path
        jobs.start(job)
        return job_out(job)

    @app.get('/', response_class=HTMLResponse, include_in_schema=False)
    async def index() -> str:
        return page

    @app.get('/api/info', response_model=Info)
    async def info() -> Info:
        """The model, its classes, the sliding windows, the upload limits and the sample
        videos."""
        return Info(model=model_name, classes=analyser.classes,
                    window=analyser.window, stride=analyser.stride,
                    frame_stride=analyser.frame_stride,
                    limits=dict(max_mib=limits.max_bytes / MIB,
                                max_seconds=limits.max_seconds,
                                max_frames=limits.max_frames, max_side=limits.max_side),
                    samples=sorted(samples))

    @app.post('/api/jobs', response_model=JobOut, status_code=202, openapi_extra={
        'requestBody': {'required': True, 'description': 'the video file itself',
                        'content': {'application/octet-stream': {
                            'schema': {'type': 'string', 'format': 'binary'}}}}})
    async def upload(request: Request,
                     filename: str = Query('upload', max_length=255,
                                           description='the file name, for display only')
                     ) -> JobOut:
        """Upload a video (the request body) and queue it. 400: not a decodable video,
        empty, or over the duration / frame limits; 413: over the size limit; 503: queue
        full."""
        name = display_name(filename)
        too_big = (f"{name}: field 'video': the file is over the {limits.max_bytes / MIB:g} "
                   'MiB limit: upload a shorter or smaller clip')
        declared = request.headers.get('content-length', '')
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise ApiError(413, too_big)
        job = reserve(name)
        path = job.folder / ('input' + os.path.splitext(name)[1])
        try:
            size = 0
            with open(path, 'wb') as file:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise ApiError(413, too_big)
                    file.write(chunk)
        except BaseException:
            jobs.discard(job)
            raise
        return await probe_and_start(job, path)

    @app.post('/api/samples/{name}', response_model=JobOut, status_code=202)
    async def analyse_sample(name: str) -> JobOut:
        """Queue one of the server's sample videos (``GET /api/info`` lists them)."""
        if name not in samples:
            raise ApiError(404, f'no sample video {name[:80]!r}; GET /api/info lists them')
        return await probe_and_start(reserve(name), samples[name])

    @app.get('/api/jobs/{job_id}', response_model=JobOut)
    async def job_status(job_id: str) -> JobOut:
        """The job's status; poll it until ``status`` is ``done`` or ``failed``."""
        return job_out(find_job(job_id))

    @app.get('/api/jobs/{job_id}/{file}', response_class=FileResponse, responses={
        200: {'content': dict.fromkeys(RESULT_FILES.values(), {})}})
    async def result_file(job_id: str,
                          file: Literal['annotated.webm', 'skeleton.pkl', 'predictions.json']
                          ) -> FileResponse:
        """A result of a finished job: the annotated video, the skeleton pickle, the
        predictions."""
        job = find_job(job_id)
        if job.status != 'done':
            raise ApiError(409, f'{job.name}: the job is {job.status}, not done')
        download = None if file.endswith('.webm') else f'{os.path.splitext(job.name)[0]}_{file}'
        return FileResponse(job.folder / file, media_type=RESULT_FILES[file], filename=download)

    return app

