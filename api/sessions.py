"""The page session cookie, with its signing serializer built once per key, not per request.

Flask's cookie session builds a new ``URLSafeTimedSerializer`` on every request,
even an API request that carries no cookie; at hundreds of requests a second that
is a measurable share of the CPU. The serializer depends only on the secret key
(and its fallbacks), so it is kept and rebuilt when they change.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, reusing one serializer per secret key."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._serializer: URLSafeTimedSerializer | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer for the app's current keys (``None`` without a secret key)."""
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._key != key or self._serializer is None:
            self._serializer = super().get_signing_serializer(app)
            self._key = key
        return self._serializer
