"""The staffing forecast as a report kind: ``GET /api/v1/reports/forecast`` and
``switchboard report forecast`` give the figures ``switchboard forecast`` gives for the
same stored history (SQLite and PostgreSQL), peaks and off-peaks marked; a bad
parameter is a 400 naming it and the fix; supervisors only, of their own queues."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import URL

from switchboard.accounts.model import Role
from switchboard.cli import parser_for
from switchboard.config import ReportSettings, Settings
from switchboard.config.model import DatabaseSettings
from switchboard.reports import commands, forecast_cli
from tests.reports.test_forecast import SHANGHAI, SeedCall, seeded_history, store
from tests.web.api.helpers import ApiStack, make_api_stack

# The stack's clock: 1_800_000_000 is Friday 15 January 2027, 16:00 in Shanghai.
NOW = datetime.fromtimestamp(1_800_000_000, SHANGHAI)
FIRST = date(2026, 12, 18)  # four whole weeks before that Friday
URL_ = "/api/v1/reports/forecast?queue=sales"


@pytest.fixture
def stack(tmp_path: Path, database_url: URL) -> ApiStack:
    s = make_api_stack(tmp_path / "api", url=database_url)
    assert s.clock.seconds() == NOW.timestamp()
    history = seeded_history(random.Random(16), date(2026, 12, 10), 40)  # beyond the window
    store(s.database.engine, [c for c in history if c.entered < NOW])
    return s


def cli_forecast(
    stack: ApiStack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> dict[str, object]:
    url = stack.database.engine.url.render_as_string(hide_password=False)
    settings = Settings(database=DatabaseSettings(url=url))
    monkeypatch.setattr(forecast_cli, "_now", lambda: NOW.astimezone(UTC))
    args = parser_for("forecast").parse_args(["forecast", *argv, "--format", "json"])
    assert forecast_cli.run(args, settings) == 0, capsys.readouterr().err
    body: dict[str, object] = json.loads(capsys.readouterr().out)
    return body


def test_the_rest_answer_has_the_figures_of_switchboard_forecast(
    stack: ApiStack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    options = ("--target", "90/15", "--shrinkage", "0.25", "--max-occupancy", "0.9")
    cli = cli_forecast(stack, monkeypatch, capsys, "--queue", "sales", *options)
    answer = stack.bearer(
        stack.token("read:stats"),
        "GET",
        URL_ + "&target=90/15&shrinkage=0.25&max_occupancy=0.9",
    )
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["kind"] == "forecast" and body["title"] == "Staffing forecast"
    parameters = body["parameters"]
    assert parameters["from"] == f"{FIRST}T00:00:00+08:00"
    assert parameters["to"] == "2027-01-15T00:00:00+08:00"  # today left out
    assert (parameters["target"], parameters["weeks"], parameters["interval"]) == (
        "90/15",
        4,
        "30m",
    )
    assert parameters["calls"] == cli["calls"] and parameters["queues"] == ["sales"]
    rows, intervals = body["rows"], cli["intervals"]
    assert isinstance(intervals, list) and len(rows) == len(intervals) == 7 * 48
    for row, their in zip(rows, intervals, strict=True):
        key = (row["weekday"], row["start"])
        assert key == (their["weekday"], their["start"])
        assert (row["offered"], row["aht_s"], row["traffic_erlangs"]) == (
            their["offered"],
            their["aht_s"],
            their["traffic_erlangs"],
        ), key
        assert (row["agents"], row["scheduled"]) == (their["agents"], their["scheduled"]), key
        if row["offered"]:
            assert row["service_level_pct"] == pytest.approx(their["service_level"] * 100, abs=0.01)
            assert row["asa_s"] == their["asa_s"]
            assert row["occupancy_pct"] == pytest.approx(their["occupancy"] * 100, abs=0.01)
        else:  # nothing to answer: nothing to expect, as the other reports' empty rows
            assert (row["service_level_pct"], row["asa_s"], row["occupancy_pct"]) == (None,) * 3
    # Each weekday's peak and off-peak are the ones switchboard forecast names.
    days = cli["days"]
    assert isinstance(days, list)
    for day in days:
        mine = [r for r in rows if r["weekday"] == day["weekday"]]
        assert [r["start"] for r in mine if r["peak"] == "peak"] == day["peak"]
        assert [r["start"] for r in mine if r["peak"] == "off_peak"] == day["off_peak"]
        assert max(r["scheduled"] for r in mine) == day["peak_scheduled"]
    friday = {r["start"]: r for r in rows if r["weekday"] == "fri"}
    assert friday["10:00"]["peak"] == "peak" and friday["20:00"]["peak"] == "off_peak"
    assert friday["03:00"]["offered"] == 0 and friday["03:00"]["peak"] == ""


def test_the_report_command_gives_the_same_rows(
    stack: ApiStack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = stack.database.engine.url.render_as_string(hide_password=False)
    settings = Settings(database=DatabaseSettings(url=url), reports=ReportSettings())
    monkeypatch.setattr(commands.time, "time", lambda: NOW.timestamp())
    argv = ["report", "forecast", "--queue", "sales", "--interval", "hour", "--weekday", "mon"]
    assert commands.run(parser_for("report").parse_args([*argv, "--format", "csv"]), settings) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    answer = stack.bearer(stack.token("read:stats"), "GET", URL_ + "&interval=hour&weekday=mon")
    assert [r["start"] for r in rows] == [f"{h:02d}:00" for h in range(24)]
    assert [int(r["scheduled"]) for r in rows] == [r["scheduled"] for r in answer.json()["rows"]]
    assert commands.run(parser_for("report").parse_args([*argv, "--weeks", "x"]), settings) == 2
    assert "switchboard report: weeks 'x' is not a number" in capsys.readouterr().err


def test_csv_and_xlsx_files(stack: ApiStack) -> None:
    token = stack.token("read:stats")
    answer = stack.bearer(token, "GET", URL_ + "&weekday=fri&format=csv")
    assert answer.status == 200
    assert "forecast-report-2026-12-18-30m.csv" in (answer.header("content-disposition") or "")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 48 and rows[20]["start"] == "10:00" and rows[20]["peak"] == "peak"
    answer = stack.bearer(token, "GET", URL_ + "&weekday=fri&format=xlsx")
    values = list(load_workbook(io.BytesIO(answer.body))["forecast"].values)
    assert values[0][:6] == (
        "Weekday",
        "Start",
        "Offered (forecast)",
        "Average handling time",
        "Traffic (erlangs)",
        "Agents needed (Erlang C)",
    )
    assert [v[6] for v in values[1:]] == [int(r["scheduled"]) for r in rows]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("&target=80", "target", "target '80': write PERCENT/SECONDS, such as 80/20"),
        ("&shrinkage=1.2", "shrinkage", "shrinkage 1.2: give a fraction from 0 up to"),
        ("&shrinkage=lots", "shrinkage", "shrinkage 'lots' is not a number: write it like 0.3"),
        ("&max_occupancy=0", "max_occupancy", "maximum occupancy 0: give a fraction above 0"),
        ("&interval=45m", "interval", "interval '45m': give 15m, 30m or 1h"),
        ("&interval=day", "interval", "interval 'day': give 15m, 30m or 1h"),
        ("&weekday=funday", "weekday", "weekday 'funday': give mon, tue"),
        ("&weeks=0", "weeks", "weeks 0: give 1 to 52"),
        ("&from=2026-12-01&to=2026-12-31", "from", "leave from and to out and give weeks=4"),
        ("&agent=1001", "agent", "the forecast is per queue"),
        (",support", "queue", "give the one queue to forecast, such as queue=sales (one at a"),
        ("&format=pdf", "format", "json, csv or xlsx"),
    ],
)
def test_a_bad_parameter_is_named_with_its_fix(
    stack: ApiStack, query: str, field: str, words: str
) -> None:
    answer = stack.bearer(stack.token("read:stats"), "GET", URL_ + query)
    assert answer.status == 400, answer.text
    error = answer.json()["error"]
    assert error["field"] == field and words in error["message"], error


def test_no_queue_a_quiet_queue_and_forecast_options_on_another_kind(stack: ApiStack) -> None:
    token = stack.token("read:stats")
    missing = stack.bearer(token, "GET", "/api/v1/reports/forecast").json()["error"]
    assert missing["field"] == "queue" and "queue=sales" in missing["message"]
    quiet = stack.bearer(token, "GET", "/api/v1/reports/forecast?queue=vip").json()["error"]
    assert quiet["field"] == "queue"
    assert "'vip' took no calls in the 4 week(s) before today" in quiet["message"]
    other = stack.bearer(
        token, "GET", "/api/v1/reports/queue?from=2027-01-01&to=2027-01-01&target=80/20"
    )
    assert other.status == 400
    assert other.json()["error"] == {
        "code": "bad_request",
        "message": "target: only the forecast takes target: leave it out",
        "field": "target",
    }


def test_abandons_only_ask_for_more_weeks(stack: ApiStack) -> None:
    store(
        stack.database.engine, [SeedCall("lost", datetime(2027, 1, 11, 9, tzinfo=SHANGHAI), None)]
    )
    answer = stack.bearer(stack.token("read:stats"), "GET", "/api/v1/reports/forecast?queue=lost")
    assert answer.status == 400 and answer.json()["error"]["field"] == "weeks"
    assert "no call was answered" in answer.json()["error"]["message"]


def test_supervisors_forecast_their_own_queues_and_agents_none(stack: ApiStack) -> None:
    stack.add_user("lin", Role.SUPERVISOR, queues=("sales",))
    browser, _csrf = stack.logged_in("lin")
    assert browser.get(URL_).status == 200
    theirs = browser.get("/api/v1/reports/forecast?queue=support")
    assert theirs.status == 403 and "support" in theirs.json()["error"]["message"]
    token = stack.token("read:stats", queues=("support",))
    assert stack.bearer(token, "GET", URL_).status == 403
    stack.add_user("wang", Role.AGENT, agent_id="1001")
    agent, _ = stack.logged_in("wang")
    assert agent.get(URL_).status == 403
