"""Structured logs: one JSON object a line, with the request id, extras and tracebacks."""

from __future__ import annotations

import json
import logging
import sys

from api.logs import request_id_from
from scheduler.logs import JsonFormatter, request_id_var


def test_a_record_is_one_json_line_with_the_request_id_and_extras() -> None:
    """The current request id and ``extra`` fields are in the line; the message is formatted."""
    record = logging.makeLogRecord(
        {"name": "homecare.request", "levelname": "INFO", "msg": "GET %s", "args": ("/x",)}
    )
    record.status = 200
    token = request_id_var.set("abc-1")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET /x" and entry["request_id"] == "abc-1"
    assert entry["status"] == 200 and entry["level"] == "INFO" and entry["time"].endswith("+00:00")


def test_an_exception_is_logged_with_its_type_and_traceback_outside_requests() -> None:
    """Errors carry the exception's name and traceback; no request id outside a request."""
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, __file__, 1, "failed", (), exc_info=sys.exc_info()
        )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["exception"] == "ValueError" and "boom" in entry["traceback"]
    assert "request_id" not in entry


def test_only_short_plain_request_ids_are_kept() -> None:
    """A proxy's id is kept; anything that could forge log lines is replaced."""
    assert request_id_from("req-1.a_B") == "req-1.a_B"
    for unsafe in (None, "", "a b", 'x"}', "é", "x" * 129, "line\nbreak"):
        replaced = request_id_from(unsafe)
        assert replaced != unsafe and len(replaced) == 32
