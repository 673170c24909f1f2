"""Fixtures of the security tests: the small named world of the web layer's tests."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.api.world import World, build_world


@pytest.fixture
def world(engine: Engine) -> World:
    """The small world (see :mod:`tests.api.world`) with a token per login."""
    return build_world(engine)
