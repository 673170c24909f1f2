"""Fixtures of the fault tests: one private PostgreSQL cluster for all of them."""

from tests.faults.cluster import private_postgres

__all__ = ["private_postgres"]
