"""Bearer tokens for API clients, and the decorator that guards every endpoint."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, g, jsonify, request

from api.database import get_session
from api.errors import ApiError
from api.requests import json_body, required_string
from scheduler.accounts import authenticate, issue_token, revoke_token, user_for_token
from scheduler.db.models import Role, UserAccount

blueprint = Blueprint("auth", __name__, url_prefix="/api/v1/auth")
F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str | None:
    """The token from ``Authorization: Bearer …``, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_user() -> UserAccount:
    """The signed-in account of this request (after :func:`login_required`)."""
    user: UserAccount = g.user
    return user


def login_required(*roles: Role) -> Callable[[F], F]:
    """Deny by default: 401 without a live token, 403 when the role is not allowed."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            token = bearer_token()
            user = user_for_token(get_session(), token) if token else None
            if user is None:
                raise ApiError(401, "sign in: a valid bearer token is required")
            if roles and user.role not in roles:
                raise ApiError(403, "your role does not allow this")
            g.user = user
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


@blueprint.post("/token")
def create_token() -> tuple[Response, int]:
    """Exchange ``{"username", "password"}`` for an opaque bearer token."""
    body = json_body()
    username = required_string(body, "username", max_length=80)
    password = required_string(body, "password", max_length=200)
    session = get_session()
    user = authenticate(session, username, password)
    if user is None:
        raise ApiError(401, "unknown username or wrong password")
    token, expires_at = issue_token(session, user)
    session.commit()
    return jsonify(
        {"token": token, "expires_at": expires_at.isoformat(), "role": user.role.value}
    ), 201


@blueprint.delete("/token")
@login_required()
def delete_token() -> tuple[str, int]:
    """Revoke the token this request was made with."""
    session = get_session()
    revoke_token(session, bearer_token() or "")
    session.commit()
    return "", 204
