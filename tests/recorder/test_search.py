"""Finding recordings by each key, a page at a time; the CLI's three formats."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import URL
from sqlalchemy.orm import Session

from switchboard.cli import parser_for
from switchboard.config import Settings
from switchboard.config.model import DatabaseSettings
from switchboard.recorder.commands import run
from switchboard.recorder.search import RecordingQuery, search
from switchboard.store.db import Database
from tests.recorder.helpers import T0, migrated
from tests.recorder.seed import DAY, seed


@pytest.fixture
def database(database_url: URL, tmp_path: Path) -> Iterator[tuple[Database, dict[str, int]]]:
    for database in migrated(database_url):
        with Session(database.engine) as session, session.begin():
            ids = seed(session, tmp_path / "spool")
        yield database, ids


def _found(database: tuple[Database, dict[str, int]], **query: object) -> list[str]:
    db, ids = database
    names = {v: k for k, v in ids.items()}
    with Session(db.engine) as session:
        page = search(session, RecordingQuery(**query))  # type: ignore[arg-type]
    return [names[row["id"]] for row in page.rows]


def _at(offset: float) -> datetime:
    return datetime.fromtimestamp(T0 + offset, UTC)


def test_every_key_finds_its_recordings(database: tuple[Database, dict[str, int]]) -> None:
    assert _found(database) == ["d", "c", "b", "a"]  # newest first
    assert _found(database, since=_at(DAY), until=_at(2 * DAY)) == ["c"]
    assert _found(database, caller="13800138000") == ["c", "a"]
    assert _found(database, customer="ACC-77") == ["c", "a"]  # any identifier
    assert _found(database, customer="nobody") == []
    assert _found(database, agent="1002") == ["c", "b"]
    assert _found(database, queue="sales") == ["d", "a"]
    assert _found(database, disposition="resolved") == ["b"]  # the newest code counts
    assert _found(database, disposition="escalated") == []
    assert _found(database, ticket="2") == ["b"]
    assert _found(database, min_duration_s=30, max_duration_s=60) == ["c"]
    assert _found(database, status="empty") == ["d"]
    assert _found(database, queues=("support",)) == ["c", "b"]


def test_pages_and_the_total(database: tuple[Database, dict[str, int]]) -> None:
    db, _ = database
    with Session(db.engine) as session:
        first = search(session, RecordingQuery(per_page=3))
        second = search(session, RecordingQuery(per_page=3, page=2))
    assert (len(first.rows), first.total, len(second.rows), second.total) == (3, 4, 1, 4)
    [b] = [r for r in first.rows if r["tickets"]]
    assert (b["tickets"], b["disposition"]) == (["1", "2"], "resolved")


def _cli(db_path: Path, argv: list[str]) -> int:
    settings = Settings(database=DatabaseSettings(url=f"sqlite:///{db_path}"))
    return run(parser_for("recordings").parse_args(["recordings", *argv]), settings)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.sqlite"
    url = URL.create("sqlite", database=str(path))
    for database in migrated(url):
        with Session(database.engine) as session, session.begin():
            seed(session, tmp_path / "spool")
    return path


def test_the_cli_prints_json_csv_and_a_table(
    sqlite_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(sqlite_db, ["search", "--queue", "support", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["total"] == 2
    assert [r["agent_id"] for r in found["recordings"]] == ["1002", "1002"]
    assert _cli(sqlite_db, ["search", "--customer", "13800138000", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["caller_number"] for r in rows] == ["13800138000", "13800138000"]
    assert _cli(sqlite_db, ["search", "--from", "2026-11-25", "--per-page", "1"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["id", "started_at", "duration_s"]
    assert len(table) == 3 and table[-1] == "1-1 of 2 (page 1)"


def test_the_cli_names_a_bad_page_or_date(
    sqlite_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(sqlite_db, ["search", "--per-page", "0"]) == 2
    assert "per page 0: give 1 to 500" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _cli(sqlite_db, ["search", "--from", "yesterday"])
    assert "write 2026-11-24" in capsys.readouterr().err


def test_the_total_is_counted_up_to_a_bound(
    database: tuple[Database, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vague search is counted up to MAX_COUNTED; ``more`` says there are more, and
    the pages past the bound can still be read."""
    db, ids = database
    names = {v: k for k, v in ids.items()}
    monkeypatch.setattr("switchboard.recorder.search.MAX_COUNTED", 2)
    with Session(db.engine) as session:
        pages = [search(session, RecordingQuery(per_page=2, page=p)) for p in (1, 2)]
        exact = search(session, RecordingQuery(queue="sales"))
    assert [(p.total, p.more) for p in pages] == [(2, True), (2, True)]
    assert [[names[r["id"]] for r in p.rows] for p in pages] == [["d", "c"], ["b", "a"]]
    assert (exact.total, exact.more) == (2, False)


def test_the_cli_says_when_more_match_than_were_counted(
    sqlite_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("switchboard.recorder.search.MAX_COUNTED", 2)
    assert _cli(sqlite_db, ["search", "--per-page", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1-1 of 2+ (page 1)"  # not "of 2"
    assert _cli(sqlite_db, ["search", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["more"] is True


def test_a_ticket_finds_the_recordings_its_own_links_name(
    database: tuple[Database, dict[str, int]],
) -> None:
    """A ticket opened from the seat links its call, not the recording: the search by
    ticket still finds the call's recording (and one the ticket links by id)."""
    from switchboard.config.model import CrmSettings
    from switchboard.crm.tickets import TicketPolicy, add_link, open_ticket

    db, ids = database
    with Session(db.engine) as session, session.begin():
        opened = open_ticket(
            session, TicketPolicy.from_settings(CrmSettings()), actor="li", now=T0,
            type="complaint", category="service", priority="normal", subject="态度差",
        )  # fmt: skip
        number = opened["id"]
        add_link(session, number, actor="li", now=T0, kind="call", ref="Cc")
        add_link(session, number, actor="li", now=T0, kind="recording", ref=str(ids["a"]))
    assert _found(database, ticket=str(number)) == ["c", "a"]
    assert _found(database, ticket=f"#{number}") == ["c", "a"]
    assert _found(database, ticket="1") == ["b"]  # linked from the recording's side only
