"""Broken import files, through the API and the CLI: each refused, named, nothing written.

The corpus: an empty file, wrong columns (missing, unknown, repeated), bad
encodings (Latin-1, UTF-16, a doubled byte-order mark, binary junk, NUL bytes),
duplicate ids, invalid NHS numbers, out-of-range dates and coordinates, wrong
types, an unterminated quote, and broken JSON. A file with one UTF-8 byte-order
mark, as the exporter and Excel write it, is valid and accepted.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy.engine import Engine

from tests.api.world import World
from tests.bad_input.conftest import row_counts

CLIENT_HEADER = "nhs_number,name,area_code,address,postcode,latitude,longitude"
CLIENT_ROW = "9434765706,Zoë Client,LDS,9 Low Road,LS3 3CC,53.81,-1.56"
WORKER_HEADER = (
    "ref,name,area_code,gender,home_postcode,home_latitude,home_longitude,transport_mode,"
    "contracted_hours_per_week,minimum_hours_per_week,start_date,date_of_birth,"
    "opted_out_of_48h,hourly_pay,active"
)
WORKER_ROW = (
    "W900,Eve Carer,LDS,female,LS4 4DD,53.8,-1.5,car,37.5,20,2026-11-01,1990-01-01,false,12.5,true"
)


def csv_text(header: str, *rows: str) -> str:
    """A CSV file's text: lines ending CRLF."""
    return "".join(line + "\r\n" for line in (header, *rows))


def broken_files() -> list[tuple[str, str, bytes, str]]:
    """(what, kind, the file's bytes, format) for every broken file of the corpus."""
    client = csv_text(CLIENT_HEADER, CLIENT_ROW)
    worker = csv_text(WORKER_HEADER, WORKER_ROW)

    def clients(row: str) -> bytes:
        return csv_text(CLIENT_HEADER, row).encode()

    def workers(row: str) -> bytes:
        return csv_text(WORKER_HEADER, row).encode()

    files = [
        ("empty file", "clients", b"", "csv"),
        ("blank lines only", "clients", b"\r\n\r\n", "csv"),
        (
            "missing column",
            "clients",
            csv_text(
                CLIENT_HEADER.replace(",name", ""), CLIENT_ROW.replace(",Zoë Client", "")
            ).encode(),
            "csv",
        ),
        (
            "unknown column",
            "clients",
            csv_text(CLIENT_HEADER + ",favourite_colour", CLIENT_ROW + ",blue").encode(),
            "csv",
        ),
        (
            "repeated column",
            "clients",
            csv_text(CLIENT_HEADER + ",name", CLIENT_ROW + ",Other").encode(),
            "csv",
        ),
        ("too many cells", "clients", clients(CLIENT_ROW + ",extra,cells"), "csv"),
        ("too few cells", "clients", clients("9434765706,Zoë Client"), "csv"),
        ("Latin-1", "clients", client.encode("latin-1"), "csv"),
        ("UTF-16", "clients", client.encode("utf-16"), "csv"),
        ("doubled BOM", "clients", b"\xef\xbb\xbf" + client.encode("utf-8-sig"), "csv"),
        ("binary junk", "clients", bytes(range(256)) * 4, "csv"),
        ("NUL byte", "clients", clients(CLIENT_ROW.replace("Low", "L\x00w")), "csv"),
        (
            "unterminated quote",
            "clients",
            clients(CLIENT_ROW.replace("9 Low Road", '"9 Low Road')),
            "csv",
        ),
        (
            "duplicate ids",
            "clients",
            csv_text(CLIENT_HEADER, CLIENT_ROW, CLIENT_ROW).encode(),
            "csv",
        ),
        (
            "duplicate workers",
            "workers",
            csv_text(WORKER_HEADER, WORKER_ROW, WORKER_ROW).encode(),
            "csv",
        ),
        (
            "bad check digit",
            "clients",
            clients(CLIENT_ROW.replace("9434765706", "9434765707")),
            "csv",
        ),
        ("short NHS number", "clients", clients(CLIENT_ROW.replace("9434765706", "123")), "csv"),
        (
            "letters as NHS number",
            "clients",
            clients(CLIENT_ROW.replace("9434765706", "ABCDEFGHIJ")),
            "csv",
        ),
        ("unknown area", "clients", clients(CLIENT_ROW.replace(",LDS,", ",NOWHERE,")), "csv"),
        ("latitude out of range", "clients", clients(CLIENT_ROW.replace("53.81", "95.0")), "csv"),
        ("latitude not a number", "clients", clients(CLIENT_ROW.replace("53.81", "north")), "csv"),
        (
            "impossible date",
            "workers",
            workers(WORKER_ROW.replace("2026-11-01", "2026-02-30")),
            "csv",
        ),
        ("year 10000", "workers", workers(WORKER_ROW.replace("2026-11-01", "10000-01-01")), "csv"),
        (
            "impossible British date",
            "workers",
            workers(WORKER_ROW.replace("2026-11-01", "31/02/2026")),
            "csv",
        ),
        ("negative hours", "workers", workers(WORKER_ROW.replace("37.5", "-37.5")), "csv"),
        ("not a boolean", "workers", workers(WORKER_ROW.replace("false", "perhaps")), "csv"),
        ("unknown transport", "workers", workers(WORKER_ROW.replace(",car,", ",horse,")), "csv"),
        ("malformed JSON", "clients", b'[{"nhs_number": "9434765706"', "json"),
        ("JSON not a list", "clients", b'{"nhs_number": "9434765706"}', "json"),
        ("JSON list of numbers", "clients", b"[1, 2, 3]", "json"),
        (
            "JSON wrong types",
            "clients",
            json.dumps(
                [
                    {
                        "nhs_number": 9434765706,
                        "name": ["x"],
                        "area_code": "LDS",
                        "address": 1,
                        "postcode": None,
                        "latitude": "north",
                        "longitude": -1.56,
                    }
                ]
            ).encode(),
            "json",
        ),
        ("JSON invalid UTF-8", "clients", b'[{"name": "\xff"}]', "json"),
        ("worker file as clients", "clients", worker.encode(), "csv"),
    ]
    return files


