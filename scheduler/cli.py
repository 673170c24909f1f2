"""The ``homecare`` command: one subcommand for everything the service does."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import click
from sqlalchemy.engine import Engine

from scheduler.bench.cli import bench
from scheduler.config import ConfigurationError, Settings


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from error


def _engine() -> Engine:
    from scheduler.db.engine import make_engine

    return make_engine(_settings().database_url)


def _tomorrow() -> date:
    return datetime.now(ZoneInfo("Europe/London")).date() + timedelta(days=1)


def _parse_day(text: str | None) -> date:
    if text is None or text == "tomorrow":
        return _tomorrow()
    if text == "today":
        return _tomorrow() - timedelta(days=1)
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD, today or tomorrow)"
        ) from error


@click.group()
def main() -> None:
    """Plan the daily work of NHS homecare workers."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations (SQLite by default, PostgreSQL via DATABASE_URL)."""
    from scheduler.db.migrate import current_revision, upgrade

    engine = _engine()
    upgrade(engine, revision)
    click.echo(f"database at revision {current_revision(engine)} ({engine.url.get_backend_name()})")


@main.command()
@click.option("--workers", type=click.IntRange(1, 50_000), required=True, help="Workforce size")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--date", "day_text", default=None, help="First day to make visits for (default tomorrow)"
)
@click.option("--days", type=click.IntRange(1, 60), default=1, show_default=True)
@click.option("--areas", type=click.IntRange(1, 2000), default=None, help="Number of areas")
def generate(workers: int, seed: int, day_text: str | None, days: int, areas: int | None) -> None:
    """Generate a realistic England-wide scenario into the database."""
    import time

    from scheduler.db.migrate import upgrade
    from scheduler.generate import generate_scenario

    engine = _engine()
    upgrade(engine)
    started = time.monotonic()
    summary = generate_scenario(
        engine, workers=workers, seed=seed, first_day=_parse_day(day_text), days=days, areas=areas
    )
    click.echo(summary.as_table())
    click.echo(f"generated in {time.monotonic() - started:.1f} s")


@main.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--kind", default=None, help="workers, clients, care_plans, training, … (file imports)"
)
def import_command(path: Path, kind: str | None) -> None:
    """Import a file (with --kind) or a folder holding one file per kind, whole or not at all."""
    from scheduler.db.engine import session_scope
    from scheduler.db.migrate import upgrade
    from scheduler.io import ImportRejected, import_dataset, import_file

    engine = _engine()
    upgrade(engine)
    try:
        with session_scope(engine) as session:
            if path.is_dir():
                reports = list(import_dataset(session, path).values())
            else:
                if kind is None:
                    raise click.UsageError("--kind is required when importing one file")
                reports = [import_file(session, kind, path)]
    except ImportRejected as rejected:
        for error in rejected.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(
            f"import rejected: {len(rejected.errors)} problem(s); nothing written"
        ) from None
    for report in reports:
        click.echo(str(report))


