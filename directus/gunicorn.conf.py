"""gunicorn settings; each can be overridden with the matching GUNICORN_* / DIRECTUS_* variable."""

import multiprocessing
import os

bind = os.environ.get("DIRECTUS_BIND", "127.0.0.1:8055")
# One worker per core (two at least): each worker's threads overlap its database waits, and more
# processes than cores cost CPU per request in cache misses and switches (docs/performance.md).
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, multiprocessing.cpu_count())))
# Threads with time limits on reading each request, and JSON refusals (directus/gunicorn_worker.py):
# a few slow clients take a few threads, not every worker. Many of them need the proxy in front
# (deploy/nginx/directus.conf, docs/deployment.md).
worker_class = "directus.gunicorn_worker.ThreadWorker"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 0))
# Directus clients send long filter query strings: request lines up to 64 KB (the contract says at
# least 32 KB; the nginx front accepts the same). Longer ones are refused with 414 code 2.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", 65536))
limit_request_fields = 200
# An empty GUNICORN_ACCESS_LOG turns the access log off (a proxy in front often keeps its own).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
wsgi_app = "directus.wsgi:application"


def post_worker_init(worker):
    """A worker killed mid-upload leaves its spooled file behind: the worker that replaces it
    (and every worker as the server starts) removes what dead processes left."""
    import logging

    from apps.files.uploads import sweep_spool

    removed = sweep_spool()
    if removed:
        logging.getLogger("directus.files").warning("Removed %d upload(s) left by stopped workers", len(removed))
