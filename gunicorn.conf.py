"""The production server: ``gunicorn -c gunicorn.conf.py acontext_site.wsgi``.

Threaded workers (gthread), one a core plus one, four threads each. A request is mostly CPU
(JSON, validation, conversion) with short database waits: the extra worker and the threads
keep the cores busy while one request waits. Unlike sync workers, gthread keeps a client's
connection open between requests, so the SDKs' keep-alive saves each request a TCP set-up
on both sides. Each thread keeps its database connection open between requests
(``DATABASE_CONN_MAX_AGE``), so a request pays no connection set-up either. Every value can be
set from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Recycle workers now and then, at different moments, so that slow leaks cannot pile up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None


def when_ready(server: object) -> None:
    """In the master, before any worker is forked: read the o200k_base vocabulary once (0.4 s
    and 30 MB), so that every worker starts with it instead of paying for it on its first
    store."""
    from conversion import tokens

    tokens.encoding()


def post_worker_init(worker: object) -> None:
    """In each worker, once Django and the application are loaded: move every object alive
    now (modules, settings, URL patterns: about 90,000) out of the garbage collector's reach.
    A 1,000-message read creates tens of thousands of containers, and each full collection
    would otherwise walk all of those long-lived objects again (in-process, reads took about
    15% less time with them frozen)."""
    import gc

    gc.freeze()
