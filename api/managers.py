"""Managers' API: capacity, training, continuity and pay reports, as JSON or CSV."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response
from pydantic import BaseModel

from api.auth import current_user
from api.contract import Contract, api_route, current_scope
from api.csvexport import csv_response
from api.database import get_session
from api.errors import ApiError
from api.schemas import (
    CapacityOut,
    CapacityQuery,
    CapacityRow,
    ComplianceRow,
    ContinuityOut,
    ContinuityRow,
    NextWeekRow,
    PayOut,
    PayRow,
    ReportQuery,
    SkillShortage,
    TrainingItem,
    TrainingQuery,
    TrainingReportOut,
)
from scheduler.audit import record
from scheduler.db.models import Role
from scheduler.services import reports
from scheduler.services.routes import LONDON
from scheduler.services.scope import Scope, report_area_ids

blueprint = Blueprint("managers", __name__, url_prefix="/api/v1/reports")
MANAGERS = (Role.MANAGER, Role.ADMIN)
CSV = ("text/csv",)


def columns(model: type[BaseModel]) -> list[str]:
    """The CSV columns of a row model, in order (aliases where a field has one)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def report_areas(scope: Scope, area: int | None, region: int | None) -> list[int]:
    """The areas in scope the report covers; 404 naming the parameter otherwise."""
    if area is not None and region is not None:
        raise ApiError(400, "give area or region, not both", "region")
    try:
        return report_area_ids(scope, area=area, region=region, session=get_session())
    except LookupError as error:
        name = str(error.args[0])
        raise ApiError(404, f"no {name} {area if name == 'area' else region}", name) from None


def date_range(first: date, last: date) -> None:
    """``to`` not before ``from`` and at most 62 days after it."""
    if last < first:
        raise ApiError(400, "to must not be before from", "to")
    if (last - first).days > reports.MAX_REPORT_DAYS:
        raise ApiError(400, f"to must be at most {reports.MAX_REPORT_DAYS} days after from", "to")


def audited(name: str, detail: dict[str, Any]) -> None:
    """Audit a report read and commit."""
    session = get_session()
    record(session, current_user(), "read", f"report_{name}", "", detail)
    session.commit()


def capacity(scope: Scope, query: CapacityQuery) -> dict[str, Any]:
    """The capacity report for a query (shared by the API and the dashboard)."""
    date_range(query.from_, query.to)
    ids = report_areas(scope, query.area, query.region)
    return reports.capacity_report(ids, query.from_, query.to, session=get_session())


@api_route(
    blueprint,
    "/capacity",
    Contract(
        "GET",
        "Demand against available hours by day and area",
        "managers",
        MANAGERS,
        query=CapacityQuery,
        response=CapacityOut,
        media=CSV,
        errors=(404,),
        description="Utilisation, travel share, unallocated visits, double-handed "
        "coverage, and the new care hours each area could take next week.",
    ),
)
def capacity_view(query: CapacityQuery) -> CapacityOut | Response:
    """JSON, or CSV of ``table`` (rows or next_week) with ``format=csv``."""
    body = capacity(current_scope(), query)
    audited("capacity", {"from": query.from_.isoformat(), "to": query.to.isoformat()})
    if query.format == "csv":
        model = CapacityRow if query.table == "rows" else NextWeekRow
        return csv_response(body[query.table], columns(model), f"capacity-{query.table}.csv")
    return CapacityOut.model_validate(body)


def training(scope: Scope, query: TrainingQuery) -> dict[str, Any]:
    """The training report for a query."""
    ids = report_areas(scope, query.area, query.region)
    today = datetime.now(LONDON).date()
    return reports.training_report(ids, today, query.within_days, session=get_session())


@api_route(
    blueprint,
    "/training",
    Contract(
        "GET",
        "Expired and expiring training, compliance, and skills short next month",
        "managers",
        MANAGERS,
        query=TrainingQuery,
        response=TrainingReportOut,
        media=CSV,
        errors=(404,),
    ),
)
def training_view(query: TrainingQuery) -> TrainingReportOut | Response:
    """JSON, or CSV of ``table`` (items, compliance or skills)."""
    body = training(current_scope(), query)
    audited("training", {"within_days": query.within_days})
    if query.format == "csv":
        tables: dict[str, type[BaseModel]] = {
            "items": TrainingItem,
            "compliance": ComplianceRow,
            "skills": SkillShortage,
        }
        model = tables[query.table]
        return csv_response(body[query.table], columns(model), f"training-{query.table}.csv")
    return TrainingReportOut.model_validate(body)


def continuity(scope: Scope, query: ReportQuery) -> dict[str, Any]:
    """The continuity report for a query."""
    date_range(query.from_, query.to)
    ids = report_areas(scope, query.area, query.region)
    return reports.continuity_report(ids, query.from_, query.to, session=get_session())


@api_route(
    blueprint,
    "/continuity",
    Contract(
        "GET",
        "Distinct carers per client per week",
        "managers",
        MANAGERS,
        query=ReportQuery,
        response=ContinuityOut,
        media=CSV,
        errors=(404,),
    ),
)
def continuity_view(query: ReportQuery) -> ContinuityOut | Response:
    """JSON, or CSV of the rows."""
    body = continuity(current_scope(), query)
    audited(
        "continuity",
        {
            "from": query.from_.isoformat(),
            "to": query.to.isoformat(),
            "clients": len({r["client_id"] for r in body["rows"]}),
        },
    )
    if query.format == "csv":
        return csv_response(body["rows"], columns(ContinuityRow), "continuity.csv")
    return ContinuityOut.model_validate(body)


def pay(scope: Scope, query: ReportQuery) -> dict[str, Any]:
    """The pay report for a query."""
    date_range(query.from_, query.to)
    ids = report_areas(scope, query.area, query.region)
    return reports.pay_report(ids, query.from_, query.to, session=get_session())


@api_route(
    blueprint,
    "/pay",
    Contract(
        "GET",
        "Effective hourly pay with travel and waiting, against the National Living Wage",
        "managers",
        MANAGERS,
        query=ReportQuery,
        response=PayOut,
        media=CSV,
        errors=(404,),
    ),
)
def pay_view(query: ReportQuery) -> PayOut | Response:
    """JSON, or CSV of the rows."""
    body = pay(current_scope(), query)
    audited("pay", {"from": query.from_.isoformat(), "to": query.to.isoformat()})
    if query.format == "csv":
        return csv_response(body["rows"], columns(PayRow), "pay.csv")
    return PayOut.model_validate(body)
