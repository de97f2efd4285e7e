"""The production server: ``gunicorn -c gunicorn.conf.py acontext_site.wsgi``.

Sync workers, two per core plus one (gunicorn's own advice): a request is mostly CPU (JSON,
validation, conversion) with short database waits, so more workers than cores keeps the cores
busy while one waits. Each worker keeps its database connection open between requests
(``DATABASE_CONN_MAX_AGE``), so a request pays no connection set-up. Every value can be set
from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
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
