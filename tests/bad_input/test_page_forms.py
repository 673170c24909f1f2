"""Bad input to the pages' forms: sign-in and check-in refuse it by name and write nothing."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from tests.api.world import World
from tests.bad_input.conftest import row_counts
from tests.security.sessions import csrf_from, sign_in


def test_sign_in_form_refuses_bad_input(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Missing fields and NUL characters are 400; an over-long username signs nobody in."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for form, status in (
        ({}, 400),
        ({"username": "alice"}, 400),
        ({"password": "x"}, 400),
        ({"username": "al\x00ice", "password": "x"}, 400),
        ({"username": "a" * 100_000, "password": "x"}, 401),
        ({"username": "alice", "password": "p" * 100_000}, 401),
    ):
        answer = client.post("/login", data={**form, "csrf_token": token})
        assert answer.status_code == status, (list(form), answer.status_code)
    still_out = client.get("/me")
    assert still_out.status_code == 302 and "/login" in still_out.headers["Location"]


def test_check_in_form_refuses_bad_numbers(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Latitude, longitude and accuracy out of range or not numbers: 400 naming the field."""
    assert sign_in(client, "alice").status_code == 302
    token = csrf_from(client.get("/me").get_data(as_text=True))
    visit = world.visits["Edith"]
    before = row_counts(engine)
    for name, value in (
        ("latitude", "north"),
        ("latitude", "91"),
        ("latitude", "nan"),
        ("longitude", "-181"),
        ("longitude", "inf"),
        ("accuracy", "-1"),
        ("accuracy", "1e400"),
    ):
        answer = client.post(
            f"/me/visits/{visit}/check-in",
            data={name: value, "csrf_token": token},
            headers={"Accept": "application/json"},
        )
        assert answer.status_code == 400, (name, value, answer.status_code)
        assert answer.get_json()["field"] == name
    unknown = client.post(
        "/me/visits/987654/check-in",
        data={"csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert unknown.status_code == 404
    assert row_counts(engine) == before
