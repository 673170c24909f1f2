"""Signing in through the login form, as a browser would."""

from __future__ import annotations

import re
from typing import Any

from tests.api.world import PASSWORD


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Post the login form with the page's CSRF token; the response of the post."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
