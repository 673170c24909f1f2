"""Backup and restore: deploy/backup.sh then deploy/restore.sh give an equal, working copy.

A populated database (the named world, plus changes made through the API) on a
private PostgreSQL cluster is dumped with ``deploy/backup.sh`` and restored with
``deploy/restore.sh`` into a fresh database. Every table's row count and checksum
(md5 of its rows in order) and every sequence must be equal, and the service,
run on the copy, must read what it read before and accept new writes.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from api import create_app
from scheduler.db.engine import make_engine
from scheduler.db.migrate import upgrade
from tests.api.world import DAY, World, build_world
from tests.faults.cluster import PrivateCluster, private_postgres  # noqa: F401
from tests.faults.server import ROOT


def fingerprint(dsn: str) -> dict[str, Any]:
    """Each table's row count and md5 of its rows (as text, sorted), and each sequence's state."""
    tables: dict[str, Any] = {}
    with psycopg.connect(dsn) as connection:
        names = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
        for (name,) in names:
            row = connection.execute(
                sql.SQL(
                    "SELECT count(*), "
                    "md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} AS t"
                ).format(sql.Identifier(name))
            ).fetchone()
            tables[name] = row
        sequences = connection.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' "
            "ORDER BY sequencename"
        ).fetchall()
    return {"tables": tables, "sequences": dict(sequences)}


def script(name: str, cluster: PrivateCluster, database: str, *args: str) -> str:
    """Run a deploy/ script with DATABASE_URL naming ``database`` on the private cluster."""
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url(database),
        "PATH": f"{cluster.bin}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    done = subprocess.run(
        ["sh", str(ROOT / "deploy" / name), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def use_the_service(url: str, world: World) -> dict[str, Any]:
    """Read a route, change a visit and ask for a plan through the application on ``url``."""
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    try:
        client = app.test_client()
        route = client.get(
            f"/api/v1/me/route?date={DAY.isoformat()}", headers=world.headers("alice")
        )
        assert route.status_code == 200
        coordinator = world.headers("coordinator")
        path = f"/api/v1/visits/{world.visits['Edith']}"
        etag = client.get(path, headers=coordinator).headers["ETag"]
        changed = client.patch(
            path,
            json={"pinned_worker_id": world.workers["Bob"]},
            headers={**coordinator, "If-Match": etag},
        )
        assert changed.status_code == 200, changed.get_json()
        plan = client.post(
            "/api/v1/plans",
            json={"date": DAY.isoformat(), "area_ids": [world.areas["LDS"]]},
            headers=coordinator,
        )
        assert plan.status_code == 202, plan.get_json()
        return {"route": route.get_json()["stops"], "etag": etag, "plan": plan.get_json()["id"]}
    finally:
        app.extensions["homecare_engine"].dispose()


def test_a_restored_backup_equals_the_original_and_the_service_works_on_it(
    private_postgres: PrivateCluster,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Same tables, rows and sequences after backup.sh and restore.sh; reads and writes work."""
    original = private_postgres.create_database()
    engine = make_engine(private_postgres.url(original))
    upgrade(engine)
    world = build_world(engine)
    engine.dispose()
    before_backup = use_the_service(private_postgres.url(original), world)  # audit rows, versions

    dump = tmp_path / "homecare.dump"
    assert "backed up" in script("backup.sh", private_postgres, original, str(dump))
    copy = private_postgres.create_database()
    assert "restored" in script("restore.sh", private_postgres, copy, str(dump))

    expected = fingerprint(private_postgres.dsn(original))
    restored = fingerprint(private_postgres.dsn(copy))
    assert len(expected["tables"]) >= 20 and "alembic_version" in expected["tables"]
    populated = [name for name, (count, _) in expected["tables"].items() if count]
    assert len(populated) >= 15, populated
    assert restored == expected

    # The service on the copy: the same route, the visit at its restored version, new ids free.
    after = use_the_service(private_postgres.url(copy), world)
    assert json.dumps(after["route"], sort_keys=True) == json.dumps(
        before_backup["route"], sort_keys=True
    )
    assert after["etag"] == '"v2"', "the copy holds the change made before the backup"
    assert after["plan"] == before_backup["plan"] + 1, "sequences continue after the backup"
