"""CSRF protection for the pages: a synchroniser token in the signed session.

Every state-changing request to a page (not the bearer-token API, which never
reads cookies) must carry the session's token in the ``csrf_token`` form field
or the ``X-CSRF-Token`` header, and, when the browser sends ``Origin``, come
from this site.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Flask, request, session

from api.errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token() -> str:
    """This session's token (made on first use)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """Refuse a state-changing page request without the session's token (400)."""
    if request.method in SAFE_METHODS or request.path.startswith("/api/"):
        return
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise ApiError(403, "this form was sent from another site", "Origin")
    expected = session.get("csrf")
    given = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), given.encode()):
        raise ApiError(
            400,
            "the form has expired or was not sent from this site: reload and try again",
            "csrf_token",
        )


def init_app(app: Flask) -> None:
    """Check every state-changing page request; offer ``csrf_token()`` to templates."""
    app.before_request(check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
