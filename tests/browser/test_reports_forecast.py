"""The staffing forecast on the reports page in chromium, against the real web tier and
REST API (switchboard.testing.reportsite) with the reports' clock stopped on a Wednesday:
the forecast's own fields replace the period, the table shows the API's figures (Monday
09:00 needs the agents Erlang C gives for 4 erlangs at 80/20), the chart marks the peak,
the form's target and shrinkage reach the API, a bad target shows the API's reason, CSV
and XLSX export the rows; screenshots in zh-CN and en at 1366x768 and 1920x1080."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from switchboard.reports.erlang import Target, agents_needed
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_reports_page import Site, answered, api, log_in, page, table

__all__ = ["page"]  # the reports page's fixture (downloads; a refused report is no error)

NOW = "2026-12-09T16:00:00+08:00"  # a Wednesday: the history is 11 Nov .. 8 Dec
MONDAYS = ("2026-11-16", "2026-11-23", "2026-11-30", "2026-12-07")
# Calls each Monday per half hour starting at: a morning peak, a quiet evening.
PER_MONDAY = {"09:00": 40, "09:30": 30, "10:00": 24, "11:00": 16, "14:00": 20, "17:00": 2}
TALK_S = 150.0  # + 30 s of wrap-up: 180 s handled


def at(day: str, clock: str, seconds: float) -> str:
    start = datetime.fromisoformat(f"{day}T{clock}:00+08:00") + timedelta(seconds=seconds)
    return f"{start:%H:%M:%S}"


def history() -> list[Any]:
    facts: list[Any] = []
    for week, day in enumerate(MONDAYS):
        for clock, calls in PER_MONDAY.items():
            for n in range(calls):  # spread over the half hour
                queued = at(day, clock, n * 1800 / calls)
                facts += _on(day, answered(f"m{week}-{clock}-{n}", "sales", queued, 5.0, TALK_S))
    return facts


def _on(day: str, facts: list[Any]) -> list[Any]:
    """answered() writes its times on the other tests' day: move them to ``day``."""
    shift = (datetime.fromisoformat(day) - datetime.fromisoformat("2026-12-01")).total_seconds()
    for _, fields in facts:
        fields["at"] += shift
    return facts


@pytest.fixture
def site(chromium: Path, tmp_path: Path) -> Iterator[Site]:
    running = Site(tmp_path / "forecast.sqlite", now=NOW)
    facts = history()
    for i in range(0, len(facts), 600):  # a few requests of a few hundred facts
        running.facts(facts[i : i + 600])
    yield running
    running.stop()


def forecast(page: Any, **fields: str) -> None:
    page.select_option("#rp-kind", "forecast")
    page.wait_for_selector("#reports[data-state=ready], #reports[data-state=error]")
    for name, value in fields.items():
        page.fill(f"#rp-{name}", value)
    if fields:
        page.click("button.rp-run")
    page.wait_for_selector("#reports[data-state=ready], #reports[data-state=error]")


def shown(value: Any, unit: str) -> str:
    """What the page shows for an API value of the forecast (reports.js's formatting)."""
    if value is None:
        return "—"
    if unit == "s":
        s = round(value)
        return f"{s // 60}:{s % 60:02d}"  # under an hour here
    if unit == "pct":
        return f"{value:.1f}%"
    if unit == "erlang":
        return f"{value:.2f}"
    return f"{value:g}"  # JavaScript's String(n): 40 and 2.25 (a forecast's calls)


