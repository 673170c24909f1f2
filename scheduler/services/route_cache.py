"""The busiest read, made cheap on PostgreSQL: one statement per route request.

``GET /api/v1/me/route`` is fetched by every carer many times a day and changes
rarely. On PostgreSQL one statement (:data:`ACCOUNT_AND_VERSION`) checks the
bearer token (live, unrevoked, active account) *and* reads a version of the
worker's route for the day: a digest of the id and ``xmin`` (the transaction that
wrote the row) of every row the route is rendered from — the worker, their
published assignments, those visits, clients and rota pointers, the other
carers on double-handed visits, the visits' checks and what the worker last
saw. Any committed insert, update or delete of such a row changes the digest, so
a route rendered for one version is served again only while nothing it was made
from has changed, on every server process alike; a revoked token is refused at
once because the token is checked by the same statement on every request.

A route's late/missed flags also depend on the clock, so an entry expires at its
next flag change (planned start + 15 minutes, planned end), and after an hour at
most. Entries live in each process (:class:`RouteCache`, bounded, least recently
used first out). SQLite renders afresh on every request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from scheduler.db.models import VisitStatus
from scheduler.services.attendance import LATE_AFTER

MAX_AGE = timedelta(hours=1)
"""The longest a rendered route is served without being rendered again."""
MAX_ENTRIES = 4096
"""Routes kept per process (about 2–8 KB each)."""

_PUBLISHED = (
    "JOIN visit v ON v.id = a.visit_id AND v.day = %(day)s "
    "JOIN publishedrota p ON p.plan_run_id = a.plan_run_id "
    "AND p.area_id = v.area_id AND p.day = v.day"
)

ACCOUNT_AND_VERSION = f"""
SELECT u.id, u.username, u.role, w.id,
  CASE WHEN w.id IS NULL THEN NULL ELSE md5(concat(
    'w', w.xmin::text,
    '|a', coalesce((
      SELECT string_agg(concat_ws(':', a.id, a.xmin, v.xmin, c.xmin, p.xmin), ',' ORDER BY a.id)
      FROM assignment a {_PUBLISHED}
      JOIN client c ON c.id = v.client_id
      WHERE a.worker_id = w.id), ''),
    '|o', coalesce((
      SELECT string_agg(concat_ws(':', o.id, o.xmin, ow.xmin, op.xmin), ',' ORDER BY o.id)
      FROM assignment a {_PUBLISHED}
      JOIN assignment o ON o.visit_id = a.visit_id AND o.worker_id <> w.id
      JOIN publishedrota op ON op.plan_run_id = o.plan_run_id
        AND op.area_id = v.area_id AND op.day = v.day
      JOIN worker ow ON ow.id = o.worker_id
      WHERE a.worker_id = w.id), ''),
    '|k', coalesce((
      SELECT string_agg(concat_ws(':', k.id, k.xmin), ',' ORDER BY k.id)
      FROM assignment a JOIN visit v ON v.id = a.visit_id AND v.day = %(day)s
      JOIN visitcheck k ON k.visit_id = a.visit_id
      WHERE a.worker_id = w.id), ''),
    '|s', coalesce((
      SELECT s.xmin::text FROM routeseen s WHERE s.worker_id = w.id AND s.day = %(day)s), '')
  )) END
FROM apitoken t
JOIN useraccount u ON u.id = t.user_id
LEFT JOIN worker w ON w.id = u.worker_id
WHERE t.digest = %(digest)s AND t.revoked_at IS NULL AND t.expires_at > %(now)s AND u.active
"""
"""Parameters: ``digest`` (of the bearer token), ``day``, ``now`` (aware UTC).
One row ``(user id, username, role value, worker id or NULL, route version or NULL)``
when the token is live, none otherwise. PostgreSQL only (``xmin``)."""


@dataclass(frozen=True, slots=True)
class AccountVersion:
    """What the statement found for a token: the account, and the route's version."""

    user_id: int
    username: str
    role: str
    worker_id: int | None
    version: str | None


def account_and_version(
    connection: Any, digest: str, day: date, now: datetime
) -> AccountVersion | None:
    """Run :data:`ACCOUNT_AND_VERSION` on a psycopg connection (one round trip; the
    statement is prepared on the server once per connection)."""
    with connection.cursor() as cursor:
        cursor.execute(
            ACCOUNT_AND_VERSION, {"digest": digest, "day": day, "now": now}, prepare=True
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return AccountVersion(int(row[0]), str(row[1]), str(row[2]), row[3], row[4])


def valid_until(stops: Iterable[dict[str, Any]], now: datetime) -> datetime:
    """When a route rendered at ``now`` may next show a different late/missed flag.

    A stop not yet checked in (and neither missed nor cancelled) turns late 15
    minutes after its planned start and missed at its planned end; any other
    change comes from a row and so changes the version. At most :data:`MAX_AGE`.
    """
    until = now + MAX_AGE
    for stop in stops:
        if stop["checked_in_at"] is not None or stop["status"] in (
            VisitStatus.MISSED.value,
            VisitStatus.CANCELLED.value,
        ):
            continue
        for moment in (stop["start"] + LATE_AFTER, stop["end"]):
            if now < moment < until:
                until = moment
    return until


@dataclass(frozen=True, slots=True)
class CachedRoute:
    """A rendered route: its JSON body, its number of stops, and when it stops being valid."""

    body: bytes
    stops: int
    until: datetime


class RouteCache:
    """Rendered route bodies of one process, keyed by (worker id, day, version).

    Thread-safe (gthread workers share it); bounded at ``max_entries``, the least
    recently used going first.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[tuple[int, date, str], CachedRoute] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get(self, key: tuple[int, date, str], now: datetime) -> CachedRoute | None:
        """The route stored under ``key`` if it is still valid at ``now``."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if now >= found.until:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[int, date, str], route: CachedRoute) -> None:
        """Keep ``route`` under ``key`` (older versions of it age out, unread)."""
        with self._lock:
            self._entries[key] = route
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
