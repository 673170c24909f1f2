"""User accounts, password hashing (Argon2) and opaque bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from scheduler.db.models import ApiToken, Role, UserAccount, UserArea
from scheduler.db.types import utc_now

TOKEN_LIFETIME = timedelta(hours=12)
_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    worker_id: int | None = None,
    region_id: int | None = None,
    area_ids: Collection[int] = (),
) -> UserAccount:
    """Create an account; the scope must fit the role (worker → own record, etc.)."""
    if role == Role.WORKER and worker_id is None:
        raise ValueError("a worker account needs worker_id")
    if role == Role.MANAGER and region_id is None:
        raise ValueError("a manager account needs region_id")
    if role == Role.COORDINATOR and not area_ids:
        raise ValueError("a coordinator account needs at least one area")
    user = UserAccount(
        username=username,
        password_hash=hash_password(password),
        role=role,
        worker_id=worker_id,
        region_id=region_id,
    )
    session.add(user)
    session.flush()
    for area_id in area_ids:
        session.add(UserArea(user_id=user.id or 0, area_id=area_id))
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> UserAccount | None:
    """The active account with these credentials, or None."""
    user = session.exec(select(UserAccount).where(UserAccount.username == username)).first()
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, user: UserAccount, *, lifetime: timedelta = TOKEN_LIFETIME
) -> tuple[str, datetime]:
    """A new opaque token for ``user`` and its expiry; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    expires_at = utc_now() + lifetime
    session.add(ApiToken(user_id=user.id or 0, digest=_digest(token), expires_at=expires_at))
    session.flush()
    return token, expires_at


def user_for_token(session: Session, token: str) -> UserAccount | None:
    """The active account a live (unexpired, unrevoked) token belongs to, or None."""
    row = session.exec(select(ApiToken).where(ApiToken.digest == _digest(token))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utc_now():
        return None
    user = session.get(UserAccount, row.user_id)
    return user if user is not None and user.active else None


def revoke_token(session: Session, token: str) -> bool:
    """Revoke a token; True if it was live."""
    row = session.exec(select(ApiToken).where(ApiToken.digest == _digest(token))).first()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utc_now()
    session.add(row)
    return True


def user_area_ids(session: Session, user: UserAccount) -> set[int] | None:
    """The areas whose rota an account may see: None means every area (admin).

    A worker sees no area's rota, only their own route.
    """
    from scheduler.db.models import Area

    if user.role == Role.ADMIN:
        return None
    if user.role == Role.MANAGER:
        return {
            a for a in session.exec(select(Area.id).where(Area.region_id == user.region_id)) if a
        }
    if user.role == Role.COORDINATOR:
        return set(session.exec(select(UserArea.area_id).where(UserArea.user_id == user.id)))
    return set()