def test_the_api_refuses_every_broken_file(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Each broken file answers 422 JSON listing problems with a reason (and row/column)."""
    before = row_counts(engine)
    headers = world.headers("admin")
    for what, kind, data, fmt in broken_files():
        answer = client.post(
            f"/api/v1/imports/{kind}?format={fmt}",
            data=data,
            content_type="text/csv" if fmt == "csv" else "application/json",
            headers=headers,
        )
        assert answer.status_code == 422, (
            f"{what}: {answer.status_code} {answer.get_data()[:200]!r}"
        )
        body = answer.get_json()
        assert body["status"] == 422 and body["field"] == "file", what
        assert body["errors"], what
        for error in body["errors"]:
            assert error["reason"], what
        assert row_counts(engine) == before, what


def test_a_byte_order_mark_is_welcome(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """The control: one UTF-8 byte-order mark (as Excel writes) imports the row."""
    data = csv_text(CLIENT_HEADER, CLIENT_ROW).encode("utf-8-sig")
    answer = client.post(
        "/api/v1/imports/clients",
        data=data,
        content_type="text/csv",
        headers=world.headers("admin"),
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["created"] == 1


def test_the_cli_refuses_every_broken_file(
    world: World, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """``homecare import FILE --kind K`` exits non-zero, lists the problems, writes nothing."""
    from scheduler.cli import main

    before = row_counts(engine)
    runner = CliRunner()
    for index, (what, kind, data, fmt) in enumerate(broken_files()):
        path = tmp_path / f"{index}.{fmt}"
        path.write_bytes(data)
        result = runner.invoke(
            main, ["import", str(path), "--kind", kind], env={"DATABASE_URL": database_url}
        )
        assert result.exit_code == 1, f"{what}: {result.exit_code} {result.output[-300:]}"
        assert result.exception is None or isinstance(result.exception, SystemExit), what
        assert "nothing written" in result.output, what
        assert row_counts(engine) == before, what
