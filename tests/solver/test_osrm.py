"""The OSRM-style table provider against a tiny table service started on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from scheduler.travel import OsrmTableTravel, Point, TravelModel
from tests.solver.instances import place, problem, solve_checked, visit, worker

UNREACHABLE = Point(0.0, 0.0)


class TableService(BaseHTTPRequestHandler):
    """Answers /table/v1/{profile}/lon,lat;... with durations of 1000 s per degree
    of longitude + latitude difference, plus 7 s; null for the point (0, 0)."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        TableService.requests.append(url.path)
        parts = url.path.split("/")
        coordinates = [tuple(map(float, c.split(","))) for c in parts[4].split(";")]
        query = parse_qs(url.query)
        sources = [int(k) for k in query["sources"][0].split(";")]
        destinations = [int(k) for k in query["destinations"][0].split(";")]

        def duration(a: tuple[float, ...], b: tuple[float, ...]) -> float | None:
            if (0.0, 0.0) in (a, b):
                return None
            return 1000 * (abs(a[0] - b[0]) + abs(a[1] - b[1])) + 7

        body = {
            "code": "Ok",
            "durations": [
                [duration(coordinates[s], coordinates[d]) for d in destinations] for s in sources
            ],
        }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def service() -> Iterator[str]:
    """The base URL of a table service running for the test."""
    server = HTTPServer(("127.0.0.1", 0), TableService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    TableService.requests = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_matrix_comes_from_the_service(service: str) -> None:
    """Durations are the service's, rounded up, plus the mode's overhead."""
    travel = OsrmTableTravel(base_url=service)
    a, b = Point(53.5, -1.5), Point(53.75, -1.25)
    matrix = travel.matrix([a, b], "car")
    assert matrix[0][0] == 0
    assert matrix[0][1] == 507 + travel.overhead_seconds["car"]
    assert TableService.requests[0].startswith("/table/v1/driving/")


def test_answers_are_remembered_and_fetched_in_blocks(service: str) -> None:
    """Five places with tables of at most four fetch in blocks, then never again."""
    travel = OsrmTableTravel(base_url=service, max_table_size=4,
                             profiles={"walking": "foot"})
    points = [place(k, k) for k in range(5)]
    first = travel.matrix(points, "walking")
    asked = len(TableService.requests)
    assert asked > 1
    assert all("/foot/" in path for path in TableService.requests)
    assert travel.matrix(points, "walking") == first
    assert travel.seconds(points[0], points[4], "walking") == first[0][4]
    assert len(TableService.requests) == asked


def test_no_route_falls_back_to_the_estimate(service: str) -> None:
    """Where the service finds no route, the haversine estimate is used."""
    travel = OsrmTableTravel(base_url=service)
    a = Point(53.80, -1.55)
    assert travel.seconds(a, UNREACHABLE, "car") == TravelModel().seconds(a, UNREACHABLE, "car")


def test_solver_and_validator_use_the_service(service: str) -> None:
    """A problem carrying the provider is planned and checked with its times."""
    team = [worker(1), worker(2, home=place(2, 0))]
    visits = [visit(1), visit(2, window=("09:00", "11:00"))]
    instance = replace(problem(team, visits), travel=OsrmTableTravel(base_url=service))
    result = solve_checked(instance)
    first = min(result.assignments, key=lambda a: a.start)
    home = next(w.home for w in instance.workers if w.id == first.worker_id)
    location = next(v.location for v in instance.visits if v.id == first.visit_id)
    assert first.travel == instance.travel.seconds(home, location, "car")
