"""Gunicorn's settings for Delbar: `gunicorn -c deploy/gunicorn.conf.py`.

The web processes of every machine run with this file (deploy/systemd/delbar-web.service, the Procfile,
devtools/topology.py). Delbar's own settings come from the environment (docs/configuration.md); the
few values here that differ between machines come from the environment too (docs/deployment.md):

    DELBAR_BIND            where gunicorn listens, comma-separated (default 127.0.0.1:8000, behind nginx on
                           the machine; 0.0.0.0:$PORT where a platform sets PORT, as Procfile platforms do)
    WEB_CONCURRENCY        how many worker processes (default: one per core)
    GUNICORN_MAX_REQUESTS  requests a worker serves before it is replaced (default 1000; 0: never)
    FORWARDED_ALLOW_IPS    proxies whose X-Forwarded-* gunicorn believes (default 127.0.0.1,::1: nginx)
"""

import json
import os

from gunicorn.glogging import Logger

wsgi_app = "delbar.wsgi:application"
_default_bind = f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000"
bind = [address.strip() for address in os.environ.get("DELBAR_BIND", _default_bind).split(",") if address.strip()]
proc_name = "delbar-web"

# Sync workers, one per core. A search is CPU work (the query embedding, the vector scan, fusion: about
# 70 ms of one core at p50, bench/results/search-latency-200k-*.md), so more processes than cores only
# make them take turns; two processes on two cores sustained 38 searches/s there. Pages wait on the
# database too, so WEB_CONCURRENCY may go above the cores when the load test says it helps
# (docs/deployment.md, "How many workers").
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
worker_class = "sync"
# One embedding thread per process: several processes share the cores (docs/configuration.md,
# DELBAR_SEARCH_EMBEDDER_THREADS). Set before the application is loaded, so Delbar's settings read it.
os.environ.setdefault("DELBAR_SEARCH_EMBEDDER_THREADS", "1")

# The caps of docs/configuration.md, "Limits in front of Delbar": an oversized request line or header is
# refused here, before a worker's Django sees it (the body cap is Delbar's and nginx's).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# A request that takes 30 s is a stuck worker: it is killed and replaced. The slowest pages measured, the
# observatory's figures computed cold, take under a second at 5,000 cases (p99 829 ms,
# bench/results/observatory-postgresql.md); nginx buffers uploads, so a slow client never holds a worker.
timeout = 30
# On TERM (stop, restart, deploy) a worker finishes the request it has, up to the same 30 s.
graceful_timeout = 30
# Between nginx and gunicorn on one machine; nginx keeps the clients' connections.
keepalive = 5

# A worker is replaced after about a thousand requests (the jitter spreads the replacements so workers
# are not all new at once), which bounds slow memory growth from caches (the embedder's query cache,
# figures) to what a thousand requests can add.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10

# The application (Django, every app's modules, templates) is loaded once in the master and workers are
# forked from it: the imported code is shared copy-on-write, a replaced worker starts in milliseconds,
# and an import error stops the start instead of looping. The embedder's model and the vector index are
# NOT loaded in the master: each worker loads them on its first search. The model starts a thread of its
# own when it loads (1 -> 2 threads, measured with psutil), and threads do not survive fork; the vector
# index is built from a database connection, which must not be shared by forked processes. The model is
# about 30 MB of each worker's memory (28 MB more resident after E5(), measured), the index as large as
# its vectors. With preload, `kill -HUP` does not load new code: deploy with a restart (docs/deployment.md).
preload_app = True



def post_worker_init(worker):
    """Loads the embedder's model and the vector index in a new worker before it takes requests, so the
    first search it serves does not pay for them: the first searches of the load test's quick run took
    2.2 s before this, against 0.2 s once loaded (bench/bench_load.py). The other workers serve meanwhile,
    and max_requests_jitter keeps them from being replaced together."""
    from django.db import connection

    from delbar.search import search

    try:
        search("digital oppfølging av hjemmeboende", limit=1)
    except Exception:  # the database may be away at start; the worker's first search loads them instead
        worker.log.exception("Could not load the search index ahead; the first search will.")
    finally:
        connection.close()


# The heartbeat file in memory, not on a disk that may stall (gunicorn's own advice for containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Nothing here uses gunicorn's control socket; off, so two gunicorns of one user never share its path.
control_socket_disable = True

# nginx on the same machine sets X-Forwarded-For/-Proto; gunicorn trusts them only from there.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


# Logs: one JSON object a line on standard error (journald or the platform collects them), as Delbar's
# own (LOG_FORMAT=json). The access line carries the X-Request-ID that Delbar returned (the proxy's id or
# one it made), so a request's access line and its application lines are found together.
accesslog = "-"
errorlog = "-"
access_log_format = json.dumps({
    "time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "pid": "%(P)s",
    "request_id": "%({x-request-id}o)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s",
    "query": "%(q)s", "status": "%(s)s", "bytes": "%(B)s", "duration_ms": "%(M)s", "user_agent": "%(a)s",
})


class JsonAccessLogger(Logger):
    """Gunicorn's logger, with every access-log atom escaped for a JSON string (a path or user agent with
    a quote or backslash in it keeps the line valid JSON), and the worker's bare pid as the atom `P`."""

    def atoms(self, resp, req, environ, request_time):
        atoms = {**super().atoms(resp, req, environ, request_time), "P": os.getpid()}
        return {name: json.dumps(str(value))[1:-1] for name, value in atoms.items()}


logger_class = JsonAccessLogger
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"}},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        "console": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stderr"},
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
