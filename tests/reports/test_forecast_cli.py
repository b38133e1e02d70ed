"""``switchboard forecast``: its three formats, and bad input refused with the fix (exit 2)."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import URL

from switchboard.cli import parser_for
from switchboard.config import Settings
from switchboard.config.model import DatabaseSettings
from switchboard.reports import forecast_cli
from tests.reports.test_forecast import SHANGHAI, migrated_engine, seeded_history, store

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=SHANGHAI)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    path = tmp_path / "forecast.sqlite"
    for engine in migrated_engine(URL.create("sqlite", database=str(path))):
        store(engine, seeded_history(random.Random(3), date(2026, 10, 28), 28))
    monkeypatch.setattr(forecast_cli, "_now", lambda: NOW.astimezone(UTC))
    return Settings(database=DatabaseSettings(url=f"sqlite:///{path}"))


def _run(settings: Settings, *argv: str) -> int:
    args = parser_for("forecast").parse_args(["forecast", *argv])
    return forecast_cli.run(args, settings)


def test_json_lists_every_interval_and_names_the_peaks(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(settings, "--queue", "sales", "--target", "80/20", "--format", "json") == 0
    body = json.loads(capsys.readouterr().out)
    assert (body["queue"], body["target"], body["timezone"]) == ("sales", "80/20", SHANGHAI.key)
    assert (body["from"], body["to"], body["weeks"]) == ("2026-10-28", "2026-11-25", 4)
    assert len(body["intervals"]) == 7 * 48
    night = next(i for i in body["intervals"] if (i["weekday"], i["start"]) == ("wed", "03:00"))
    assert (night["offered"], night["agents"], night["scheduled"]) == (0.0, 0, 0)
    wednesday = body["days"][2]
    busiest = max(i["scheduled"] for i in body["intervals"] if i["weekday"] == "wed")
    assert wednesday["peak_scheduled"] == busiest
    assert all(t.startswith("10:") for t in wednesday["peak"])


def test_csv_and_table_carry_the_same_figures(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("--queue", "sales", "--weekday", "mon", "--interval", "1h", "--shrinkage", "0.2")
    assert _run(settings, *argv, "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["start"] for r in rows] == [f"{h:02d}:00" for h in range(24)]
    ten = rows[10]
    assert int(ten["scheduled"]) == -(-int(ten["agents"]) * 10 // 8)  # agents / (1 - 0.2)
    assert _run(settings, *argv) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("queue sales: target 80/20, shrinkage 0.2")
    assert table[1].split()[:3] == ["weekday", "start", "offered"]
    [ten_line] = [line.split() for line in table if line.split()[:2] == ["mon", "10:00"]]
    assert ten_line[6] == ten["scheduled"]
    assert table[-1].startswith(f"mon: {sum(float(r['offered']) for r in rows):g} calls; peak")


@pytest.mark.parametrize(
    ("argv", "fix"),
    [
        (("--target", "80"), "target '80': write PERCENT/SECONDS, such as 80/20"),
        (
            ("--queue", "billing"),
            "no queue 'billing' in the queue file or the call history; give one of: sales, support",
        ),
        (("--shrinkage", "1.2"), "shrinkage 1.2: give a fraction from 0 up to"),
        (("--shrinkage", "lots"), "shrinkage 'lots' is not a number"),
        (("--max-occupancy", "0"), "maximum occupancy 0: give a fraction above 0"),
        (("--interval", "45m"), "interval '45m': give 15m, 30m or 1h"),
        (("--weekday", "funday"), "weekday 'funday': give mon, tue"),
        (("--weeks", "0"), "weeks 0: give 1 to 52"),
        (("--timezone", "Mars/Olympus"), "time zone 'Mars/Olympus' is unknown"),
    ],
)
def test_bad_input_is_refused_naming_the_fix(
    settings: Settings, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], fix: str
) -> None:
    options = {"--queue": "sales"}
    options.update(zip(argv[::2], argv[1::2], strict=True))
    assert _run(settings, *(w for pair in options.items() for w in pair)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"switchboard forecast: {fix}" in captured.err


def test_the_timezone_option_moves_the_intervals(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # The calls were made at 10:xx in Shanghai: 02:xx in London (GMT, November).
    assert (
        _run(settings, "--queue", "sales", "--timezone", "Europe/London", "--format", "json") == 0
    )
    body = json.loads(capsys.readouterr().out)
    wednesday = {i["start"]: i["offered"] for i in body["intervals"] if i["weekday"] == "wed"}
    assert wednesday["02:00"] > 0 and wednesday["10:00"] == 0


def test_the_reports_timezone_setting_is_the_default_when_there_is_one(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    class WithReports:  # settings with a [reports] section, as the reports area adds it
        reports = SimpleNamespace(timezone="Europe/London")

        def __getattr__(self, name: str) -> object:
            return getattr(settings, name)

    assert _run(WithReports(), "--queue", "sales", "--format", "json") == 0  # type: ignore[arg-type]
    assert json.loads(capsys.readouterr().out)["timezone"] == "Europe/London"
    assert _run(WithReports(), "--queue", "sales", "--timezone", "UTC", "--format", "json") == 0  # type: ignore[arg-type]
    assert json.loads(capsys.readouterr().out)["timezone"] == "UTC"
