"""The account (and, for a worker, their worker record) behind a bearer token, in one query.

Tokens are issued and revoked by :mod:`scheduler.accounts`, which stores only
their SHA-256 digest; this is the read on every API request, so it joins the
token, the account and the worker record in a single round trip.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from scheduler.db.models import ApiToken, UserAccount, Worker
from scheduler.db.types import utc_now


def token_digest(token: str) -> str:
    """The stored form of a token (as :func:`scheduler.accounts.issue_token` stores it)."""
    return hashlib.sha256(token.encode()).hexdigest()


_ACCOUNT_QUERY = (
    select(UserAccount, Worker)
    .join(ApiToken, col(ApiToken.user_id) == UserAccount.id)
    .outerjoin(Worker, col(Worker.id) == UserAccount.worker_id)
    .where(
        col(ApiToken.digest) == bindparam("digest"),
        col(ApiToken.revoked_at).is_(None),
        col(ApiToken.expires_at) > bindparam("now"),
        col(UserAccount.active).is_(True),
    )
)
"""Built once: it runs on every API request."""


def account_for_token(token: str, *, session: Session) -> tuple[UserAccount, Worker | None] | None:
    """The active account of a live (unexpired, unrevoked) token and its worker record."""
    row = session.execute(_ACCOUNT_QUERY, {"digest": token_digest(token), "now": utc_now()}).first()
    return (row[0], row[1]) if row is not None else None
