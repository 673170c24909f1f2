"""The pages people use: sign in and out, a worker's route (phone first, readable
offline), the coordinator's rota board and the manager's dashboard.

Pages are small and server-rendered, with no external assets. They sign in with
a session cookie (Secure, HttpOnly, SameSite=Lax) holding an opaque token that
is stored, like API tokens, only as a digest: signing out revokes it. Every
form carries a CSRF token (:mod:`api.csrf`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from pydantic import ValidationError

from api.auth import ThrottledError, sign_in
from api.contract import current_scope, validation_error
from api.csvexport import csv_response
from api.database import get_session
from api.errors import ApiError
from api.managers import capacity, columns, continuity, pay, training
from api.schemas import (
    CapacityQuery,
    CapacityRow,
    ContinuityRow,
    PayRow,
    ReportQuery,
    TrainingItem,
    TrainingQuery,
)
from scheduler.accounts import issue_token, revoke_token, user_for_token
from scheduler.audit import record
from scheduler.db.models import CheckKind, Role, UserAccount, Worker
from scheduler.services.attendance import CheckInput, CheckRefused, record_check
from scheduler.services.board import board
from scheduler.services.records import worker_in_scope
from scheduler.services.routes import LONDON, london, mark_seen, worker_route
from scheduler.services.scope import visible_areas

blueprint = Blueprint("pages", __name__)
F = TypeVar("F", bound=Callable[..., Any])
HOME = {
    Role.WORKER: "pages.my_route",
    Role.COORDINATOR: "pages.rota_board",
    Role.MANAGER: "pages.dashboard",
    Role.ADMIN: "pages.dashboard",
}


def today() -> date:
    """Today in Europe/London."""
    return datetime.now(LONDON).date()


@blueprint.app_template_filter("hhmm")
def hhmm(value: datetime | None) -> str:
    """An instant as Europe/London HH:MM."""
    return london(value).strftime("%H:%M") if value else ""


@blueprint.app_template_filter("longdate")
def longdate(value: date) -> str:
    """A date as people write it: Tuesday 24 November 2026."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def page_day(name: str = "date") -> date:
    """The ``?date=`` of a page (today when absent); 400 naming the field when wrong."""
    from api.schemas import DayQuery

    text = request.args.get(name)
    if not text:
        return today()
    try:
        return DayQuery.model_validate({"date": text}).date
    except ValidationError as error:
        raise validation_error(error) from None


def signed_in() -> UserAccount | None:
    """The account of the session cookie, if its token is still live."""
    token = session.get("token")
    if not isinstance(token, str):
        return None
    user = user_for_token(get_session(), token)
    if user is None:
        session.pop("token", None)
    return user


