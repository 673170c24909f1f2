"""`homecare export --date D --format bundle`: a planned day that can be checked without our code.

The sample area is imported and planned with the real solver through the real
command line, then exported as a bundle. The bundle is checked against
docs/bundle.schema.json and by :func:`independent_check`, written here from the
bundle alone: nothing from the solver, the validator or the travel module is
imported. Tampered bundles show that the check (and the schema) can fail.
"""

from __future__ import annotations

import copy
import json
import math
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from sqlalchemy.engine import Engine

from scheduler.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SCHEMA = json.loads((ROOT / "docs" / "bundle.schema.json").read_text(encoding="utf-8"))
DAY = "2026-11-24"

Bundle = dict[str, Any]


def _run(database_url: str, *args: str) -> Result:
    """Run the ``homecare`` command on this database (stdout and stderr kept apart)."""
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": database_url})


def planned_bundle(database_url: str) -> Bundle:
    """Import the sample, plan DAY with the real solver, export the bundle: all via the CLI."""
    imported = _run(database_url, "import", str(SAMPLE))
    assert imported.exit_code == 0, imported.output
    planned = _run(database_url, "plan", "--date", DAY, "--time-budget", "1", "--processes", "1")
    assert planned.exit_code == 0, planned.output
    assert f"for {DAY}: published" in planned.stdout
    exported = _run(database_url, "export", "--date", DAY, "--format", "bundle")
    assert exported.exit_code == 0, exported.output
    bundle: Bundle = json.loads(exported.stdout)
    return bundle


# --------------------------------------------------------------------------- the independent check


def travel_seconds(travel: Bundle, a: Bundle, b: Bundle, mode: str) -> int:
    """The bundle's travel function, from its parameters: haversine × road factor ÷ speed."""
    if a == b:
        return 0
    p = travel["modes"][mode]
    lat1, lat2 = math.radians(a["latitude"]), math.radians(b["latitude"])
    dlat = lat2 - lat1
    dlon = math.radians(b["longitude"] - a["longitude"])
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    great_circle = 2 * travel["earth_radius_metres"] * math.asin(min(1.0, math.sqrt(h)))
    metres = great_circle * p["road_factor"]
    return math.ceil(metres / (p["speed_kmh"] / 3.6)) + p["overhead_seconds"]


