"""Bearer tokens: forged, tampered, expired, revoked and otherwise bad tokens are all refused."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.accounts import issue_token
from scheduler.db.engine import session_scope
from scheduler.db.models import UserAccount
from tests.api.world import DAY, World

PROTECTED = ("/api/v1/me", f"/api/v1/me/route?date={DAY}", "/api/v1/areas", "/api/v1/reports/pay")


def _issue(engine: Engine, username: str, lifetime: timedelta) -> str:
    """A real token for ``username`` with the given lifetime (negative: already expired)."""
    with session_scope(engine) as session:
        user = session.exec(select(UserAccount).where(UserAccount.username == username)).one()
        token, _ = issue_token(session, user, lifetime=lifetime)
    return token


def forged(engine: Engine, world: World, client: object) -> str:
    """A random token of the right shape that was never issued."""
    return secrets.token_urlsafe(32)


def tampered(engine: Engine, world: World, client: object) -> str:
    """A live admin token with its last character changed."""
    token = world.tokens["admin"]
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def truncated(engine: Engine, world: World, client: object) -> str:
    """A live admin token missing its last character."""
    return world.tokens["admin"][:-1]


def extended(engine: Engine, world: World, client: object) -> str:
    """A live admin token with a character added."""
    return world.tokens["admin"] + "x"


def expired(engine: Engine, world: World, client: object) -> str:
    """A real admin token whose expiry passed a second ago."""
    return _issue(engine, "admin", timedelta(seconds=-1))


def revoked(engine: Engine, world: World, client: object) -> str:
    """A real admin token revoked through ``DELETE /api/v1/auth/token``."""
    token = _issue(engine, "admin", timedelta(hours=1))
    answer = client.delete(  # type: ignore[attr-defined]
        "/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 204
    return token


def deactivated(engine: Engine, world: World, client: object) -> str:
    """A live token of an account that has since been deactivated."""
    token = _issue(engine, "manager", timedelta(hours=1))
    with session_scope(engine) as session:
        user = session.exec(select(UserAccount).where(UserAccount.username == "manager")).one()
        user.active = False
        session.add(user)
    return token


def digest_as_token(engine: Engine, world: World, client: object) -> str:
    """The stored digest of a live token, offered as though it were the token."""
    from scheduler.services.tokens import token_digest

    return token_digest(world.tokens["admin"])


BAD_TOKENS: dict[str, Callable[[Engine, World, object], str]] = {
    "forged": forged,
    "tampered": tampered,
    "truncated": truncated,
    "extended": extended,
    "expired": expired,
    "revoked": revoked,
    "deactivated account": deactivated,
    "digest instead of token": digest_as_token,
}
BAD_HEADERS: dict[str, str] = {
    "empty bearer": "Bearer ",
    "wrong scheme": "Basic YWRtaW46cGFzc3dvcmQ=",
    "no scheme": "{token}",
    "two tokens": "Bearer {token} {token}",
    "NUL inside": "Bearer {token}\x00",
    "very long": "Bearer " + "a" * 10_000,
    "non-ASCII": "Bearer tökén",
}


def test_every_bad_token_is_refused(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Each bad token, on each protected endpoint, answers 401 JSON: 0 accepted."""
    accepted: list[str] = []
    for name, make in BAD_TOKENS.items():
        token = make(engine, world, client)
        for path in PROTECTED:
            answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
            if answer.status_code != 401 or answer.get_json()["status"] != 401:
                accepted.append(f"{name} {path}: {answer.status_code}")
    live = world.tokens["coordinator"]
    for name, template in BAD_HEADERS.items():
        header = template.format(token=live)
        for path in PROTECTED:
            answer = client.get(path, headers={"Authorization": header})
            if answer.status_code != 401:
                accepted.append(f"{name} {path}: {answer.status_code}")
    assert accepted == []


def test_the_good_token_still_works(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """The control: the untouched live token is accepted, so the refusals above mean something."""
    answer = client.get("/api/v1/me", headers=world.headers("admin"))
    assert answer.status_code == 200 and answer.get_json()["username"] == "admin"


def test_a_forged_session_cookie_is_refused(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """A session cookie not signed with the secret key does not sign anyone in."""
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import URLSafeTimedSerializer

    interface = SecureCookieSessionInterface()
    serializer = URLSafeTimedSerializer(
        "not-the-secret",
        salt=interface.salt,
        serializer=interface.serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": interface.digest_method},
    )
    client.set_cookie("homecare_session", serializer.dumps({"token": world.tokens["alice"]}))
    answer = client.get(f"/me?date={DAY}")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
