"""Pages: sign in and out with a session cookie, CSRF, throttling, and each role's page."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.db.engine import session_scope
from scheduler.db.models import ApiToken, LoginAttempt
from scheduler.db.types import utc_now
from scheduler.services.login_throttle import record_attempt, seconds_until_allowed
from tests.api.world import DAY, PASSWORD, World


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD, next_url: str = ""):  # type: ignore[no-untyped-def]
    """Sign in through the form, as a browser would."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    target = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(
        target, data={"username": username, "password": password, "csrf_token": token}
    )


def test_session_cookie_is_secure_httponly_and_samesite(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Signing in sets a Secure, HttpOnly, SameSite=Lax cookie and lands on the role's page."""
    response = sign_in(client, "alice")
    assert response.status_code == 302 and response.headers["Location"].endswith("/me")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_forms_without_the_csrf_token_are_refused(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """A sign-in or sign-out without the session's token is refused, and nothing happens."""
    client.get("/login")
    forged = client.post(
        "/login", data={"username": "alice", "password": PASSWORD, "csrf_token": "guess"}
    )
    assert forged.status_code == 400 and forged.get_json()["field"] == "csrf_token"
    sign_in(client, "alice")
    assert client.post("/logout").status_code == 400
    assert client.get("/me").status_code == 200
    other_site = client.post(
        "/logout", data={"csrf_token": "x"}, headers={"Origin": "https://evil.example"}
    )
    assert other_site.status_code == 403


def test_sign_out_revokes_the_session(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """After signing out, the route page sends the person back to sign in."""
    sign_in(client, "alice")
    page = client.get("/me")
    assert page.status_code == 200
    out = client.post("/logout", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert out.status_code == 302
    again = client.get("/me")
    assert again.status_code == 302 and "/login" in again.headers["Location"]
    with session_scope(engine) as session:
        assert any(t.revoked_at is not None for t in session.exec(select(ApiToken)).all())


def test_failed_sign_ins_are_slowed_then_refused(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """After three failures the next try must wait; after ten the username is refused."""
    for _ in range(3):
        assert (
            client.post(
                "/api/v1/auth/token", json={"username": "alice", "password": "wrong"}
            ).status_code
            == 401
        )
    slowed = client.post("/api/v1/auth/token", json={"username": "alice", "password": PASSWORD})
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) >= 1
    with session_scope(engine) as session:
        now = utc_now()
        for minutes in range(10):
            record_attempt(
                "alice", "10.0.0.9", False, session=session, now=now - timedelta(minutes=minutes)
            )
    with session_scope(engine) as session:
        wait = seconds_until_allowed("alice", "127.0.0.1", session=session)
        assert wait > 60 * 5
        assert seconds_until_allowed("dan", "127.0.0.1", session=session) == 0
    page = sign_in(client, "alice")
    assert page.status_code == 429 and "Try again" in page.get_data(as_text=True)


def test_throttle_is_shared_through_the_database(world: World, engine: Engine) -> None:
    """Attempts recorded by one process (here: another session) count for every other one."""
    with session_scope(engine) as first:
        for _ in range(4):
            record_attempt("dan", "192.0.2.1", False, session=first)
    with session_scope(engine) as second:
        assert seconds_until_allowed("dan", "192.0.2.2", session=second) > 0
        assert len(second.exec(select(LoginAttempt)).all()) == 4
    with session_scope(engine) as third:
        record_attempt("dan", "192.0.2.1", True, session=third)
    with session_scope(engine) as fourth:
        assert seconds_until_allowed("dan", "192.0.2.2", session=fourth) == 0


def test_worker_route_page_is_small_and_has_navigation_links(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """The /me page lists Alice's stops with directions, no external assets, in London time."""
    sign_in(client, "alice")
    page = client.get(f"/me?date={DAY}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index("Edith Client") < html.index("Frank Client")
    assert "geo:53.800000,-1.550000" in html and "Key safe 1234" in html
    assert "08:00–08:30" in html and "With:</strong> Bob Carer" in html
    assert not re.search(r'(src|href)="(https?:)?//(?!www\.google\.com/maps)', html)
    assert len(page.data) < 30_000
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.get("/sw.js").status_code == 200


def test_another_workers_route_page_is_not_found(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Alice asking for Dan's route page gets 404, like a worker that does not exist."""
    sign_in(client, "alice")
    assert client.get(f"/workers/{world.workers['Dan']}/route?date={DAY}").status_code == 404
    assert client.get(f"/workers/{world.workers['Alice']}/route?date={DAY}").status_code == 200
    assert client.get("/board").status_code == 403


def test_coordinator_board_and_manager_dashboard(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """The board shows Leeds' workers and the unallocated lunch visit; the dashboard its charts."""
    sign_in(client, "coordinator")
    board = client.get(f"/board?date={DAY}").get_data(as_text=True)
    assert "Alice Carer" in board and "Bob Carer" in board and "Dan Carer" not in board
    assert "no worker is available 12:00–13:00" in board
    assert client.get(f"/board?area={world.areas['BTH']}").status_code == 404
    assert client.get("/dashboard").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(board)})
    sign_in(client, "manager")
    dashboard = client.get(f"/dashboard?from={DAY}&to={DAY}")
    html = dashboard.get_data(as_text=True)
    assert (
        dashboard.status_code == 200
        and 'id="chart-capacity"' in html
        and "vendor/chart.umd.min.js" in html
    )
    csv = client.get(f"/dashboard/pay.csv?from={DAY}&to={DAY}")
    assert (
        csv.status_code == 200
        and csv.mimetype == "text/csv"
        and "Alice Carer" in csv.get_data(as_text=True)
    )
    assert client.get("/static/vendor/chart.umd.min.js").status_code == 200


def test_sign_in_goes_only_to_local_pages(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """A ?next= pointing at another site is ignored."""
    response = sign_in(client, "alice", next_url="//evil.example/")
    assert response.headers["Location"].endswith("/me")


def test_docs_page_and_openapi_document(client) -> None:  # type: ignore[no-untyped-def]
    """The OpenAPI 3 document is served and the docs page lists every operation."""
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/me/route" in document["paths"]
    stop = document["components"]["schemas"]["Stop"]
    assert {"start", "end", "client", "navigation", "flag"} <= set(stop["properties"])
    html = client.get("/api/v1/docs").get_data(as_text=True)
    count = sum(len(methods) for methods in document["paths"].values())
    assert html.count('class="op"') == count


def test_worker_checks_in_from_the_route_page(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """The page's check-in form (with its CSRF token) records the check with the location."""
    from scheduler.db.models import Assignment, VisitCheck
    from scheduler.services.routes import LONDON

    now = utc_now()
    with session_scope(engine) as session:
        row = session.exec(
            select(Assignment).where(Assignment.visit_id == world.visits["Edith"])
        ).one()
        row.start, row.end = now - timedelta(minutes=5), now + timedelta(minutes=25)
        session.add(row)
        from scheduler.db.models import PublishedRota, Visit

        visit = session.get(Visit, world.visits["Edith"])
        assert visit is not None
        today = now.astimezone(LONDON).date()
        if visit.day != today:
            pointer = session.get(PublishedRota, (visit.area_id, visit.day))
            assert pointer is not None
            session.add(
                PublishedRota(
                    area_id=visit.area_id,
                    day=today,
                    plan_run_id=pointer.plan_run_id,
                    published_at=pointer.published_at,
                )
            )
            visit.day = today
            session.add(visit)
    sign_in(client, "alice")
    page = client.get("/me").get_data(as_text=True)
    assert "Check in" in page
    action = f"/me/visits/{world.visits['Edith']}/check-in"
    refused = client.post(action, data={"latitude": "53.8", "longitude": "-1.55"})
    assert refused.status_code == 400
    done = client.post(
        action,
        data={
            "csrf_token": csrf_from(page),
            "latitude": "53.8",
            "longitude": "-1.55",
            "accuracy": "9",
        },
    )
    assert done.status_code == 302
    with session_scope(engine) as session:
        checks = session.exec(select(VisitCheck)).all()
    assert [(c.kind.value, c.latitude, c.accuracy_metres) for c in checks] == [
        ("check_in", 53.8, 9.0)
    ]
    assert "Check out" in client.get("/me").get_data(as_text=True)


def test_old_attempts_are_forgotten(world: World, engine: Engine) -> None:
    """Attempts older than a day are deleted: the username's on its next try, all on a success."""
    old = utc_now() - timedelta(days=2)
    with session_scope(engine) as session:
        record_attempt("ghost", "192.0.2.9", False, session=session, now=old)
        record_attempt("alice", "192.0.2.9", False, session=session, now=old)
    with session_scope(engine) as session:
        record_attempt("alice", "192.0.2.9", False, session=session)
    with session_scope(engine) as session:
        assert sorted(a.username for a in session.exec(select(LoginAttempt)).all()) == [
            "alice",
            "ghost",
        ]
        record_attempt("dan", "192.0.2.9", True, session=session)
    with session_scope(engine) as session:
        assert sorted(a.username for a in session.exec(select(LoginAttempt)).all()) == [
            "alice",
            "dan",
        ]