def independent_check(bundle: Bundle) -> list[str]:
    """Every breach found from the bundle alone, as ``rule: detail`` lines."""
    at = datetime.fromisoformat
    found: list[str] = []
    visits = {v["id"]: v for v in bundle["visits"]}
    workers = {w["id"]: w for w in bundle["workers"]}
    rules, travel = bundle["rules"], bundle["travel"]
    carers: dict[int, list[Bundle]] = defaultdict(list)
    routes: dict[int, list[Bundle]] = defaultdict(list)
    for a in bundle["assignments"]:
        visit, worker = visits.get(a["visit_id"]), workers.get(a["worker_id"])
        if visit is None or worker is None:
            found.append(f"unknown: assignment {a} names a visit or worker not in the bundle")
            continue
        carers[visit["id"]].append(a)
        routes[worker["id"]].append(a)
        start, end = at(a["start"]), at(a["end"])
        if not at(visit["earliest_start"]) <= start <= at(visit["latest_start"]):
            found.append(f"window: visit {visit['id']} starts at {a['start']}")
        if end - start != timedelta(minutes=visit["duration_minutes"]):
            found.append(f"duration: visit {visit['id']} lasts {end - start}")
        missing = set(visit["required_skills"]) - set(worker["skills"])
        if missing:
            found.append(f"skills: worker {worker['id']} lacks {sorted(missing)}")
        if not any(at(s["start"]) <= start and end <= at(s["end"]) for s in worker["shifts"]):
            found.append(f"shift: visit {visit['id']} is outside worker {worker['id']}'s shifts")
        if worker["id"] in visit["declined_worker_ids"]:
            found.append(f"declined: worker {worker['id']} sent to visit {visit['id']}")
        off = abs((start - at(visit["preferred_start"])).total_seconds())
        if visit["time_critical"] and off > rules["time_critical_tolerance_seconds"]:
            found.append(f"time_critical: visit {visit['id']} starts {off} s from its time")
    unallocated = [u["visit_id"] for u in bundle["unallocated"]]
    for visit_id, visit in visits.items():
        rows = carers.get(visit_id, [])
        distinct = {a["worker_id"] for a in rows}
        if rows and visit_id in unallocated:
            found.append(f"accounted: visit {visit_id} is both assigned and unallocated")
        if not rows and visit_id not in unallocated:
            found.append(f"accounted: visit {visit_id} is neither assigned nor unallocated")
        if rows and (len(distinct) != len(rows) or len(distinct) != visit["carers_required"]):
            found.append(f"carers_required: visit {visit_id} has carers {sorted(distinct)}")
        starts = [at(a["start"]) for a in rows]
        if starts and (max(starts) - min(starts)).total_seconds() > rules[
            "double_handed_sync_tolerance_seconds"
        ]:
            found.append(f"sync: the carers of visit {visit_id} start apart")
    for worker_id, stops in routes.items():
        worker = workers[worker_id]
        stops.sort(key=lambda a: a["sequence"])
        if [at(a["start"]) for a in stops] != sorted(at(a["start"]) for a in stops):
            found.append(f"sequence: worker {worker_id}'s stops are not in time order")
        place, previous_end = worker["home"], None
        for a in stops:
            location = visits[a["visit_id"]]["location"]
            expected = travel_seconds(travel, place, location, worker["transport_mode"])
            if a["travel_seconds"] != expected:
                found.append(
                    f"travel: to visit {a['visit_id']} is {a['travel_seconds']} s, "
                    f"recomputed {expected} s"
                )
            if previous_end is not None:
                if at(a["start"]) < previous_end:
                    found.append(f"overlap: visit {a['visit_id']} of worker {worker_id}")
                elif at(a["start"]) < previous_end + timedelta(seconds=expected):
                    found.append(f"reach: no time to travel to visit {a['visit_id']}")
            place, previous_end = location, at(a["end"])
    return found


def rules_of(found: list[str]) -> set[str]:
    return {line.split(":", 1)[0] for line in found}


# --------------------------------------------------------------------------- tamperings


def _moved(instant: str, seconds: int) -> str:
    return (datetime.fromisoformat(instant) + timedelta(seconds=seconds)).isoformat()


def _first(bundle: Bundle, test: Callable[[Bundle, Bundle], bool]) -> Bundle:
    """The first assignment whose (assignment, visit) passes ``test``."""
    visits = {v["id"]: v for v in bundle["visits"]}
    return next(a for a in bundle["assignments"] if test(a, visits[a["visit_id"]]))


def _worker(bundle: Bundle, worker_id: int) -> Bundle:
    return next(w for w in bundle["workers"] if w["id"] == worker_id)


def start_after_window(bundle: Bundle) -> None:
    visits = {v["id"]: v for v in bundle["visits"]}
    a = bundle["assignments"][0]
    late = datetime.fromisoformat(visits[a["visit_id"]]["latest_start"]) + timedelta(minutes=1)
    shift = int((late - datetime.fromisoformat(a["start"])).total_seconds())
    a["start"], a["end"] = _moved(a["start"], shift), _moved(a["end"], shift)


def skill_expired(bundle: Bundle) -> None:
    a = _first(bundle, lambda a, v: bool(v["required_skills"]))
    visit = next(v for v in bundle["visits"] if v["id"] == a["visit_id"])
    _worker(bundle, a["worker_id"])["skills"].remove(visit["required_skills"][0])


def travel_figure_off(bundle: Bundle) -> None:
    bundle["assignments"][0]["travel_seconds"] += 1


