"""The audit log: who read or changed what. Never pass secrets in ``detail``."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from scheduler.db.models import AuditEntry, UserAccount


def record(
    session: Session,
    user: UserAccount | None,
    action: str,
    entity: str,
    entity_id: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry to the session (committed with the caller's work)."""
    session.add(
        AuditEntry(
            user_id=user.id if user else None,
            actor=user.username if user else "system",
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=detail or {},
        )
    )
