"""The web app of ``tools/serve.py``: upload a video, get its skeleton, the actions over time
and the annotated video.

- :mod:`.analysis`: upload checks (:func:`probe_video`, :class:`Limits`) and
  :class:`VideoAnalyser` (extraction, recognition, overlay of one video);
- :mod:`.jobs`: :class:`JobQueue`, the bounded queue with one worker and clean-up;
- :mod:`.app`: ``create_app``, the FastAPI page and JSON API (import it from there: FastAPI is
  the ``[serve]`` extra);
- ``static/``: the page (HTML, CSS, a script that draws the chart as SVG; nothing external).
"""
from .analysis import Limits, VideoAnalyser, VideoInfo, probe_video, safe_name
from .jobs import Job, JobQueue, QueueFull

__all__ = ['Job', 'JobQueue', 'Limits', 'QueueFull', 'VideoAnalyser', 'VideoInfo',
           'probe_video', 'safe_name']
