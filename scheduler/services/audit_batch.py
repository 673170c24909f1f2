"""Audit entries of reads, written in batches off the request path.

A route served from the cache (:mod:`scheduler.services.route_cache`) must still
be audited, but an insert and a commit per read would cost more than the read.
Entries are queued with the time of the read and written together by a
background thread every ``interval`` seconds (``HOMECARE_AUDIT_READ_FLUSH_SECONDS``,
default 0.2), and once more when the process exits. With ``interval`` 0 each entry
is written before the answer is given (the tests do this).

The loss window is explicit: a process killed outright (SIGKILL, power loss)
loses the reads of its last ``interval`` seconds from the log; a graceful stop
loses none. If the database is down, entries are kept (up to
:data:`MAX_PENDING`) and written when it is back.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from scheduler.db.models import AuditEntry
from scheduler.db.types import utc_now

MAX_PENDING = 100_000
"""Entries kept while the database cannot be reached; the oldest go beyond this."""
log = logging.getLogger(__name__)
_OPEN: weakref.WeakSet[ReadAuditBuffer] = weakref.WeakSet()
"""Every buffer still alive, written out at exit (weakly held: an app let go is let go)."""


@atexit.register
def _flush_all_at_exit() -> None:
    for buffer in list(_OPEN):
        buffer.close()


class ReadAuditBuffer:
    """Queue of audit rows for one process, flushed every ``interval`` seconds."""

    def __init__(self, engine: Engine, interval: float) -> None:
        self._engine = engine
        self._interval = interval
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        _OPEN.add(self)

    def add(
        self, user_id: int, actor: str, entity: str, entity_id: str, detail: dict[str, Any]
    ) -> None:
        """Queue one ``read`` entry stamped now (written at once when ``interval`` is 0)."""
        row = {
            "at": utc_now(),
            "user_id": user_id,
            "actor": actor,
            "action": "read",
            "entity": entity,
            "entity_id": entity_id,
            "detail": detail,
        }
        with self._lock:
            self._pending.append(row)
            if len(self._pending) > MAX_PENDING:
                del self._pending[: len(self._pending) - MAX_PENDING]
        if self._interval <= 0:
            self.flush(raise_errors=True)
        else:
            self._ensure_thread()

    def flush(self, *, raise_errors: bool = False) -> int:
        """Write every queued entry in one transaction; return how many were written."""
        with self._write_lock:
            with self._lock:
                rows, self._pending = self._pending, []
            if not rows:
                return 0
            try:
                with self._engine.begin() as connection:
                    connection.execute(insert(AuditEntry), rows)
            except DBAPIError as error:
                with self._lock:
                    self._pending[:0] = rows
                    del self._pending[: max(0, len(self._pending) - MAX_PENDING)]
                if raise_errors:
                    raise
                log.warning(
                    "audit entries not yet written (%d kept): %s",
                    len(rows),
                    error.__class__.__name__,
                )
                return 0
            return len(rows)

    def pending(self) -> int:
        """Entries queued and not yet written."""
        with self._lock:
            return len(self._pending)

    def close(self) -> None:
        """Stop the thread and write what is left (at exit; safe to call twice)."""
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            thread.join(timeout=5)
        self._thread = None
        try:
            self.flush()
        except Exception:  # at exit nothing may be raised; the warning says what was lost
            log.warning("audit entries lost at exit: %d", self.pending())

    def _ensure_thread(self) -> None:
        # A forked process (gunicorn worker) does not inherit the parent's thread.
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
                return
            self._pid = os.getpid()
            self._wake.clear()
            self._thread = threading.Thread(target=self._run, name="audit-read-flush", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._wake.wait(self._interval):
            try:
                self.flush()
            except Exception:  # keep the thread alive: the next round retries
                log.exception("audit flush failed")