def page_login_required(*roles: Role) -> Callable[[F], F]:
    """Send people who are not signed in to the sign-in page; refuse other roles (403)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = signed_in()
            if user is None:
                return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
            if user.role not in roles:
                raise ApiError(403, "your role does not allow this page")
            g.user = user
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def safe_next(target: str | None) -> str | None:
    """A local path to go to after signing in (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@blueprint.get("/")
def index() -> Any:
    """Each role's home page, or the sign-in page."""
    user = signed_in()
    if user is None:
        return redirect(url_for("pages.login"))
    return redirect(url_for(HOME[user.role]))


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign in with a username and password (slowed, then refused, after failures)."""
    error = None
    status = 200
    headers: dict[str, str] = {}
    if request.method == "POST":
        username = request.form.get("username", "")[:80]
        password = request.form.get("password", "")[:200]
        if not username or not password or "\x00" in username + password:
            error, status = "Enter your username and password.", 400
        else:
            try:
                user = sign_in(username, password)
            except ThrottledError as throttled:
                error, status = (
                    f"Too many failed attempts. Try again in {throttled.retry_after} seconds.",
                    429,
                )
                headers["Retry-After"] = str(throttled.retry_after)
            except ApiError:
                error, status = "Unknown username or wrong password.", 401
            else:
                db = get_session()
                token, _ = issue_token(db, user)
                record(db, user, "login", "session", "", {})
                db.commit()
                session.clear()
                session.permanent = True
                session["token"] = token
                return redirect(safe_next(request.args.get("next")) or url_for(HOME[user.role]))
    return render_template("login.html", error=error), status, headers


@blueprint.post("/logout")
def logout() -> Any:
    """Revoke the session's token and forget the session."""
    token = session.get("token")
    if isinstance(token, str):
        db = get_session()
        user = signed_in()
        revoke_token(db, token)
        if user is not None:
            record(db, user, "logout", "session", "", {})
        db.commit()
    session.clear()
    return redirect(url_for("pages.login", signed_out=1))


def route_page(worker: Worker, day: date, *, own: bool) -> str:
    """The route page of a worker on a day (audited)."""
    db = get_session()
    route = worker_route(worker, day, session=db)
    if own:
        mark_seen(worker.id or 0, day, route["stops"], session=db, previous=route["seen_stops"])
    record(db, g.user, "read", "route", f"{worker.id}:{day.isoformat()}", {"page": True})
    db.commit()
    return render_template(
        "route.html",
        route=route,
        day=day,
        own=own,
        today=today(),
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )


@blueprint.get("/me")
@page_login_required(Role.WORKER)
def my_route() -> str:
    """The signed-in worker's route (today unless ``?date=``)."""
    worker = get_session().get(Worker, g.user.worker_id) if g.user.worker_id else None
    if worker is None:
        raise ApiError(404, "this account has no worker record")
    return route_page(worker, page_day(), own=True)


@blueprint.get("/workers/<int:worker_id>/route")
@page_login_required(Role.WORKER, Role.COORDINATOR, Role.MANAGER, Role.ADMIN)
def worker_route_page(worker_id: int) -> str:
    """A worker's route: coordinators see their areas' workers; a worker only themself."""
    worker = worker_in_scope(worker_id, current_scope(), session=get_session())
    if worker is None:
        raise ApiError(404, f"no worker {worker_id}")
    return route_page(worker, page_day(), own=worker.id == g.user.worker_id)


@blueprint.post("/me/visits/<int:visit_id>/<any('check-in', 'check-out'):action>")
@page_login_required(Role.WORKER)
def check_page(visit_id: int, action: str) -> Any:
    """Check in or out from the route page (location when the phone gave one)."""

    def number(name: str, low: float, high: float) -> float | None:
        text = request.form.get(name, "").strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise ApiError(400, f"{name} must be a number", name) from None
        if not low <= value <= high:
            raise ApiError(400, f"{name} must be between {low} and {high}", name)
        return value

    given = CheckInput(
        latitude=number("latitude", -90, 90),
        longitude=number("longitude", -180, 180),
        accuracy_metres=number("accuracy", 0, 100_000),
    )
    kind = CheckKind.CHECK_IN if action == "check-in" else CheckKind.CHECK_OUT
    db = get_session()
    try:
        made = record_check(g.user.worker_id or 0, visit_id, kind, given, session=db)
    except LookupError:
        db.rollback()
        raise ApiError(404, f"no visit {visit_id} on your route") from None
    except CheckRefused as refused:
        db.rollback()
        raise ApiError(409 if refused.conflict else 400, str(refused), refused.field) from None
    record(
        db, g.user, "create", kind.value, str(visit_id), {"at": made.at.isoformat(), "page": True}
    )
    db.commit()
    day = request.form.get("date", "")
    return redirect(url_for("pages.my_route", date=day or None) + f"#visit-{visit_id}")


@blueprint.get("/board")
@page_login_required(Role.COORDINATOR, Role.MANAGER, Role.ADMIN)
def rota_board() -> str:
    """The rota board of an area and day: workers as rows along the day, unallocated beside."""
    db = get_session()
    areas = visible_areas(current_scope(), session=db)
    if not areas:
        raise ApiError(404, "you have no areas")
    text = request.args.get("area", "")
    area = areas[0]
    if text:
        chosen = [a for a in areas if str(a.id) == text]
        if not chosen:
            raise ApiError(404, f"no area {text[:20]}", "area")
        area = chosen[0]
    day = page_day()
    data = board(area.id or 0, day, session=db)
    record(db, g.user, "read", "board", f"{area.id}:{day.isoformat()}", {"page": True})
    db.commit()
    hours = list(range(data["first_hour"], data["last_hour"]))
    span = max(1, (data["last_hour"] - data["first_hour"]) * 60)
    return render_template(
        "board.html",
        board=data,
        area=area,
        areas=areas,
        day=day,
        hours=hours,
        origin=data["first_hour"] * 60,
        span=span,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )


REPORT_CSV: dict[str, tuple[Callable[..., dict[str, Any]], type, str, Any]] = {
    "capacity": (capacity, CapacityQuery, "rows", CapacityRow),
    "training": (training, TrainingQuery, "items", TrainingItem),
    "continuity": (continuity, ReportQuery, "rows", ContinuityRow),
    "pay": (pay, ReportQuery, "rows", PayRow),
}


def dashboard_query() -> dict[str, Any]:
    """The dashboard's period (default: this week and the next three) and area filter."""
    first = (
        page_day("from")
        if request.args.get("from")
        else today() - timedelta(days=today().weekday())
    )
    last = page_day("to") if request.args.get("to") else first + timedelta(days=27)
    query: dict[str, Any] = {"from": first.isoformat(), "to": last.isoformat()}
    for name in ("area", "region"):
        if request.args.get(name):
            query[name] = request.args[name]
    return query


def parse(model: type, data: dict[str, Any]) -> Any:
    """``data`` as ``model``, or a 400 naming the field."""
    try:
        return model.model_validate(data)  # type: ignore[attr-defined]
    except ValidationError as error:
        raise validation_error(error) from None


@blueprint.get("/dashboard")
@page_login_required(Role.MANAGER, Role.ADMIN)
def dashboard() -> str:
    """Charts of capacity, training, continuity and pay, with a CSV link for each."""
    query = dashboard_query()
    scope = current_scope()
    db = get_session()
    cap = capacity(scope, parse(CapacityQuery, query))
    train = training(
        scope, parse(TrainingQuery, {k: v for k, v in query.items() if k in ("area", "region")})
    )
    cont = continuity(scope, parse(ReportQuery, query))
    wages = pay(scope, parse(ReportQuery, query))
    record(db, g.user, "read", "dashboard", "", {"from": query["from"], "to": query["to"]})
    db.commit()
    by_day: dict[str, dict[str, float]] = {}
    for row in cap["rows"]:
        day = row["date"].isoformat()
        totals = by_day.setdefault(day, {"demand": 0.0, "available": 0.0})
        totals["demand"] += row["demand_hours"]
        totals["available"] += row["available_hours"]
    chart = {
        "capacity": {
            "labels": list(by_day),
            "demand": [round(v["demand"], 2) for v in by_day.values()],
            "available": [round(v["available"], 2) for v in by_day.values()],
        },
        "compliance": {
            "labels": [f"{r['area_code']} {r['course_code']}" for r in train["compliance"]][:40],
            "values": [round((r["compliance"] or 0) * 100, 1) for r in train["compliance"]][:40],
        },
        "continuity": _histogram([r["distinct_carers"] for r in cont["rows"]]),
        "pay": {
            "labels": [r["worker_name"] for r in wages["rows"]][:40],
            "values": [r["effective_hourly_pence"] / 100 for r in wages["rows"]][:40],
            "minimum": [r["national_living_wage_pence"] / 100 for r in wages["rows"]][:40],
        },
    }
    return render_template(
        "dashboard.html",
        capacity=cap,
        training=train,
        continuity=cont,
        pay=wages,
        chart=chart,
        query=query,
        areas=visible_areas(scope, session=db),
    )


def _histogram(values: list[int]) -> dict[str, list[Any]]:
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    keys = sorted(counts)
    return {"labels": [str(k) for k in keys], "values": [counts[k] for k in keys]}


@blueprint.get("/dashboard/<any(capacity, training, continuity, pay):report>.csv")
@page_login_required(Role.MANAGER, Role.ADMIN)
def dashboard_csv(report: str) -> Response:
    """One report as CSV, for the dashboard's download links."""
    build, model, table, row_model = REPORT_CSV[report]
    query = dashboard_query()
    if report == "training":
        query = {k: v for k, v in query.items() if k in ("area", "region")}
    body = build(current_scope(), parse(model, query))
    db = get_session()
    record(db, g.user, "read", f"report_{report}", "", {"csv": True})
    db.commit()
    return csv_response(body[table], columns(row_model), f"{report}.csv")


@blueprint.get("/sw.js")
def service_worker() -> Response:
    """The service worker that keeps the route page readable offline (scope: the site)."""
    response = send_from_directory(
        current_app.root_path + "/static", "sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Service-Worker-Allowed"] = "/"
    return response
