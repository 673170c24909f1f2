"""gunicorn's settings for the web process, from environment variables (see docs/operations.md).

``deploy/start.sh web`` passes this file with ``--config``; every log line (gunicorn's
own and the application's) goes to stdout as JSON through :mod:`scheduler.logs`.
"""

import os

from scheduler.config import Settings
from scheduler.logs import logging_config

_settings = Settings.from_env()  # refuses unsafe or malformed settings before any worker starts


def _whole(name: str, default: int, largest: int) -> int:
    text = os.environ.get(name, str(default)).strip()
    if not (text.isdigit() and 1 <= int(text) <= largest):
        raise SystemExit(f"{name} must be a whole number from 1 to {largest}, got {text!r}")
    return int(text)


bind = os.environ.get("HOMECARE_BIND", "0.0.0.0:8000")
workers = _whole("WEB_CONCURRENCY", 2, 64)
threads = _whole("WEB_THREADS", 4, 64)
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread").strip() or "gthread"
if worker_class not in ("gthread", "sync"):
    raise SystemExit(f"WEB_WORKER_CLASS must be gthread or sync, got {worker_class!r}")
timeout = _whole("WEB_TIMEOUT", 60, 3600)
graceful_timeout = 20
keepalive = 30
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the application logs one JSON "request" event per request instead
logconfig_dict = logging_config(_settings.log_level)
control_socket_disable = True  # no shared $HOME/.gunicorn socket between instances
