"""The IVR, complaints and scorecard reports through the faces: ``switchboard report KIND``
in each format, and ``GET /api/v1/reports/{kind}`` answering the same report."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import URL, Engine
from sqlalchemy.orm import Session

from switchboard.cli import parser_for
from switchboard.config import ReportSettings, Settings
from switchboard.config.model import DatabaseSettings
from switchboard.reports.commands import run
from switchboard.reports.kinds import KINDS, make_report
from switchboard.reports.query import parse_query
from tests.reports.more_seed import seed_ivr, seed_tickets
from tests.reports.seed import migrated_engine, seed
from tests.web.api.helpers import ApiStack, make_api_stack

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = "2026-12-01"
START = datetime.fromisoformat(f"{DAY}T09:00:00+08:00").timestamp()
# (kind, a column every row has, a column only this kind has)
KIND_COLUMNS = [
    ("ivr", "flow", "contained_pct"),
    ("complaints", "category", "closure_rate_pct"),
    ("scorecard", "agent", "score"),
]


def _fill(engine: Engine, flows: Path) -> None:
    seed(engine, START, START + 4 * 3600, calls=80)
    seed_ivr(engine, flows, START, START + 4 * 3600, calls=40)
    seed_tickets(engine, START, START + 4 * 3600, count=30)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "cli.sqlite"
    with migrated_engine(URL.create("sqlite", database=str(path))) as engine:
        _fill(engine, tmp_path / "flows")
    return path


def _cli(db_path: Path, argv: list[str]) -> int:
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite:///{db_path}"),
        reports=ReportSettings(timezone="Asia/Shanghai"),
    )
    return run(parser_for("report").parse_args(["report", *argv]), settings)


@pytest.mark.parametrize(("kind", "name", "own"), KIND_COLUMNS)
def test_the_cli_in_every_format(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, name: str,
    own: str,
) -> None:  # fmt: skip
    argv = [kind, "--from", DAY, "--to", DAY, "--interval", "day"]
    assert _cli(db_path, [*argv, "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["kind"] == kind and body["rows"]
    assert all(r[name] is not None for r in body["rows"])
    assert any(r[own] is not None for r in body["rows"])
    assert _cli(db_path, [*argv, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r[name] for r in rows] == [r[name] for r in body["rows"]]
    out = tmp_path / f"{kind}.xlsx"
    assert _cli(db_path, [*argv, "--format", "xlsx", "-o", str(out)]) == 0
    sheet = list(load_workbook(out)[kind].values)
    assert len(sheet) == len(rows) + 1
    assert _cli(db_path, argv) == 0
    assert body["title"] in capsys.readouterr().out


def test_the_help_lists_the_kinds(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(db_path, ["staffing", "--from", DAY, "--to", DAY]) == 2
    assert "queue, agent, ivr, complaints, scorecard, forecast" in capsys.readouterr().err
    assert {"ivr", "complaints", "scorecard", "forecast"} <= set(KINDS)


@pytest.fixture
def stack(tmp_path: Path) -> ApiStack:
    s = make_api_stack(tmp_path / "api")
    _fill(s.database.engine, tmp_path / "flows")
    return s


@pytest.mark.parametrize(("kind", "name", "own"), KIND_COLUMNS)
def test_the_rest_api_answers_the_same_report(
    stack: ApiStack, kind: str, name: str, own: str
) -> None:
    token = stack.token("read:stats")
    url = f"/api/v1/reports/{kind}?from={DAY}&to={DAY}&interval=day"
    answer = stack.bearer(token, "GET", url)
    assert answer.status == 200, answer.text
    query = parse_query(
        kind, tuple(KINDS), start=DAY, end=DAY, interval="day", queue=None, agent=None,
        zone=SHANGHAI, now=stack.clock.seconds(),
    )  # fmt: skip
    with Session(stack.database.engine) as session:
        direct = make_report(session, query, ReportSettings()).to_json()
    assert answer.json() == direct
    assert any(r[own] is not None for r in direct["rows"])
    file = stack.bearer(token, "GET", url + "&format=csv")
    assert file.status == 200
    assert [r[name] for r in csv.DictReader(io.StringIO(file.text))] == [
        r[name] for r in direct["rows"]
    ]
