"""Settings, read only from environment variables and validated at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from scheduler.db.engine import normalise_url, sqlite_url

ENVIRONMENTS = ("development", "test", "production")
DEVELOPMENT_SECRET = "development-only-secret-do-not-deploy"


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
        debug = env.get("HOMECARE_DEBUG", "0").lower() in ("1", "true", "yes")
        if environment == "production":
            if not secret or secret == DEVELOPMENT_SECRET or len(secret) < 32:
                raise ConfigurationError(
                    "HOMECARE_SECRET_KEY must be set to a random value of 32+ characters "
                    "in production"
                )
            if debug:
                raise ConfigurationError("HOMECARE_DEBUG must be off in production")
        try:
            plan_seconds = float(env.get("HOMECARE_PLAN_SECONDS", "10"))
        except ValueError as error:
            raise ConfigurationError("HOMECARE_PLAN_SECONDS must be a number") from error
        if plan_seconds <= 0:
            raise ConfigurationError("HOMECARE_PLAN_SECONDS must be positive")
        url = env.get("DATABASE_URL", "").strip()
        url = normalise_url(url) if url else sqlite_url(instance)
        return cls(
            environment=environment,
            database_url=url,
            secret_key=secret or DEVELOPMENT_SECRET,
            instance_path=instance,
            plan_seconds=plan_seconds,
            debug=debug,
        )