def test_the_forecast_shows_the_apis_figures_marks_the_peak_and_exports(
    site: Site, page: Any
) -> None:
    log_in(page, site, "boss")  # supervisor of sales, zh-CN
    forecast(page)
    assert page.locator("#rp-from").is_hidden() and page.locator("#rp-agent").is_hidden()
    assert page.locator("#rp-target").input_value() == "80/20"
    assert page.locator("#rp-shrinkage").input_value() == "30"
    assert page.locator("#rp-queue").input_value() == "sales"  # one queue, not "all"
    status, report = api(page, "/api/v1/reports/forecast?queue=sales")
    assert status == 200 and report["parameters"]["calls"] == 4 * sum(PER_MONDAY.values())
    rows = table(page)
    assert len(rows) == 7 * 48  # every weekday's half hours, the quiet ones too
    heads = page.eval_on_selector_all("#rp-table thead th", "ths => ths.map(t => t.dataset.key)")
    units = {c["key"]: c["unit"] for c in report["columns"]}
    for row, theirs in zip(rows, report["rows"], strict=True):
        mine = dict(zip(heads, row, strict=True))
        for key in ("offered", "aht_s", "traffic_erlangs", "agents", "scheduled", "asa_s"):
            assert mine[key] == shown(theirs[key], units[key]), (theirs["start"], key)
    nine = dict(zip(heads, rows[18], strict=True))  # Monday 09:00
    assert (nine["weekday"], nine["start"], nine["peak"]) == ("星期一", "09:00", "高峰")
    # 40 calls a Monday half hour of 180 s: 4 erlangs. Erlang C, 80% within 20 s: 6 agents
    # answer 77%, 7 answer 90%; with 30% shrinkage, 7 / 0.7 = 10 on the schedule.
    assert (nine["offered"], nine["aht_s"], nine["traffic_erlangs"]) == ("40", "3:00", "4.00")
    assert (nine["agents"], nine["scheduled"]) == ("7", "10")
    assert agents_needed(4.0, 180.0, Target.parse("80/20"), max_occupancy=0.85).agents == 7
    assert dict(zip(heads, rows[34], strict=True))["peak"] == "低谷"  # Monday 17:00, 2 calls
    assert page.inner_text('#rp-table th[data-key="agents"]') == "所需坐席（Erlang C）"
    assert page.locator("#rp-subject").input_value() == "mon"
    assert page.inner_text("#rp-chart-title") == "星期: 星期一"
    assert page.locator("#rp-chart-counts svg").count() == 1
    areas = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById("rp-chart-counts"))
            .getOption().series.filter(s => s.markArea)[0].markArea.data
            .map(a => [a[0].name, a[0].xAxis, a[1].xAxis])"""
    )  # the shaded, labelled stretches of the chart
    assert ["高峰", "09:00", "09:00"] in areas and ["低谷", "17:00", "17:00"] in areas
    shaded = page.eval_on_selector_all(
        "#rp-chart-counts path:is([fill='rgb(220,38,38)'], [fill='rgb(22,163,74)'])",
        "ps => ps.map(p => p.getBBox().width)",
    )  # each one interval wide, not a hairline
    assert len(shaded) == 2 and min(shaded) > 5, shaded

    with page.expect_download() as download:
        page.click("#rp-csv")
    saved = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert [int(r["scheduled"]) for r in saved] == [r["scheduled"] for r in report["rows"]]
    assert saved[18]["peak"] == "peak" and saved[18]["weekday"] == "mon"  # codes, not words
    xlsx = parse_qs(urlsplit(page.get_attribute("#rp-xlsx", "href")).query)
    assert xlsx["format"] == ["xlsx"] and xlsx["target"] == ["80/20"]

    forecast(page, target="90/15", shrinkage="20")
    status, stricter = api(page, "/api/v1/reports/forecast?queue=sales&target=90/15&shrinkage=0.2")
    assert stricter["parameters"]["target"] == "90/15"
    assert dict(zip(heads, table(page)[18], strict=True))["scheduled"] == str(
        stricter["rows"][18]["scheduled"]
    )
    assert stricter["rows"][18]["agents"] == 8  # 7 answer only 89.5% within 15 s

    page.click('[data-sb-language="en"]')  # reloads: the same forecast, in English
    page.wait_for_selector("html[lang=en]")
    page.wait_for_selector("#reports[data-state=ready]")
    assert page.locator("#rp-target").input_value() == "90/15"
    assert page.locator("#rp-shrinkage").input_value() == "20"
    nine = dict(zip(heads, table(page)[18], strict=True))
    assert (nine["weekday"], nine["peak"], nine["agents"]) == ("Monday", "Peak", "8")
    assert page.inner_text('#rp-table th[data-key="agents"]') == "Agents needed (Erlang C)"


def test_a_bad_target_shows_the_apis_reason(site: Site, page: Any) -> None:
    log_in(page, site, "root")
    forecast(page, target="80")
    status, body = api(page, "/api/v1/reports/forecast?queue=sales&target=80")
    assert status == 400 and body["error"]["field"] == "target"
    problem = page.locator("#rp-problem")
    expect(problem).to_have_text(body["error"]["message"])
    assert "80/20" in body["error"]["message"]
    assert page.locator("#rp-csv").get_attribute("aria-disabled") == "true"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_forecast_screenshots_fit_both_screens(site: Site, page: Any, lang: str) -> None:
    log_in(page, site, "boss" if lang == "zh-CN" else "root")
    assert page.locator("html").get_attribute("lang") == lang
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        forecast(page)
        assert page.locator("#reports").get_attribute("data-state") == "ready"
        page.wait_for_selector("#rp-chart-counts svg")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"reports-forecast-{lang}-{width}x{height}.png"))