def slower_cars(bundle: Bundle) -> None:
    bundle["travel"]["modes"]["car"]["speed_kmh"] = 25.0


def declined_carer(bundle: Bundle) -> None:
    a = bundle["assignments"][0]
    visit = next(v for v in bundle["visits"] if v["id"] == a["visit_id"])
    visit["declined_worker_ids"].append(a["worker_id"])


def double_up_with_one(bundle: Bundle) -> None:
    a = _first(bundle, lambda a, v: v["carers_required"] == 2)
    bundle["assignments"].remove(a)


def shift_cut_short(bundle: Bundle) -> None:
    a = bundle["assignments"][0]
    at = datetime.fromisoformat
    for s in _worker(bundle, a["worker_id"])["shifts"]:
        if at(s["start"]) <= at(a["start"]) < at(s["end"]):
            s["end"] = a["start"]


def stops_overlap(bundle: Bundle) -> None:
    stops: dict[int, int] = defaultdict(int)
    for a in bundle["assignments"]:
        stops[a["worker_id"]] += 1
    worker_id = next(w for w, count in stops.items() if count >= 2)
    first, second = sorted(
        (a for a in bundle["assignments"] if a["worker_id"] == worker_id),
        key=lambda a: a["sequence"],
    )[:2]
    moved = int(
        (datetime.fromisoformat(first["end"]) - datetime.fromisoformat(second["start"]))
        .total_seconds()
    ) - 60
    second["start"], second["end"] = _moved(second["start"], moved), _moved(second["end"], moved)


TAMPERINGS: dict[str, tuple[Callable[[Bundle], None], str]] = {
    "a start a minute after its window": (start_after_window, "window"),
    "a required skill gone from the worker": (skill_expired, "skills"),
    "a travel figure one second out": (travel_figure_off, "travel"),
    "the bundle's car speed changed": (slower_cars, "travel"),
    "the assigned carer declined by the client": (declined_carer, "declined"),
    "a double-handed visit with one carer": (double_up_with_one, "carers_required"),
    "the worker's shift ending at the visit's start": (shift_cut_short, "shift"),
    "a stop starting before the previous one ends": (stops_overlap, "overlap"),
}


# --------------------------------------------------------------------------- tests


def test_the_exported_day_passes_the_schema_and_an_independent_check(database_url: str) -> None:
    """A real planned day, exported through the CLI, checks out from the bundle alone."""
    bundle = planned_bundle(database_url)
    jsonschema.Draft202012Validator(SCHEMA).validate(bundle)
    assert bundle["date"] == DAY
    assert independent_check(bundle) == []
    visits = {v["id"]: v for v in bundle["visits"]}
    assigned = [visits[a["visit_id"]] for a in bundle["assignments"]]
    workers = {w["id"]: w for w in bundle["workers"]}
    # The rules above were exercised, not passed vacuously.
    assert len(bundle["assignments"]) > 50
    assert any(v["carers_required"] == 2 for v in assigned), "double-handed visits"
    assert any(v["required_skills"] for v in assigned), "required skills"
    assert any(v["declined_worker_ids"] for v in assigned), "declined carers"
    assert any(v["time_critical"] for v in assigned), "time-critical visits"
    assert any(len(w["shifts"]) == 2 for w in workers.values()), "split shifts"
    modes = {workers[a["worker_id"]]["transport_mode"] for a in bundle["assignments"]}
    assert len(modes) >= 2, "travel by more than one mode"
    assert sum(a["travel_seconds"] > 0 for a in bundle["assignments"]) > 20
    assert all(w["speed_kmh"] == bundle["travel"]["modes"][w["transport_mode"]]["speed_kmh"]
               for w in workers.values())
    assert {a["visit_id"] for a in bundle["assignments"]} | {
        u["visit_id"] for u in bundle["unallocated"]
    } == set(visits)


