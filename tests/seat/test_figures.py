# -*- test-case-name: tests.seat.test_figures -*-
"""Today's figures from facts alone: the day starts at local midnight, a pause across
midnight counts only its part of today, and a pause running when the seat started is
counted from then (what came before is the stored records' to tell)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from switchboard.queue.core.decisions import AgentStateChanged, CallHandled, OfferEnded
from switchboard.queue.core.model import AgentState
from switchboard.seat.figures import LiveTally, day_start, figures_json
from switchboard.seat.lookup import Baseline

S = AgentState
SHANGHAI, NEW_YORK = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")


def test_the_day_starts_at_local_midnight_even_on_a_daylight_saving_day() -> None:
    at = datetime(2026, 3, 8, 15, 0, tzinfo=NEW_YORK).timestamp()  # clocks went forward
    assert day_start(at, NEW_YORK) == datetime(2026, 3, 8, tzinfo=NEW_YORK).timestamp()
    at = datetime(2026, 11, 24, 0, 30, tzinfo=SHANGHAI).timestamp()
    assert day_start(at, SHANGHAI) == at - 1800


def test_a_pause_across_midnight_counts_only_todays_part() -> None:
    midnight = datetime(2026, 11, 24, tzinfo=SHANGHAI).timestamp()
    tally = LiveTally()
    tally.apply(AgentStateChanged("1001", midnight - 600, S.NOT_READY, S.READY, "break"), 0.0)
    tally.apply(AgentStateChanged("1001", midnight + 300, S.READY, S.NOT_READY), 0.0)
    tally.apply(AgentStateChanged("1001", midnight + 400, S.NOT_READY, S.READY, "lunch"), 0.0)

    figures = figures_json(Baseline(), tally, midnight, midnight + 1000, "2026-11-24")

    assert figures["not_ready_s"] == {"break": 300.0, "lunch": 600.0}  # lunch still running
    assert figures["not_ready_total_s"] == 900.0


def test_a_pause_running_when_the_seat_started_counts_from_then() -> None:
    started = 1000.0
    tally = LiveTally()
    assert tally.apply(AgentStateChanged("1001", 1300.0, S.READY, S.NOT_READY, ""), started)
    figures = figures_json(Baseline(not_ready_s={"lunch": 50.0}), tally, 0.0, 2000.0, "d")
    assert figures["not_ready_s"] == {"lunch": 50.0, "unknown": 300.0}


def test_handled_calls_and_missed_offers_add_to_the_stored_ones() -> None:
    tally = LiveTally()
    tally.apply(CallHandled("c1", "sales", "1001", 10.0, 50.0, 10.0), 0.0)
    assert not tally.apply(OfferEnded("c2", "1001", 20.0, "abandoned"), 0.0)  # the caller's
    assert tally.apply(OfferEnded("c3", "1001", 30.0, "cancelled"), 0.0)

    figures = figures_json(Baseline(handled=1, handle_s=140.0, missed=2), tally, 0.0, 40.0, "d")

    assert (figures["calls_handled"], figures["aht_s"], figures["missed_offers"]) == (2, 100.0, 3)
    assert figures_json(Baseline(), LiveTally(), 0.0, 1.0, "d")["aht_s"] is None
