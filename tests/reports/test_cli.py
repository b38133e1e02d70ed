"""``switchboard report``: the four formats, a file, and a bad option named with its fix."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import URL

from switchboard.cli import parser_for
from switchboard.config import ReportSettings, Settings
from switchboard.config.model import DatabaseSettings
from switchboard.reports.commands import run
from tests.reports.seed import migrated_engine, seed


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "cli.sqlite"
    with migrated_engine(URL.create("sqlite", database=str(path))) as engine:
        start = datetime.fromisoformat("2026-12-01T09:00:00+08:00").timestamp()
        seed(engine, start, start + 4 * 3600, calls=80)
    return path


def _cli(db_path: Path, argv: list[str]) -> int:
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite:///{db_path}"),
        reports=ReportSettings(timezone="Asia/Shanghai"),
    )
    return run(parser_for("report").parse_args(["report", *argv]), settings)


DAY = ["--from", "2026-12-01", "--to", "2026-12-01"]


def test_json_csv_and_a_table(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(db_path, ["queue", *DAY, "--interval", "hour", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["kind"] == "queue" and len(body["rows"]) == 48
    by_json = sum(r["offered"] for r in body["rows"])
    assert by_json >= 80
    assert _cli(db_path, ["queue", *DAY, "--interval", "day", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["interval"] for r in rows] == ["2026-12-01T00:00:00+08:00"] * 2
    assert sum(int(r["offered"]) for r in rows) == by_json
    assert _cli(db_path, ["queue", *DAY, "--interval", "day", "--queue", "sales"]) == 0
    table = capsys.readouterr().out
    assert "Queue report" in table and "sales" in table and "support" not in table


def test_xlsx_to_a_file(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "agents.xlsx"
    assert (
        _cli(db_path, ["agent", *DAY, "--interval", "day", "--format", "xlsx", "-o", str(out)]) == 0
    )
    assert f"wrote {out}" in capsys.readouterr().err
    book = load_workbook(out)
    header = next(book["agent"].values)
    assert header[:3] == ("Interval", "Agent", "Logged in")
    assert dict(book["parameters"].values)["timezone"] == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["queue", "--from", "2026-12-02", "--to", "2026-12-01"],
            "--to: '2026-12-01' is not after",
        ),
        (["queue", "--from", "1 Dec", "--to", "2026-12-01"], "--from: '1 Dec' is not a date"),
        (["calls", *DAY], "KIND: no report 'calls': choose one of queue, agent"),
        (["queue", *DAY, "--format", "xlsx"], "give a file with -o"),
    ],
)
def test_a_bad_option_is_named(
    db_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    assert _cli(db_path, argv) == 2
    assert words in capsys.readouterr().err
