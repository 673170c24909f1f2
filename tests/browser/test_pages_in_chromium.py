"""A worker at phone size, a coordinator at a desk and a manager, in real Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.world import DAY, PASSWORD
from tests.browser.conftest import ARTIFACTS, LiveServer

pytestmark = pytest.mark.browser


def sign_in(page: Any, server: LiveServer, username: str) -> None:
    """Sign in through the form."""
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def sign_out(page: Any) -> None:
    """Sign out with the header's button."""
    page.click("header form button")
    page.wait_for_load_state("load")


def test_worker_route_at_phone_size_then_offline(browser: Any, live_server: LiveServer) -> None:
    """Alice signs in on a phone, sees her stops, cannot reach Dan's, and reloads offline."""
    page = browser.new_page()
    sign_in(page, live_server, "alice")
    assert page.url.endswith("/me")
    route_url = f"{live_server.url}/me?date={DAY.isoformat()}"
    page.goto(route_url)
    stops = page.locator("ol.stops > li h2.client")
    assert stops.all_inner_texts() == ["Edith Client", "Frank Client"]
    assert page.locator("a.button", has_text="Directions").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "worker-route-phone.png"), full_page=True)

    other = page.goto(
        f"{live_server.url}/workers/{live_server.world.workers['Dan']}/route?date={DAY}"
    )
    assert other is not None and other.status == 404
    assert "Not found" in page.inner_text("h1")
    api = page.request.get(
        f"{live_server.url}/api/v1/workers/{live_server.world.workers['Dan']}/route?date={DAY}"
    )
    assert api.status == 401

    page.goto(route_url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_timeout(300)
    browser.set_offline(True)
    try:
        page.reload()
        assert page.locator("ol.stops > li h2.client").all_inner_texts() == [
            "Edith Client",
            "Frank Client",
        ]
        assert page.locator(".offline-note").is_visible()
        page.screenshot(path=str(ARTIFACTS / "worker-route-offline.png"), full_page=True)
    finally:
        browser.set_offline(False)
    page.goto(route_url)
    sign_out(page)
    page.close()


def test_coordinator_board_and_manager_dashboard(browser: Any, live_server: LiveServer) -> None:
    """The board shows Leeds' workers and the unallocated visit; the dashboard draws 4 charts."""
    page = browser.new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/board?date={DAY.isoformat()}")
    assert "Rota board" in page.inner_text("h1")
    assert page.locator(".board-row .who a").all_inner_texts()[:2] == ["Alice Carer", "Bob Carer"]
    assert page.locator(".visit").count() == 3
    assert "no worker is available" in page.inner_text(".unallocated")
    page.screenshot(path=str(ARTIFACTS / "coordinator-board.png"), full_page=True)
    sign_out(page)

    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/dashboard?from={DAY.isoformat()}&to={DAY.isoformat()}")
    page.wait_for_function("window.Chart && Object.keys(window.Chart.instances).length === 4")
    assert page.locator("canvas").count() == 4
    csv_link = page.locator("a.csv").first.get_attribute("href")
    assert csv_link is not None and csv_link.startswith("/dashboard/capacity.csv")
    download = page.request.get(live_server.url + csv_link)
    assert download.status == 200 and download.headers["content-type"].startswith("text/csv")
    page.screenshot(path=str(ARTIFACTS / "manager-dashboard.png"), full_page=True)
    sign_out(page)
    page.close()
