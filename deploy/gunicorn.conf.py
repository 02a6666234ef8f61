"""Gunicorn settings of one app server: `gunicorn -c deploy/gunicorn.conf.py tracker.wsgi:application`.

Each machine (or each port of one machine) runs one gunicorn behind nginx; everything that differs
between them comes from the environment, so that one file serves all (see tracker-app@.service):

    GUNICORN_BIND            address to listen on (default 127.0.0.1:8000; 0.0.0.0:8000 when nginx
                             runs on another machine)
    GUNICORN_WORKERS         worker processes (default 2 × CPUs + 1)
    GUNICORN_THREADS         ignored: one thread per worker, always (see below); a value above 1 is
                             logged as ignored when gunicorn starts
    GUNICORN_TIMEOUT         seconds a request may take before its worker is killed and replaced
                             (default 120: an Excel import of a province's month is the slowest request)
    GUNICORN_ACCESS_LOG      access log file, "-" for stdout (default; journald keeps it)
    GUNICORN_CONTROL_SOCKET  gunicornc's control socket; none unless set (two servers on one machine
                             would otherwise share $HOME/.gunicorn/gunicorn.ctl)
    FORWARDED_ALLOW_IPS      the nginx machines whose X-Forwarded-Proto is believed (gunicorn's own
                             variable; default 127.0.0.1,::1): a request that came in over HTTPS is
                             then secure for Django (secure cookies, CSRF origin checks)

Reload code or settings without dropping a request: `systemctl reload tracker-app@8000` (SIGHUP:
new workers start with the new code, old ones finish their requests). Nothing is preloaded in
the master for that reason.
"""

import multiprocessing
import os

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
proc_name = f"tracker-app-{bind[0].rsplit(':', 1)[-1]}"

# Sync workers, one request at a time each: the timeout then really ends a runaway request, the
# master killing the worker whose request has run `timeout` seconds (SIGABRT, then SIGKILL). A
# threaded (gthread) worker goes on telling the master it is alive from its main thread while a
# request's thread runs on, so a runaway request is never stopped: one burned a CPU for 7 minutes
# after its client had given up (issue 16). Throughput comes from more workers, not threads.
worker_class = "sync"
threads = 1
_REQUESTED_THREADS = os.environ.get("GUNICORN_THREADS", "1")

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30  # on reload or stop, the time running requests get to finish
keepalive = 5  # seconds; nginx keeps connections to the app servers open (upstream keepalive)
# A worker is replaced after this many requests (with jitter, so they do not all restart at once):
# bounds the memory a long-lived worker can collect.
max_requests = 2000
max_requests_jitter = 200
preload_app = False  # SIGHUP then loads new code

# Only the proxy's X-Forwarded-Proto is believed; gunicorn turns it into wsgi.url_scheme.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

# The access log: who, when, method, path, status, size, duration, worker pid. Deliberately no
# query string (%(q)s, or %(r)s which contains it), no Referer (it carries the previous page's
# query string) and no request headers: tokens (Authorization), session cookies and anything a
# client puts in a URL never reach the log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = (
    '%(h)s %({x-forwarded-for}i)s [%(t)s] "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms pid=%(p)s "%(a)s"'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def on_starting(server) -> None:
    """Say that GUNICORN_THREADS is ignored, and refuse to start with threads or another worker
    class given on the command line (which would override this file): with them the timeout
    stops no runaway request."""
    if _REQUESTED_THREADS.strip() not in ("", "1"):
        server.log.warning(
            "GUNICORN_THREADS=%s ignored: sync workers, one thread each, so that the timeout (%ss) "
            "ends a runaway request; raise GUNICORN_WORKERS for more concurrent requests",
            _REQUESTED_THREADS,
            server.cfg.timeout,
        )
    if (
        server.cfg.worker_class_str not in ("sync", "gunicorn.workers.sync.SyncWorker")
        or server.cfg.threads != 1
    ):
        server.log.error(
            "refusing to start with worker class %s and %s threads: deploy/gunicorn.conf.py runs sync "
            "workers only, so that the timeout ends a runaway request",
            server.cfg.worker_class_str,
            server.cfg.threads,
        )
        raise SystemExit(1)
