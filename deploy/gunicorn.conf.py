"""Gunicorn settings of one app server: `gunicorn -c deploy/gunicorn.conf.py tracker.wsgi:application`.

Each machine (or each port of one machine) runs one gunicorn behind nginx; everything that differs
between them comes from the environment, so that one file serves all (see tracker-app@.service):

    GUNICORN_BIND            address to listen on (default 127.0.0.1:8000; 0.0.0.0:8000 when nginx
                             runs on another machine)
    GUNICORN_WORKERS         worker processes (default 2 × CPUs + 1)
    GUNICORN_THREADS         threads per worker (default 1)
    GUNICORN_TIMEOUT         seconds a request may take before its worker is restarted (default 120:
                             an Excel import of a province's month is the slowest request)
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
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
proc_name = f"tracker-app-{bind[0].rsplit(':', 1)[-1]}"

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
