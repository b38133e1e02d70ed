# -*- test-case-name: tests.crm.test_sla -*-
"""Due times in business hours: a weekly plan in a timezone, holidays and make-up working
days (调休), the same calendars the IVR's hours steps use (``_calendars.yaml``).

``due_after(start, hours)`` counts only open business time: a ticket opened on Friday at
17:00 with 4 business hours left is due on Monday at 12:00 (09:00-18:00), or on Tuesday if
Monday is a holiday. Pure: ``start`` is epoch seconds, nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from switchboard.config import CrmSettings
from switchboard.ivr_flows.schedule import parse_date_spec, parse_minute_range, parse_weekdays

__all__ = ["BusinessCalendar", "calendar_for"]

_HORIZON_DAYS: Final = 3 * 366  # a plan with no business day at all must not loop forever


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    timezone: str
    # weekday (Monday 0) -> open minute ranges of that day
    schedule: Mapping[int, tuple[tuple[int, int], ...]]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()  # make-up working days: a Monday's hours

    def ranges(self, day: date) -> tuple[tuple[int, int], ...]:
        if day in self.holidays:
            return ()
        return self.schedule.get(0 if day in self.workdays else day.weekday(), ())

    def due_after(self, start: float, hours: float) -> float:
        """Epoch seconds when ``hours`` of business time have passed since ``start``."""
        zone = ZoneInfo(self.timezone)
        local = datetime.fromtimestamp(start, zone)
        left = hours * 3600.0
        day = local.date()
        for _ in range(_HORIZON_DAYS):
            midnight = datetime.combine(day, time(), zone)
            for first, last in self.ranges(day):
                opens = max(midnight + timedelta(minutes=first), local)
                closes = midnight + timedelta(minutes=last)
                if closes <= opens:
                    continue
                available = (closes - opens).total_seconds()
                if left <= available:
                    return (opens + timedelta(seconds=left)).timestamp()
                left -= available
            day += timedelta(days=1)
        raise ValueError("no business hours in the next three years: check the SLA calendar")


def calendar_for(crm: CrmSettings, flows_dir: Path | None = None) -> BusinessCalendar:
    """The SLA calendar of ``[crm]``: its hours, its holiday lists and, when ``calendar``
    names one, that calendar of the flows directory (``ValueError`` when it is missing)."""
    hours = (parse_minute_range(crm.business_hours),)
    schedule = {day: hours for day in parse_weekdays(crm.business_days)}
    holidays = set(_days(crm.holidays))
    workdays = set(_days(crm.workdays))
    if crm.calendar:
        from switchboard.ivr_flows.load import load_calendars

        found, problems = load_calendars(flows_dir) if flows_dir else ({}, [])
        if problems or crm.calendar not in found:
            raise ValueError(
                f"[crm] calendar {crm.calendar!r} is not in {flows_dir}/_calendars.yaml"
                + (f" ({problems[0].message})" if problems else "")
                + f"; calendars there: {', '.join(found) or '(none)'}"
            )
        holidays |= found[crm.calendar][0]
        workdays |= found[crm.calendar][1]
    return BusinessCalendar(crm.timezone, schedule, frozenset(holidays), frozenset(workdays))


def _days(specs: Iterable[str]) -> list[date]:
    return [day for spec in specs for day in parse_date_spec(spec)]