@main.command("export")
@click.argument("kind", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "bundle"]),
    default="csv",
    help="csv or json for a KIND; bundle: the published rota of --date (docs/bundle.md)",
)
@click.option("--area", "area_ids", type=int, multiple=True)
@click.option("--dataset", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--date", "day_text", default=None, help="With --format bundle: YYYY-MM-DD")
def export_command(
    kind: str | None,
    fmt: Literal["csv", "json", "bundle"],
    area_ids: tuple[int, ...],
    dataset: Path | None,
    day_text: str | None,
) -> None:
    """Export one kind to stdout, every kind into a --dataset folder, or a day's bundle."""
    from scheduler.db.engine import session_scope
    from scheduler.io import export_dataset, export_kind

    if fmt == "bundle":
        _export_bundle(kind, dataset, day_text, area_ids)
        return
    if day_text is not None:
        raise click.UsageError("--date goes with --format bundle")
    engine = _engine()
    with session_scope(engine) as session:
        if dataset is not None:
            export_dataset(session, dataset, area_ids=list(area_ids) or None)
            click.echo(f"exported to {dataset}")
            return
        if kind is None:
            raise click.UsageError("name a KIND or give --dataset DIR")
        sys.stdout.write(export_kind(session, kind, fmt, area_ids=list(area_ids) or None))


def _export_bundle(
    kind: str | None, dataset: Path | None, day_text: str | None, area_ids: tuple[int, ...]
) -> None:
    """Write the published rota of a date as a JSON bundle to stdout."""
    from sqlmodel import Session

    from scheduler.io.bundle import NoPublishedRota, day_bundle

    if kind is not None or dataset is not None:
        raise click.UsageError("--format bundle takes --date, not a KIND or --dataset")
    if day_text is None:
        raise click.UsageError("--format bundle needs --date YYYY-MM-DD")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise click.BadParameter(
            f"{day_text!r} is not a date (YYYY-MM-DD)", param_hint="--date"
        ) from None
    with Session(_engine()) as session:
        try:
            bundle = day_bundle(session, day, list(area_ids) or None)
        except NoPublishedRota as error:
            raise click.ClickException(f"{error}; plan it first (homecare plan --date)") from None
    sys.stdout.write(json.dumps(bundle, indent=1) + "\n")


processes_option = click.option(
    "--processes",
    type=click.IntRange(1, 256),
    default=None,
    help="Local solver processes (default: one per core)",
)
dask_option = click.option(
    "--dask",
    "dask_address",
    default=None,
    help="Plan through this Dask scheduler (default: DASK_SCHEDULER_ADDRESS)",
)


@main.command()
@click.option("--date", "day_text", default=None, help="YYYY-MM-DD, today or tomorrow (default)")
@click.option("--area", "area_codes", multiple=True, help="Area code or id (default: all)")
@click.option(
    "--time-budget",
    "--seconds",
    "budget",
    type=click.FloatRange(0.5, 24 * 3600),
    default=None,
    help="Wall-time budget for the whole plan, in seconds",
)
@click.option(
    "--max-visits",
    type=click.IntRange(10, 5000),
    default=None,
    help="Largest sub-problem, in visits",
)
@processes_option
@dask_option
@click.option("--json", "as_json", is_flag=True, help="Print the plan run as JSON")
def plan(
    day_text: str | None,
    area_codes: tuple[str, ...],
    budget: float | None,
    max_visits: int | None,
    processes: int | None,
    dask_address: str | None,
    as_json: bool,
) -> None:
    """Plan a day from the database, validate it and publish it."""
    from sqlmodel import Session
    from tqdm import tqdm

    from scheduler.partition import DEFAULT_MAX_VISITS
    from scheduler.pipeline import PlanFailed, PlanningOptions, plan_day
    from scheduler.visits import materialise_visits

    engine = _engine()
    day = _parse_day(day_text)
    with Session(engine) as session:
        area_ids = _area_ids(session, area_codes)
        created = materialise_visits(session, day, area_ids or None)
        session.commit()
    if created:
        click.echo(f"made {created} visits for {day.isoformat()} from care plans", err=as_json)
    bar = tqdm(total=0, unit="sub-problem", disable=as_json, file=sys.stderr)

    def progress(done: int, total: int, allocated: int) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix(allocated=allocated)
        bar.refresh()

    options = PlanningOptions(
        time_budget_seconds=budget or _settings().plan_seconds,
        max_visits=max_visits or DEFAULT_MAX_VISITS,
        processes=processes,
        dask_address=dask_address,
        progress=progress,
    )
    try:
        run = plan_day(engine, day, area_ids, options=options)
    except PlanFailed as error:
        raise click.ClickException(f"plan failed, nothing published: {error}") from None
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(run.model_dump(mode="json"), indent=2))
        return
    figures = run.figures
    click.echo(f"plan run {run.id} for {run.day.isoformat()}: {run.status.value}")
    click.echo(
        f"  visits {figures.get('visits')}  allocated {figures.get('allocated')}  "
        f"unallocated {figures.get('unallocated')}  "
        f"workers on duty {figures.get('workers_on_duty')}  "
        f"sub-problems {figures.get('sub_problems')}"
    )
    click.echo(
        f"  travel {figures.get('travel_hours')} h  contact {figures.get('contact_hours')} h  "
        f"travel share {figures.get('travel_share')}  wall {figures.get('wall_seconds')} s"
    )
    for reason, count in sorted(dict(figures.get("unallocated_by_reason", {})).items()):
        click.echo(f"  unallocated because {reason}: {count}")
    click.echo("  objective: " + ", ".join(f"{k} {v}" for k, v in sorted(run.objective.items())))


def _area_ids(session: object, area_codes: tuple[str, ...]) -> list[int]:
    """Ids of the areas named by code or id; a usage error names an unknown one."""
    from sqlmodel import Session, or_, select

    from scheduler.db.models import Area

    assert isinstance(session, Session)
    area_ids: list[int] = []
    for code in area_codes:
        area = session.exec(
            select(Area).where(
                or_(Area.code == code, Area.id == (int(code) if code.isdigit() else -1))
            )
        ).first()
        if area is None:
            raise click.BadParameter(f"no area {code!r}", param_hint="--area")
        area_ids.append(area.id or 0)
    return area_ids