def test_a_tampered_bundle_is_caught(database_url: str) -> None:
    """Each tampering of a real bundle is reported by the rule it breaks; so is a bad time."""
    bundle = planned_bundle(database_url)
    assert independent_check(bundle) == []
    for name, (tamper, rule) in TAMPERINGS.items():
        tampered = copy.deepcopy(bundle)
        tamper(tampered)
        assert tampered != bundle, name
        found = independent_check(tampered)
        assert rule in rules_of(found), f"{name}: expected {rule!r}, found {found}"
    naive = copy.deepcopy(bundle)
    naive["assignments"][0]["start"] = naive["assignments"][0]["start"][:19]
    with pytest.raises(jsonschema.ValidationError, match="does not match"):
        jsonschema.Draft202012Validator(SCHEMA).validate(naive)


def test_a_day_with_no_published_rota_is_refused(engine: Engine, database_url: str) -> None:
    """Nothing published that day: a non-zero exit that says why, and nothing on stdout."""
    result = _run(database_url, "export", "--date", "2026-11-25", "--format", "bundle")
    assert result.exit_code == 1
    assert "no published rota for 2026-11-25" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-13-01"], "'2026-13-01' is not a date (YYYY-MM-DD)"),
        (["--date", "24/11/2026"], "'24/11/2026' is not a date (YYYY-MM-DD)"),
        ([], "--format bundle needs --date YYYY-MM-DD"),
        (["--date", DAY, "workers"], "--format bundle takes --date, not a KIND or --dataset"),
    ],
)
def test_a_malformed_bundle_request_is_refused(
    tmp_path: Path, args: list[str], message: str
) -> None:
    """A bad date or a missing one is a usage error naming the reason, before any database."""
    url = f"sqlite:///{tmp_path / 'never-made.db'}"
    result = _run(url, "export", "--format", "bundle", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "never-made.db").exists()


def test_date_goes_only_with_the_bundle_format(tmp_path: Path) -> None:
    """`--date` with a CSV export is refused rather than silently ignored."""
    result = _run(f"sqlite:///{tmp_path / 'h.db'}", "export", "workers", "--date", DAY)
    assert result.exit_code == 2
    assert "--date goes with --format bundle" in result.stderr


def test_the_bundle_follows_the_published_rota_after_a_replan(database_url: str) -> None:
    """A re-plan supersedes the first run: the bundle holds the new run alone, area by area."""
    first = planned_bundle(database_url)
    replanned = _run(database_url, "plan", "--date", DAY, "--time-budget", "1", "--processes", "1")
    assert replanned.exit_code == 0, replanned.output
    exported = _run(database_url, "export", "--date", DAY, "--format", "bundle", "--area", "1")
    assert exported.exit_code == 0, exported.output
    second = json.loads(exported.stdout)
    assert [p["plan_run_id"] for p in first["published"]] == [1]
    published = [
        (p["area_id"], p["plan_run_id"], p["plan_run_status"]) for p in second["published"]
    ]
    assert published == [(1, 2, "published")]
    assert independent_check(second) == []
    unknown = _run(database_url, "export", "--date", DAY, "--format", "bundle", "--area", "99")
    assert unknown.exit_code == 1
    assert f"no published rota for {DAY} in area(s) 99" in unknown.stderr


def test_plan_json_is_json_even_when_it_makes_the_day_s_visits(database_url: str) -> None:
    """`homecare plan --json` says "made N visits" on stderr, so stdout parses as JSON."""
    imported = _run(database_url, "import", str(SAMPLE))
    assert imported.exit_code == 0, imported.output
    planned = _run(
        database_url, "plan", "--date", DAY, "--time-budget", "1", "--processes", "1", "--json"
    )
    assert planned.exit_code == 0, planned.output
    assert f"made 145 visits for {DAY}" in planned.stderr
    run = json.loads(planned.stdout)
    assert run["status"] == "published" and run["figures"]["visits"] == 145
