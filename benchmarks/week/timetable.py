"""How compact the week's rough timetable is: the teams' promised rounds, without any solver.

    python -m benchmarks.week.timetable              # the week benchmark's scenario
    python -m benchmarks.week.timetable --half-weight-km 0.5 1 2

Generates the week benchmark's scenario (150 workers, seed 3, the same days) into
a temporary database, makes the week's teams and timetable
(:func:`scheduler.teams.week_teams`, no published history) and prints, for each
``HALF_WEIGHT_KM`` asked for: visits promised, straight-line kilometres of the
promised rounds (home, the promised visits in time order, home; every day of the
week), kilometres per promised visit, Monday's travel seconds by the travel model
the day's planning uses, how many clients have teams of 0–3 carers, and what the
timetable alone would give the clients the week benchmark reports (at least two
visits every day): how many have every visit promised, and their median distinct
carers if the timetable were kept to the letter (the promised carers, plus one
for the visits without a promise: the fewest the day plans could give them).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from benchmarks.week.__main__ import MONDAY, demand
from scheduler import teams
from scheduler.db.engine import make_engine
from scheduler.db.migrate import upgrade
from scheduler.db.models import Area, Client, Visit, Worker
from scheduler.generate import generate_scenario
from scheduler.travel import Point, haversine_metres


@dataclass(frozen=True)
class Timetable:
    """The figures of one timetable (see the module docstring)."""

    promised: int
    km: float
    monday_seconds: int
    team_sizes: Counter[int]
    reported: int
    fully_promised: int
    median_if_kept: float


def if_kept(session: Session, promised: dict[int, tuple[int, int]]) -> tuple[int, int, float]:
    """Clients with at least two visits every day of the week (the week benchmark's
    :func:`~benchmarks.week.__main__.demand`), how many of them have every visit
    promised, and their median distinct carers if the timetable held."""
    week = [MONDAY + timedelta(days=n) for n in range(7)]
    wanted = demand(session, week)
    by_client: dict[int, list[Visit]] = defaultdict(list)
    for visit in session.exec(select(Visit).where(col(Visit.day).in_(week))).all():
        if wanted[visit.client_id] >= 2:
            by_client[visit.client_id].append(visit)
    carers = []
    full = 0
    for client_visits in by_client.values():
        team = {promised[v.id or 0][0] for v in client_visits if (v.id or 0) in promised}
        missing = any((v.id or 0) not in promised for v in client_visits)
        full += not missing
        carers.append(len(team) + missing)
    return len(carers), full, statistics.median(carers) if carers else 0.0


def measure(session: Session) -> Timetable:
    """The figures of the week's timetable in ``session``'s database."""
    areas = [a for a in session.exec(select(Area.id)).all() if a]
    plan = teams.week_teams(session, areas, MONDAY)
    workers = {w.id: w for w in session.exec(select(Worker)).all()}
    place: dict[int, tuple[date, Point]] = {}
    for visit, client in session.exec(
        select(Visit, Client).join(Client, col(Client.id) == Visit.client_id)
    ).all():
        place[visit.id or 0] = (visit.day, Point(client.latitude, client.longitude))
    rounds: dict[tuple[int, date], list[tuple[int, Point]]] = defaultdict(list)
    for visit_id, (worker_id, start) in plan.promised.items():
        day, where = place[visit_id]
        rounds[(worker_id, day)].append((start, where))
    metres, monday_seconds = 0.0, 0
    for (worker_id, day), stops in rounds.items():
        worker = workers[worker_id]
        home = Point(worker.home_latitude, worker.home_longitude)
        path = [home, *(where for _, where in sorted(stops, key=lambda s: s[0])), home]
        metres += sum(haversine_metres(a, b) for a, b in itertools.pairwise(path))
        if day == MONDAY:
            monday_seconds += sum(
                teams.TRAVEL.seconds(a, b, worker.transport_mode.value)
                for a, b in itertools.pairwise(path)
            )
    sizes = Counter(len(team) for team in plan.teams.values())
    reported, full, median = if_kept(session, plan.promised)
    return Timetable(len(plan.promised), metres / 1000, monday_seconds, sizes,
                     reported, full, median)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=150)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--warm-up-days", type=int, default=3)
    parser.add_argument("--half-weight-km", type=float, nargs="*",
                        default=[teams.HALF_WEIGHT_KM])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'timetable.db'}")
        upgrade(engine)
        generate_scenario(
            engine, workers=args.workers, seed=args.seed,
            first_day=MONDAY - timedelta(days=args.warm_up_days), days=7 + args.warm_up_days,
        )
        print("| half weight km | promised visits | km | km per visit | Monday travel s "
              "| teams of 0 / 1 / 2 / 3 | reported clients | every visit promised "
              "| median carers if kept |")
        print("|---:|---:|---:|---:|---:|---|---:|---:|---:|")
        for half in args.half_weight_km:
            teams.HALF_WEIGHT_KM = half
            with Session(engine) as session:
                t = measure(session)
            shown = " / ".join(str(t.team_sizes[n]) for n in range(teams.TEAM_SIZE + 1))
            print(f"| {half:g} | {t.promised} | {t.km:.0f} | {t.km / max(1, t.promised):.3f} "
                  f"| {t.monday_seconds} | {shown} | {t.reported} | {t.fully_promised} "
                  f"| {t.median_if_kept:g} |")

if __name__ == "__main__":
    main()
