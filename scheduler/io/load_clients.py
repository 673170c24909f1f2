"""Loaders for ``clients`` (with their preferred and declined carers) and ``care_plans``.

Clients are upserted by NHS number; when the file has a ``preferred_carers`` or
``declined_carers`` column, that list replaces the client's carers of that
kind. Care plans are upserted by ref.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from scheduler.db.models import (
    CarePlan,
    CarerPreferenceKind,
    Client,
    ClientCarerPreference,
    Skill,
)
from scheduler.io.errors import RowError
from scheduler.io.schemas import CarePlanRow, ClientRow
from scheduler.io.store import (
    AREA,
    CLIENT,
    SKILL,
    WORKER,
    Outcome,
    Refused,
    area_ids,
    chunked,
    no_such,
    upsert,
    worker_ids,
)
from scheduler.io.validation import Parsed

CARER_COLUMNS = {
    CarerPreferenceKind.PREFERRED: "preferred_carers",
    CarerPreferenceKind.DECLINED: "declined_carers",
}


def load_clients(session: Session, rows: Sequence[Parsed[ClientRow]], refused: Refused) -> Outcome:
    """Upsert clients by NHS number; each names a known area and known workers."""
    outcome = Outcome()
    areas = area_ids(session)
    workers = worker_ids(session)
    clients = {client.nhs_number: client for client in session.exec(select(Client))}
    accepted: list[tuple[Parsed[ClientRow], Client]] = []
    for parsed in rows:
        row = parsed.data
        problems = []
        if row.area_code not in areas:
            problems.append(no_such(parsed.row, "area_code", AREA, [row.area_code], areas, refused))
        for column in CARER_COLUMNS.values():
            unknown = [ref for ref in getattr(row, column) if ref not in workers]
            if unknown:
                problems.append(no_such(parsed.row, column, WORKER, unknown, workers, refused))
        if problems:
            outcome.errors.extend(problems)
            continue
        values = row.model_dump(exclude=set(CARER_COLUMNS.values()) | {"area_code"})
        values["area_id"] = areas[row.area_code]
        leave = row.absent()
        client = upsert(session, clients, row.nhs_number, Client, values, outcome, leave=leave)
        accepted.append((parsed, client))
    session.flush()
    outcome.errors.extend(_replace_carers(session, accepted, workers))
    return outcome


def _replace_carers(
    session: Session, accepted: list[tuple[Parsed[ClientRow], Client]], workers: dict[str, int]
) -> list[RowError]:
    """Set each client's preferred and declined carers from the columns the file has."""
    ids = [client.id for _, client in accepted if client.id is not None]
    current: dict[int, dict[int, ClientCarerPreference]] = {}
    for chunk in chunked(ids):
        statement = select(ClientCarerPreference).where(
            col(ClientCarerPreference.client_id).in_(chunk)
        )
        for preference in session.exec(statement):
            current.setdefault(preference.client_id, {})[preference.worker_id] = preference
    errors: list[RowError] = []
    for parsed, client in accepted:
        assert client.id is not None
        given = {k for k, column in CARER_COLUMNS.items() if column not in parsed.data.absent()}
        have = current.get(client.id, {})
        wanted = {w: p.kind for w, p in have.items() if p.kind not in given}
        for kind in given:
            column = CARER_COLUMNS[kind]
            for ref in getattr(parsed.data, column):
                kept = wanted.setdefault(workers[ref], kind)
                if kept != kind:
                    errors.append(
                        RowError(
                            parsed.row,
                            column,
                            f"{ref} is among this client's {kept.value} carers; "
                            f"to change that, give {CARER_COLUMNS[kept]} too",
                        )
                    )
        for worker_id, preference in have.items():
            if worker_id not in wanted:
                session.delete(preference)
            else:
                preference.kind = wanted[worker_id]
        for worker_id, kind in wanted.items():
            if worker_id not in have:
                session.add(
                    ClientCarerPreference(client_id=client.id, worker_id=worker_id, kind=kind)
                )
    return errors


def load_care_plans(
    session: Session, rows: Sequence[Parsed[CarePlanRow]], refused: Refused
) -> Outcome:
    """Upsert care plans by ref; each names a known client and known skills."""
    outcome = Outcome()
    clients = {
        nhs: id_
        for nhs, id_ in session.exec(select(Client.nhs_number, Client.id))
        if id_ is not None
    }
    skills = set(session.exec(select(Skill.code)))
    plans = {plan.ref: plan for plan in session.exec(select(CarePlan))}
    for parsed in rows:
        row = parsed.data
        problems = []
        if row.client_nhs_number not in clients:
            problems.append(
                no_such(
                    parsed.row, "client_nhs_number", CLIENT, [row.client_nhs_number], (), refused
                )
            )
        unknown = [code for code in row.required_skills if code not in skills]
        if unknown:
            problem = no_such(parsed.row, "required_skills", SKILL, unknown, skills, refused)
            reason = f"{problem.reason} (skills come from courses)"
            problems.append(RowError(problem.row, problem.column, reason))
        if problems:
            outcome.errors.extend(problems)
            continue
        values = row.model_dump(exclude={"client_nhs_number"})
        values["client_id"] = clients[row.client_nhs_number]
        upsert(session, plans, row.ref, CarePlan, values, outcome, leave=row.absent())
    return outcome
