"""Settings, read only from environment variables and validated at start-up."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from scheduler.db.engine import normalise_url, sqlite_url

ENVIRONMENTS = ("development", "test", "production")
DEVELOPMENT_SECRET = "development-only-secret-do-not-deploy"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("", "0", "false", "no", "off")
DASK_ADDRESS = re.compile(r"((tcp|tls)://)?[A-Za-z0-9.\[\]:_-]+:\d{1,5}")


class ConfigurationError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """The service's settings. ``plan_seconds`` is the solver's time per area, in seconds."""

    environment: str
    database_url: str
    secret_key: str
    instance_path: Path
    timezone: str = "Europe/London"
    plan_seconds: float = 10.0
    debug: bool = False
    log_level: str = "INFO"
    processes: int | None = None
    dask_address: str | None = None
    audit_read_flush_seconds: float = 0.2

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read ``HOMECARE_*`` and ``DATABASE_URL``; refuse unsafe production settings."""
        env = dict(os.environ if environ is None else environ)
        environment = env.get("HOMECARE_ENV", "development")
        if environment not in ENVIRONMENTS:
            raise ConfigurationError(
                f"HOMECARE_ENV must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}"
            )
        instance = Path(env.get("HOMECARE_INSTANCE", "instance"))
        secret = env.get("HOMECARE_SECRET_KEY", "")
        debug = _flag(env, "HOMECARE_DEBUG")
        url = env.get("DATABASE_URL", "").strip()
        if environment == "production":
            if not secret or secret == DEVELOPMENT_SECRET or len(secret) < 32:
                raise ConfigurationError(
                    "HOMECARE_SECRET_KEY must be set to a random value of 32+ characters "
                    "in production"
                )
            if debug:
                raise ConfigurationError("HOMECARE_DEBUG must be off in production")
            if not url:
                raise ConfigurationError("DATABASE_URL must be set in production")
        try:
            plan_seconds = float(env.get("HOMECARE_PLAN_SECONDS", "10"))
        except ValueError as error:
            raise ConfigurationError("HOMECARE_PLAN_SECONDS must be a number") from error
        if not 0 < plan_seconds < float("inf"):
            raise ConfigurationError("HOMECARE_PLAN_SECONDS must be positive")
        log_level = env.get("HOMECARE_LOG_LEVEL", "INFO").strip().upper() or "INFO"
        if log_level not in LOG_LEVELS:
            raise ConfigurationError(
                f"HOMECARE_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}"
            )
        processes_text = env.get("HOMECARE_PROCESSES", "").strip()
        if processes_text and not (processes_text.isdigit() and 1 <= int(processes_text) <= 256):
            raise ConfigurationError("HOMECARE_PROCESSES must be a whole number from 1 to 256")
        flush_text = env.get("HOMECARE_AUDIT_READ_FLUSH_SECONDS", "0.2").strip() or "0.2"
        try:
            audit_flush = float(flush_text)
        except ValueError as error:
            raise ConfigurationError(
                "HOMECARE_AUDIT_READ_FLUSH_SECONDS must be a number of seconds"
            ) from error
        if not 0 <= audit_flush <= 60:
            raise ConfigurationError("HOMECARE_AUDIT_READ_FLUSH_SECONDS must be from 0 to 60")
        dask_address = env.get("DASK_SCHEDULER_ADDRESS", "").strip() or None
        if dask_address is not None and not DASK_ADDRESS.fullmatch(dask_address):
            raise ConfigurationError(
                "DASK_SCHEDULER_ADDRESS must be host:port or tcp://host:port, "
                f"got {dask_address!r}"
            )
        url = _database_url(url) if url else sqlite_url(instance)
        return cls(
            environment=environment,
            database_url=url,
            secret_key=secret or DEVELOPMENT_SECRET,
            instance_path=instance,
            plan_seconds=plan_seconds,
            debug=debug,
            log_level=log_level,
            processes=int(processes_text) if processes_text else None,
            dask_address=dask_address,
            audit_read_flush_seconds=audit_flush,
        )


def _flag(env: dict[str, str], name: str) -> bool:
    """A yes/no variable: 1/true/yes/on or 0/false/no/off (any case); anything else refused."""
    value = env.get(name, "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be 1/true/yes/on or 0/false/no/off, got {value!r}")


def _database_url(url: str) -> str:
    """``DATABASE_URL`` checked to be a SQLite or PostgreSQL URL (psycopg 3 for PostgreSQL)."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as error:
        raise ConfigurationError(
            "DATABASE_URL is not a database URL (postgresql://user@host:5432/name)"
        ) from error
    if backend not in ("postgresql", "sqlite"):
        raise ConfigurationError(
            f"DATABASE_URL must name a PostgreSQL or SQLite database, not {backend!r}"
        )
    return normalise_url(url)
