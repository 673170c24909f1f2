"""Security headers on every response, page or API, success or error.

Every response carries a Content-Security-Policy that allows only this site
(no external sources, no framing), ``X-Content-Type-Options: nosniff``,
``X-Frame-Options: DENY`` and a same-origin Referrer-Policy. Everything but the
static assets (scripts, styles, the charting library) is personal or may be, so
it is marked ``Cache-Control: no-store``. Outside development the browser is
told to use HTTPS only (Strict-Transport-Security); in development the service
runs on plain http on the loopback, where that header would be wrong.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
CACHEABLE_ENDPOINTS = frozenset({"static"})
"""Endpoints whose responses hold no personal data and may be cached."""


def add_security_headers(response: Response) -> Response:
    """Set the security headers on ``response`` (keeping any a view chose itself)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        headers.setdefault("Cache-Control", "no-store")
    settings = current_app.config.get("HOMECARE_SETTINGS")
    if settings is None or settings.environment != "development":
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def init_app(app: Flask) -> None:
    """Add the security headers to every response of ``app``."""
    app.after_request(add_security_headers)
