"""Schemathesis against the OpenAPI document, once per role: no server errors, and
every answer (status, content type, headers, body) matches the document.

Each operation is fuzzed with valid input aimed at in-scope records (so the
handlers do real work) and with invalid input (which must be refused with a
documented 4xx). The number of examples is bounded (``SCHEMATHESIS_EXAMPLES``,
default 6 valid and 3 invalid per operation and role) to keep the run short.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.engine import Engine

from tests.api.world import build_world

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SKIP = {("DELETE", "/api/v1/auth/token")}  # revokes the token the rest of the run uses


def own_path_parameters(world: Any, path: str) -> dict[str, Any]:
    """In-scope ids for an operation's path placeholders (Leeds and its people)."""
    values = {
        "area_id": world.areas["LDS"],
        "client_id": world.clients["Edith"],
        "worker_id": world.workers["Alice"],
        "visit_id": world.visits["Edith"],
        "plan_run_id": world.plan_runs["LDS"],
        "plan_id": world.care_plans["Edith"],
        "pattern_id": world.availability["Alice"],
        "kind": "clients",
    }
    return {name: value for name, value in values.items() if "{" + name + "}" in path}


def run_operation(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    headers: dict[str, str],
    path_parameters: dict[str, Any] | None,
) -> list[str]:
    """Fuzz one operation; the problems found, one line each."""
    problems: list[str] = []
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @given(case=strategy, data=st.data())
    def fuzz(case: Any, data: Any) -> None:
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (
            Exception,
            BaseExceptionGroup,
        ) as error:  # collect every failure, not just the first
            text = str(error).strip().splitlines()
            problems.append(
                f"{operation.method.upper()} {operation.path} [{mode.value}]: "
                f"{' | '.join(text[:6])}"
            )

    fuzz()
    return problems


@pytest.mark.parametrize("username", ["alice", "coordinator", "manager", "admin"])
def test_openapi_contract_holds_for_each_role(app, engine: Engine, username: str) -> None:  # type: ignore[no-untyped-def]
    """0 server errors and 0 answers that break the schema, for every operation."""
    world = build_world(engine)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = world.headers(username)
    problems: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        operations += 1
        own = own_path_parameters(world, operation.path)
        problems += run_operation(operation, GenerationMode.POSITIVE, EXAMPLES, headers, own)
        problems += run_operation(
            operation, GenerationMode.NEGATIVE, max(1, EXAMPLES // 2), headers, None
        )
    assert operations >= 30
    assert problems == [], "\n".join(sorted(set(problems))[:40])
