"""A request id for every request, and one structured ``request`` log event per answer.

The id is the caller's ``X-Request-ID`` when it is a short token (letters, digits,
``.``, ``_``, ``-``; so a proxy's id carries through), otherwise a new random one.
It is returned in the ``X-Request-ID`` response header and is on every log line
written while the request is answered (:mod:`scheduler.logs`).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from scheduler.logs import request_id_var

HEADER = "X-Request-ID"
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._-]{1,128}")
log = logging.getLogger("homecare.request")


def request_id_from(header: str | None) -> str:
    """The caller's id if it is acceptable, else a new one (32 hex digits)."""
    if header and _ACCEPTABLE.fullmatch(header):
        return header
    return uuid.uuid4().hex


def init_app(app: Flask) -> None:
    """Give each request an id, return it, and log the request's outcome as one event."""

    @app.before_request
    def _start() -> None:
        g.request_id = request_id_from(request.headers.get(HEADER))
        g.request_id_token = request_id_var.set(g.request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id is None:  # before_request did not run (e.g. a routing failure first)
            request_id = request_id_from(request.headers.get(HEADER))
        response.headers[HEADER] = request_id
        started = g.get("request_started")
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "event": "request",
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                if started is not None
                else None,
                "remote_addr": request.remote_addr,
            },
        )
        return response

    @app.teardown_request
    def _forget(_error: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id_var.reset(token)
