"""Django's Postgres backend with a health check that costs no round trip when it need not.

With CONN_HEALTH_CHECKS, Django checks a kept connection before each request's first query
with ``SELECT 1``: a round trip and its CPU on both sides, about a tenth of what a store
costs here (benchmarks/http_store.py). A connection idle between requests receives nothing,
so whatever ends it (a restart, an idle timeout, ``pg_terminate_backend``) leaves something to
read on its socket: the server's FATAL message, or the end of the stream. So an idle
connection whose socket has nothing to read, and that psycopg has not seen fail, is taken as
it is; anything else gets Django's own check.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return bool(super().is_usable())
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return bool(super().is_usable()) if readable else True
