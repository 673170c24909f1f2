"""Settings come from the environment and unsafe production settings are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.config import DEVELOPMENT_SECRET, ConfigurationError, Settings


def test_development_defaults_to_sqlite_in_the_instance_folder(tmp_path: Path) -> None:
    """Without DATABASE_URL the service uses a SQLite file under the instance folder."""
    settings = Settings.from_env({"HOMECARE_INSTANCE": str(tmp_path / "inst")})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("inst/homecare.db")
    assert settings.secret_key == DEVELOPMENT_SECRET


def test_postgresql_urls_use_psycopg_3() -> None:
    """A plain postgresql:// URL is given the psycopg 3 driver."""
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u@db:5432/homecare"})
    assert settings.database_url.startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({"HOMECARE_ENV": "production"}, "HOMECARE_SECRET_KEY"),
        (
            {"HOMECARE_ENV": "production", "HOMECARE_SECRET_KEY": DEVELOPMENT_SECRET},
            "HOMECARE_SECRET_KEY",
        ),
        (
            {"HOMECARE_ENV": "production", "HOMECARE_SECRET_KEY": "x" * 40, "HOMECARE_DEBUG": "1"},
            "HOMECARE_DEBUG",
        ),
        ({"HOMECARE_ENV": "staging"}, "HOMECARE_ENV"),
        ({"HOMECARE_PLAN_SECONDS": "soon"}, "HOMECARE_PLAN_SECONDS"),
    ],
)
def test_unsafe_or_malformed_settings_refuse_to_start(
    environ: dict[str, str], names: str, tmp_path: Path
) -> None:
    """Production with a default secret or debug on, or a malformed value, is refused by name."""
    environ = {"HOMECARE_INSTANCE": str(tmp_path), **environ, "DATABASE_URL": "sqlite://"}
    with pytest.raises(ConfigurationError, match=names):
        Settings.from_env(environ)


def test_production_with_a_strong_secret_starts() -> None:
    """A long random secret and debug off are accepted in production."""
    settings = Settings.from_env(
        {"HOMECARE_ENV": "production", "HOMECARE_SECRET_KEY": "k" * 48, "DATABASE_URL": "sqlite://"}
    )
    assert settings.environment == "production"