@main.command("scheduler")
@click.option(
    "--at",
    "run_at",
    default="16:00",
    show_default=True,
    help="Daily planning time, Europe/London (HH:MM)",
)
@click.option("--once", is_flag=True, help="Run one catch-up pass and exit")
@click.option("--date", "day_text", default=None, help="With --once: plan this day only")
@click.option(
    "--time-budget",
    "budget",
    type=click.FloatRange(0.5, 24 * 3600),
    default=None,
    help="Wall-time budget per plan, in seconds",
)
@click.option("--processes", type=click.IntRange(1, 256), default=None)
@click.option("--lease-seconds", type=click.IntRange(1, 3600), default=120, show_default=True,
              help="How long a claim outlives a planner that stopped renewing it")
def scheduler_command(
    run_at: str,
    once: bool,
    day_text: str | None,
    budget: float | None,
    processes: int | None,
    lease_seconds: int,
) -> None:
    """The daily job: plan tomorrow for every area, exactly once; catch up after a miss."""
    from datetime import time as clock

    from scheduler.claims import process_owner
    from scheduler.job import JobSettings, catch_up, plan_day_once, run_scheduler
    from scheduler.logs import configure_logging
    from scheduler.pipeline import PlanningOptions

    try:
        at = clock.fromisoformat(run_at)
    except ValueError as error:
        raise click.BadParameter("use HH:MM", param_hint="--at") from error
    configure_logging(_settings().log_level)
    settings = JobSettings(
        run_at=at,
        lease=timedelta(seconds=lease_seconds),
        options=PlanningOptions(
            time_budget_seconds=budget or _settings().plan_seconds, processes=processes
        ),
    )
    engine = _engine()
    if not once:
        run_scheduler(engine, settings)
        return
    owner = process_owner()
    if day_text is not None:
        reports = [plan_day_once(engine, _parse_day(day_text), owner=owner, settings=settings)]
    else:
        reports = catch_up(engine, owner=owner, settings=settings)
    for report in reports:
        click.echo(str(report))


@main.command("week-plan")
@click.option(
    "--week",
    "day_text",
    default=None,
    help="YYYY-MM-DD, a day of the week to plan (default: next week)",
)
@click.option("--area", "area_codes", multiple=True, help="Area code or id (default: all)")
@click.option(
    "--seconds",
    type=click.FloatRange(0.5, 600),
    default=None,
    help="Solver seconds per sub-problem and solve (default 5)",
)
@processes_option
@dask_option
def week_plan_command(
    day_text: str | None,
    area_codes: tuple[str, ...],
    seconds: float | None,
    processes: int | None,
    dask_address: str | None,
) -> None:
    """Make a week's plans (teams and timetable) by routing, ahead of the week."""
    from sqlmodel import Session

    from scheduler.job import JobSettings, next_monday, plan_week_ahead
    from scheduler.pipeline import PlanningOptions
    from scheduler.week_job import ROUTED_SECONDS

    if day_text is None:
        today = date.today()
    else:
        try:
            day = date.fromisoformat(day_text)
        except ValueError as error:
            raise click.BadParameter("use YYYY-MM-DD", param_hint="--week") from error
        today = day - timedelta(days=day.weekday() + 7)  # the job run a week before
    engine = _engine()
    with Session(engine) as session:
        area_ids = _area_ids(session, area_codes)
    settings = JobSettings(
        options=PlanningOptions(processes=processes, dask_address=dask_address),
        week_plan_seconds=seconds or ROUTED_SECONDS,
    )
    made = plan_week_ahead(engine, settings, today=today, area_ids=area_ids or None)
    click.echo(f"week of {next_monday(today).isoformat()}: plans made for {made} areas")


@main.command("demo-users")
@click.option("--password", default="demo-password", show_default=True)
def demo_users(password: str) -> None:
    """Create one demo login for each role (idempotent) and print them."""
    from scheduler.demo import ensure_demo_users

    for line in ensure_demo_users(_engine(), password=password):
        click.echo(line)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the API and pages (development server; use gunicorn in production)."""
    from api import create_app

    app = create_app()
    app.run(host=host, port=port, debug=False, use_reloader=False)


@main.command()
@click.option(
    "--sample",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("data/sample"),
    show_default=True,
)
@click.option("--seconds", type=float, default=10.0, show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Load and plan only")
def demo(sample: Path, seconds: float, port: int, no_serve: bool) -> None:
    """Load the sample area into the database, plan tomorrow, print logins and serve."""
    from scheduler.demo import prepare_demo

    for line in prepare_demo(_engine(), sample, day=_tomorrow(), seconds=seconds):
        click.echo(line)
    if not no_serve:
        from api import create_app

        click.echo(f"serving at http://127.0.0.1:{port}")
        create_app().run(host="127.0.0.1", port=port, debug=False, use_reloader=False)


main.add_command(bench)

if __name__ == "__main__":
    main()
