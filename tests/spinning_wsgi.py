"""The tracker's WSGI application with one more path, for tests/test_gunicorn_timeout.py only: GET
/spin/ writes the worker's process id to $SPIN_MARK and then burns the CPU for ever, as a runaway
request would. Served by gunicorn with the real deploy/gunicorn.conf.py; never part of the
tracker."""

import os
from pathlib import Path

from tracker.wsgi import application as tracker


def application(environ, start_response):
    if environ.get("PATH_INFO") != "/spin/":
        return tracker(environ, start_response)
    Path(os.environ["SPIN_MARK"]).write_text(str(os.getpid()))
    turns = 0
    while True:  # only the worker's death ends this request
        turns += 1
