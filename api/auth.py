"""Signing in: bearer tokens for API clients, and the guard every endpoint goes through.

Deny by default: an endpoint registered with :func:`api.contract.api_route` names
the roles it allows; anything else gets 401 (not signed in) or 403 (wrong role).
Repeated failed sign-ins are slowed, then refused (:mod:`scheduler.services.login_throttle`),
across every server process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, g, request

from api.contract import Contract, api_route, current_scope, json_response
from api.database import get_session
from api.errors import ApiError
from api.schemas import AccountOut, TokenOut, TokenRequest
from scheduler.accounts import authenticate, issue_token, revoke_token
from scheduler.audit import record
from scheduler.db.models import Role, UserAccount
from scheduler.services.login_throttle import record_attempt, seconds_until_allowed
from scheduler.services.tokens import account_for_token

blueprint = Blueprint("auth", __name__, url_prefix="/api/v1/auth")
account_blueprint = Blueprint("account", __name__, url_prefix="/api/v1")
F = TypeVar("F", bound=Callable[..., Any])
ANY_ROLE = tuple(Role)


class ThrottledError(ApiError):
    """429 with the seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(429, f"too many failed sign-ins: try again in {retry_after} s")
        self.retry_after = retry_after


def bearer_token() -> str | None:
    """The token from ``Authorization: Bearer …``, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200 or not token.isascii():
        return None
    return token


def current_user() -> UserAccount:
    """The signed-in account of this request."""
    user: UserAccount = g.user
    return user


def authenticate_request(roles: Iterable[Role]) -> UserAccount:
    """The account of the request's bearer token: 401 without one, 403 for another role.

    One query finds the token, its account and (for a worker) their worker record.
    """
    token = bearer_token()
    found = account_for_token(token, session=get_session()) if token else None
    if found is None:
        raise ApiError(401, "sign in: a valid bearer token is required")
    user, worker = found
    if user.role not in tuple(roles):
        raise ApiError(403, "your role does not allow this")
    g.user = user
    g.worker = worker
    return user


def login_required(*roles: Role) -> Callable[[F], F]:
    """Guard a view that is not registered with a contract (any role when none is named)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            authenticate_request(roles or ANY_ROLE)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def sign_in(username: str, password: str) -> UserAccount:
    """Check credentials under the shared throttle; record the attempt either way.

    Raises :class:`ThrottledError` (nothing checked) or a 401 :class:`ApiError`.
    """
    session = get_session()
    address = request.remote_addr or ""
    wait = seconds_until_allowed(username, address, session=session)
    if wait:
        raise ThrottledError(wait)
    user = authenticate(session, username, password)
    record_attempt(username, address, user is not None, session=session)
    session.commit()
    if user is None:
        raise ApiError(401, "unknown username or wrong password")
    return user


@api_route(
    blueprint,
    "/token",
    Contract(
        "POST",
        "Exchange a username and password for a bearer token",
        "auth",
        None,
        body=TokenRequest,
        response=TokenOut,
        status=201,
        errors=(401, 429),
    ),
)
def create_token(body: TokenRequest) -> tuple[TokenOut, int]:
    """An opaque, expiring, revocable bearer token (only its digest is stored; audited)."""
    user = sign_in(body.username, body.password)
    session = get_session()
    token, expires_at = issue_token(session, user)
    record(session, user, "login", "token", "", {})
    session.commit()
    return TokenOut(token=token, expires_at=expires_at, role=user.role.value), 201


@api_route(
    blueprint, "/token", Contract("DELETE", "Revoke this token", "auth", ANY_ROLE, status=204)
)
def delete_token() -> Response:
    """Revoke the token this request was made with."""
    session = get_session()
    revoke_token(session, bearer_token() or "")
    record(session, current_user(), "logout", "token", "", {})
    session.commit()
    return Response(status=204)


@api_route(
    account_blueprint,
    "/me",
    Contract("GET", "Who am I: role and scope", "auth", ANY_ROLE, response=AccountOut),
)
def whoami() -> AccountOut:
    """The signed-in account's role and scope."""
    scope = current_scope()
    return AccountOut(
        username=scope.username,
        role=scope.role.value,
        worker_id=scope.worker_id,
        area_ids=None if scope.area_ids is None else sorted(scope.area_ids),
    )


def throttled_response(error: ThrottledError) -> Response:
    """The 429 JSON answer with Retry-After."""
    from api.schemas import ErrorOut

    return json_response(
        ErrorOut(status=429, message=error.message), 429, {"Retry-After": str(error.retry_after)}
    )
