"""SLA due times count business hours only: nights, weekends, holidays skipped,
make-up working days (调休) counted."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from switchboard.config import CrmSettings
from switchboard.crm.sla import calendar_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
CRM = CrmSettings(holidays=("2026-10-01..2026-10-07",))


def at(day: int, month: int, hour: int, minute: int = 0) -> float:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).timestamp()


def local(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, SHANGHAI).strftime("%a %Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(22, 9, 10), 4, "Tue 2026-09-22 14:00"),  # within one day
        (at(22, 9, 20), 2, "Wed 2026-09-23 11:00"),  # opened after hours: from 09:00
        (at(25, 9, 17), 4, "Mon 2026-09-28 12:00"),  # Friday 17:00, across the weekend
        (at(26, 9, 11), 1, "Mon 2026-09-28 10:00"),  # opened on a Saturday
        (at(30, 9, 16), 8, "Thu 2026-10-08 15:00"),  # across the National Day holiday
        (at(25, 9, 9), 40, "Thu 2026-10-08 13:00"),  # a week of hours around the holiday
    ],
)
def test_due_times_skip_nights_weekends_and_holidays(start: float, hours: float, due: str) -> None:
    assert local(calendar_for(CRM).due_after(start, hours)) == due


def test_a_make_up_working_sunday_counts(tmp_path: Path) -> None:
    (tmp_path / "_calendars.yaml").write_text(
        "calendars:\n  cn-2026:\n    holidays: [2026-10-01..2026-10-07]\n"
        "    workdays: [2026-09-27]\n",
        encoding="utf-8",
    )
    calendar = calendar_for(CrmSettings(calendar="cn-2026"), tmp_path)
    assert local(calendar.due_after(at(25, 9, 17), 4)) == "Sun 2026-09-27 12:00"
    assert local(calendar.due_after(at(30, 9, 17), 2)) == "Thu 2026-10-08 10:00"


def test_an_unknown_calendar_is_refused_naming_those_there(tmp_path: Path) -> None:
    (tmp_path / "_calendars.yaml").write_text(
        "calendars:\n  cn-2026:\n    holidays: [2026-10-01]\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"calendar 'cn-2027' is not in .*: cn-2026"):
        calendar_for(CrmSettings(calendar="cn-2027"), tmp_path)


def test_bad_hours_are_refused_by_the_settings() -> None:
    with pytest.raises(ValueError, match="business_hours"):
        CrmSettings(business_hours="18:00-09:00")
    with pytest.raises(ValueError, match="unknown priority 'p1'"):
        CrmSettings(category_sla_hours={"quality": {"p1": 2.0}})
