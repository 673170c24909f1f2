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
        ({"HOMECARE_PLAN_SECONDS": "nan"}, "HOMECARE_PLAN_SECONDS"),
        ({"HOMECARE_DEBUG": "maybe"}, "HOMECARE_DEBUG"),
        ({"HOMECARE_LOG_LEVEL": "chatty"}, "HOMECARE_LOG_LEVEL"),
        ({"HOMECARE_PROCESSES": "0"}, "HOMECARE_PROCESSES"),
        ({"HOMECARE_PROCESSES": "two"}, "HOMECARE_PROCESSES"),
        ({"DASK_SCHEDULER_ADDRESS": "the cluster"}, "DASK_SCHEDULER_ADDRESS"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://u@db/homecare"}, "DATABASE_URL"),
    ],
)
def test_unsafe_or_malformed_settings_refuse_to_start(
    environ: dict[str, str], names: str, tmp_path: Path
) -> None:
    """Production with a default secret or debug on, or a malformed value, is refused by name."""
    environ = {"HOMECARE_INSTANCE": str(tmp_path), "DATABASE_URL": "sqlite://", **environ}
    with pytest.raises(ConfigurationError, match=names):
        Settings.from_env(environ)


def test_production_with_a_strong_secret_starts() -> None:
    """A long random secret and debug off are accepted in production."""
    settings = Settings.from_env(
        {"HOMECARE_ENV": "production", "HOMECARE_SECRET_KEY": "k" * 48, "DATABASE_URL": "sqlite://"}
    )
    assert settings.environment == "production"


def test_production_must_name_its_database(tmp_path: Path) -> None:
    """Production never falls back to the embedded SQLite file silently."""
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        Settings.from_env(
            {
                "HOMECARE_ENV": "production",
                "HOMECARE_SECRET_KEY": "k" * 48,
                "HOMECARE_INSTANCE": str(tmp_path),
            }
        )


def test_optional_settings_are_read_when_valid() -> None:
    """Log level, local processes and the Dask scheduler come through, normalised."""
    settings = Settings.from_env(
        {
            "DATABASE_URL": "sqlite://",
            "HOMECARE_LOG_LEVEL": "warning",
            "HOMECARE_PROCESSES": "3",
            "DASK_SCHEDULER_ADDRESS": "tcp://dask-scheduler:8786",
            "HOMECARE_DEBUG": "off",
        }
    )
    assert (settings.log_level, settings.processes, settings.dask_address, settings.debug) == (
        "WARNING",
        3,
        "tcp://dask-scheduler:8786",
        False,
    )
