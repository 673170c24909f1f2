"""The web layer's foundations: health, tokens, deny-by-default, scope and JSON errors."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.accounts import create_user
from scheduler.db.engine import session_scope
from scheduler.db.models import ApiToken, Area, AuditEntry, Region, Role

PASSWORD = "correct horse battery staple"


def seed_two_areas(engine: Engine) -> tuple[int, int]:
    """Two areas in two regions, a coordinator of the first, a manager of the second region."""
    with session_scope(engine) as session:
        north, south = Region(code="N", name="North"), Region(code="S", name="South")
        session.add_all([north, south])
        session.flush()
        leeds = Area(
            code="LDS", name="Leeds", region_id=north.id or 0, latitude=53.8, longitude=-1.55
        )
        bath = Area(
            code="BTH", name="Bath", region_id=south.id or 0, latitude=51.38, longitude=-2.36
        )
        session.add_all([leeds, bath])
        session.flush()
        create_user(
            session,
            username="coord",
            password=PASSWORD,
            role=Role.COORDINATOR,
            area_ids=[leeds.id or 0],
        )
        create_user(
            session, username="manager", password=PASSWORD, role=Role.MANAGER, region_id=south.id
        )
        create_user(session, username="admin", password=PASSWORD, role=Role.ADMIN)
        return leeds.id or 0, bath.id or 0


def token(client, username: str) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["token"])


def test_healthz_reports_the_database(client) -> None:  # type: ignore[no-untyped-def]
    """The health check answers 200 when the database does."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_wrong_password_gets_no_token(client, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """A wrong password or unknown user is refused with 401 and no token is stored."""
    seed_two_areas(engine)
    for body in (
        {"username": "coord", "password": "nope"},
        {"username": "ghost", "password": PASSWORD},
    ):
        response = client.post("/api/v1/auth/token", json=body)
        assert response.status_code == 401
        assert "token" not in response.get_json()
    with session_scope(engine) as session:
        assert session.exec(select(ApiToken)).all() == []


def test_endpoints_deny_by_default(client, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Without a token, or with a made-up one, the rota is refused with 401."""
    leeds, _ = seed_two_areas(engine)
    url = f"/api/v1/areas/{leeds}/rota?date=2026-11-24"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer made-up"}).status_code == 401


def test_scope_hides_other_areas_like_missing_ones(client, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """A coordinator sees their area; another area answers exactly like a missing one."""
    leeds, bath = seed_two_areas(engine)
    headers = {"Authorization": f"Bearer {token(client, 'coord')}"}
    own = client.get(f"/api/v1/areas/{leeds}/rota?date=2026-11-24", headers=headers)
    assert own.status_code == 200
    assert own.get_json()["workers"] == [] and own.get_json()["plan_run_id"] is None
    other = client.get(f"/api/v1/areas/{bath}/rota?date=2026-11-24", headers=headers)
    missing = client.get("/api/v1/areas/999999/rota?date=2026-11-24", headers=headers)
    assert other.status_code == missing.status_code == 404
    assert other.get_json()["message"].replace(str(bath), "N") == missing.get_json()[
        "message"
    ].replace("999999", "N")
    manager = {"Authorization": f"Bearer {token(client, 'manager')}"}
    assert (
        client.get(f"/api/v1/areas/{bath}/rota?date=2026-11-24", headers=manager).status_code == 200
    )
    assert (
        client.get(f"/api/v1/areas/{leeds}/rota?date=2026-11-24", headers=manager).status_code
        == 404
    )
    admin = {"Authorization": f"Bearer {token(client, 'admin')}"}
    assert (
        client.get(f"/api/v1/areas/{leeds}/rota?date=2026-11-24", headers=admin).status_code == 200
    )


def test_revoked_token_is_refused(client, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """After DELETE /auth/token the same token no longer works."""
    leeds, _ = seed_two_areas(engine)
    headers = {"Authorization": f"Bearer {token(client, 'coord')}"}
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert (
        client.get(f"/api/v1/areas/{leeds}/rota?date=2026-11-24", headers=headers).status_code
        == 401
    )


def test_expired_token_is_refused(client, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """A token past its expiry is refused."""
    leeds, _ = seed_two_areas(engine)
    value = token(client, "coord")
    with session_scope(engine) as session:
        row = session.exec(select(ApiToken)).one()
        row.expires_at = row.created_at - timedelta(seconds=1)
        session.add(row)
    response = client.get(
        f"/api/v1/areas/{leeds}/rota?date=2026-11-24", headers={"Authorization": f"Bearer {value}"}
    )
    assert response.status_code == 401


def test_bad_input_gets_a_json_error_naming_the_field(client, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Bad dates and bodies answer 4xx JSON that names the field, never a 500."""
    leeds, _ = seed_two_areas(engine)
    headers = {"Authorization": f"Bearer {token(client, 'coord')}"}
    for query in ("", "?date=tomorrow", "?date=2026-13-01", "?date=1066-10-14"):
        response = client.get(f"/api/v1/areas/{leeds}/rota{query}", headers=headers)
        assert response.status_code == 400
        assert response.get_json()["field"] == "date"
    bad = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert bad.status_code == 400
    wrong_type = client.post("/api/v1/auth/token", json={"username": 7, "password": "x"})
    assert wrong_type.status_code == 400 and wrong_type.get_json()["field"] == "username"
    assert client.get("/no/such/page").get_json()["status"] == 404


def test_reading_a_rota_is_audited(client, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Token issue and each rota read leave audit entries naming the reader, without secrets."""
    leeds, _ = seed_two_areas(engine)
    value = token(client, "coord")
    client.get(
        f"/api/v1/areas/{leeds}/rota?date={date(2026, 11, 24)}",
        headers={"Authorization": f"Bearer {value}"},
    )
    with session_scope(engine) as session:
        entries = session.exec(select(AuditEntry)).all()
    assert [(e.actor, e.action, e.entity) for e in entries] == [
        ("coord", "login", "token"),
        ("coord", "read", "rota"),
    ]
    assert all(value not in str(e.detail) for e in entries)
