"""A real HTTP server on 127.0.0.1 (werkzeug, in a thread) over a seeded SQLite file,
and headless Chromium (the Debian package) driven by Playwright.

Screenshots go to ``artifacts/browser/`` (git-ignored). The tests fail when
``/usr/bin/chromium`` is missing: ``make test`` installs it first (``make browser-setup``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from scheduler.db.engine import make_engine
from scheduler.db.migrate import upgrade
from tests.api.world import World, build_world

CHROMIUM = os.environ.get("HOMECARE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveServer:
    """The running server's base URL and the world it serves."""

    url: str
    world: World


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The application served over HTTP on a free loopback port, on a fresh database."""
    from api import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'homecare.db'}"
    engine = make_engine(url)
    upgrade(engine)
    world = build_world(engine)
    engine.dispose()
    app = create_app({"DATABASE_URL": url})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", world)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.extensions["homecare_engine"].dispose()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium from Debian, with a fresh profile, driven by Playwright."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make browser-setup`"
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        try:
            yield context
        finally:
            context.close()
