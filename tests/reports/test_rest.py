"""``GET /api/v1/reports/{kind}``: the same report as the CLI, as JSON a chart can read or
as a CSV / XLSX file; a bad parameter is a 400 naming it; a supervisor sees their queues."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from switchboard.accounts.model import Role
from switchboard.config import ReportSettings
from switchboard.reports.kinds import make_report
from switchboard.reports.query import parse_query
from tests.reports.seed import seed
from tests.web.api.helpers import ApiStack, make_api_stack

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = "2026-12-01"
URL = f"/api/v1/reports/queue?from={DAY}&to={DAY}"


@pytest.fixture
def stack(tmp_path: Path) -> ApiStack:
    s = make_api_stack(tmp_path / "api")
    start = datetime.fromisoformat(f"{DAY}T08:00:00+08:00").timestamp()
    seed(s.database.engine, start, start + 8 * 3600, calls=120)
    return s


def test_the_json_is_the_report_with_numbers_and_offsets(stack: ApiStack) -> None:
    token = stack.token("read:stats")
    answer = stack.bearer(token, "GET", URL + "&interval=hour")
    assert answer.status == 200, answer.text
    body = answer.json()
    query = parse_query(
        "queue", ("queue", "agent"), start=DAY, end=DAY, interval="hour", queue=None,
        agent=None, zone=SHANGHAI, now=stack.clock.seconds(),
    )  # fmt: skip
    with Session(stack.database.engine) as session:
        direct = make_report(session, query, ReportSettings()).to_json()
    assert body == direct
    assert len(body["rows"]) == 24 * 2
    first = body["rows"][0]
    assert first["interval"] == "2026-12-01T00:00:00+08:00" and first["queue"] == "sales"
    assert isinstance(first["offered"], int)
    busy = [r for r in body["rows"] if r["offered"]]
    assert busy and all(isinstance(r["service_level_1_pct"], float) for r in busy)
    assert {c["unit"] for c in body["columns"]} >= {"interval", "count", "pct", "s"}


def test_csv_and_xlsx_files(stack: ApiStack) -> None:
    token = stack.token("read:stats")
    answer = stack.bearer(token, "GET", URL + "&interval=day&format=csv")
    assert answer.status == 200
    assert answer.header("content-type") == "text/csv; charset=utf-8"
    assert "queue-report-2026-12-01-day.csv" in (answer.header("content-disposition") or "")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["queue"] for r in rows] == ["sales", "support"]
    assert sum(int(r["offered"]) for r in rows) >= 120
    answer = stack.bearer(token, "GET", URL + "&interval=day&format=xlsx")
    assert answer.status == 200
    sheet = load_workbook(io.BytesIO(answer.body))["queue"]
    values = list(sheet.values)
    assert values[0][:3] == ("Interval", "Queue", "Offered")
    assert [v[1] for v in values[1:]] == ["sales", "support"]
    assert [v[2] for v in values[1:]] == [int(r["offered"]) for r in rows]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("?to=2026-12-01", "from", "give the range"),
        ("?from=yesterday&to=2026-12-01", "from", "write 2026-12-01"),
        ("?from=2026-12-02&to=2026-12-01", "to", "not after"),
        (f"?from={DAY}&to={DAY}&interval=minute", "interval", "15m, hour, day, week, month"),
        (f"?from={DAY}&to={DAY}&format=pdf", "format", "json, csv or xlsx"),
        ("?from=2020-01-01&to=2026-12-01&interval=15m", "interval", "choose a longer interval"),
    ],
)
def test_a_bad_parameter_is_named_with_its_fix(
    stack: ApiStack, query: str, field: str, words: str
) -> None:
    answer = stack.bearer(stack.token("read:stats"), "GET", "/api/v1/reports/queue" + query)
    assert answer.status == 400, answer.text
    error = answer.json()["error"]
    assert error["field"] == field and words in error["message"]


def test_an_unknown_report_names_the_known_ones(stack: ApiStack) -> None:
    answer = stack.bearer(
        stack.token("read:stats"), "GET", f"/api/v1/reports/sales?from={DAY}&to={DAY}"
    )
    assert answer.status == 400
    assert answer.json()["error"]["field"] == "kind"
    assert "queue, agent" in answer.json()["error"]["message"]


def test_a_supervisor_sees_their_queues_only(stack: ApiStack) -> None:
    stack.add_user("lin", Role.SUPERVISOR, queues=("sales",))
    browser, _csrf = stack.logged_in("lin")
    answer = browser.get(URL + "&interval=day")
    assert answer.status == 200
    assert {r["queue"] for r in answer.json()["rows"]} == {"sales"}
    agents = browser.get(f"/api/v1/reports/agent?from={DAY}&to={DAY}&interval=day").json()
    assert agents["parameters"]["queues"] == ["sales"]
    refused = browser.get(URL + "&queue=support")
    assert refused.status == 403 and "support" in refused.json()["error"]["message"]
    mine = browser.get(f"/api/v1/reports/agent?from={DAY}&to={DAY}&agent=1001&interval=day")
    assert mine.status == 200 and [r["agent"] for r in mine.json()["rows"]] == ["1001"]
    theirs = browser.get(f"/api/v1/reports/agent?from={DAY}&to={DAY}&agent=2001")
    assert theirs.status == 403 and theirs.json()["error"]["field"] == "agent"
    token = stack.token("read:stats", queues=("support",))
    rows = stack.bearer(token, "GET", URL + "&interval=day").json()["rows"]
    assert {r["queue"] for r in rows} == {"support"}


def test_an_agent_may_not_read_reports(stack: ApiStack) -> None:
    stack.add_user("wang", Role.AGENT, agent_id="1001")
    browser, _csrf = stack.logged_in("wang")
    assert browser.get(URL).status == 403
