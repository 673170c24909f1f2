"""Slow, then refuse, repeated failed sign-ins; shared by every server process.

Attempts are rows in the database, so two gunicorn workers (or two machines)
see the same count. For one username, the first ``FREE_FAILURES`` failures in
``WINDOW`` cost nothing; after that each further attempt must wait twice as
long as the last (1 s, 2 s, 4 s … up to ``MAX_DELAY``) after the previous
failure; after ``LOCK_FAILURES`` the username is refused until the window has
passed. One address failing across many usernames is refused after
``ADDRESS_LOCK_FAILURES``. A successful sign-in starts the username's count afresh.
Refused attempts never reach the password check, so they reveal nothing.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from scheduler.db.models import LoginAttempt
from scheduler.db.types import utc_now

WINDOW = timedelta(minutes=15)
FREE_FAILURES = 3
LOCK_FAILURES = 10
ADDRESS_LOCK_FAILURES = 50
MAX_DELAY = timedelta(seconds=60)
KEEP = timedelta(days=1)


def _failures_for_username(
    session: Session, username: str, since: datetime
) -> tuple[int, datetime | None]:
    """How many failures ``username`` has had since ``since`` and its last success."""
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            col(LoginAttempt.succeeded).is_(True),
            LoginAttempt.at >= since,
        )
    ).one()
    start = max(since, last_success) if last_success is not None else since
    count, latest = session.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            col(LoginAttempt.succeeded).is_(False),
            LoginAttempt.at >= start,
        )
    ).one()
    return int(count), latest


def seconds_until_allowed(
    username: str, remote_addr: str, *, session: Session, now: datetime | None = None
) -> int:
    """0 if a sign-in may be tried now, else the whole seconds to wait (Retry-After)."""
    now = now or utc_now()
    since = now - WINDOW
    address_failures = session.exec(
        select(func.count()).where(
            LoginAttempt.remote_addr == remote_addr,
            col(LoginAttempt.succeeded).is_(False),
            LoginAttempt.at >= since,
        )
    ).one()
    if remote_addr and int(address_failures) >= ADDRESS_LOCK_FAILURES:
        return int(WINDOW.total_seconds())
    failures, latest = _failures_for_username(session, username, since)
    if failures < FREE_FAILURES or latest is None:
        return 0
    if failures >= LOCK_FAILURES:
        wait = latest + WINDOW - now
    else:
        delay = min(timedelta(seconds=2 ** (failures - FREE_FAILURES)), MAX_DELAY)
        wait = latest + delay - now
    return max(0, math.ceil(wait.total_seconds()))


def record_attempt(
    username: str,
    remote_addr: str,
    succeeded: bool,
    *,
    session: Session,
    now: datetime | None = None,
) -> None:
    """Store one attempt (the caller commits) and forget old ones: this username's on
    every attempt, everybody's (made-up usernames too) on each successful sign-in.
    """
    now = now or utc_now()
    stale = col(LoginAttempt.at) < now - KEEP
    session.execute(
        delete(LoginAttempt).where(
            stale if succeeded else (col(LoginAttempt.username) == username) & stale
        )
    )
    session.add(
        LoginAttempt(
            username=username[:80], remote_addr=remote_addr[:64], succeeded=succeeded, at=now
        )
    )
