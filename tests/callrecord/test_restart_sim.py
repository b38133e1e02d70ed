"""A switchboard restart in the middle of calls, on the simulated PBX, in both routing
modes: after the first resync the records are exactly the calls Asterisk had, each with
the right outcome. No ghost (an open record of a call that is over), none lost.

The calls: "ivr" hangs up in the IVR before the restart; "talks" is answered at 5 s and
talks 60 s; "waits" queues behind it and hangs up after 30 s, while switchboard is down
(20 s to 45 s); "new" calls while switchboard is down. In ACD mode the callers are held
in switchboard's FastAGI sessions, so the stop ends "talks" too, and "new" finds no
FastAGI: the dialplan's fallback ends it before switchboard is back, and a call that
began and ended unseen has no record (Asterisk replays nothing; docs/callrecord.md).
With app_queue Asterisk keeps the conversation, the record goes on after the restart,
and "new" (the fallback queue) is found live by the resync and followed to its end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.callrecord.book import CallBook
from tests.callrecord.sim_site import ROUTINGS, RecordsSite, summary

STOP_S = 20.0
DOWN_S = 25.0


def _run(work: Path, routing: str, crash: bool) -> RecordsSite:
    site = RecordsSite(work, routing)
    site.hangs_up_in_ivr("ivr", after_s=3.0)
    site.queued("talks")
    site.advance_to(2.0)
    site.queued("waits", behaviour="abandon", abandon_after_s=30.0)
    site.advance_to(STOP_S)
    if crash:
        # A killed process writes nothing more: its service forgets its calls, so its
        # stop leaves no note of them (what a crash leaves in the database).
        assert site.site.app.callrecord is not None
        site.site.app.callrecord.book = CallBook()
    site.restart(DOWN_S, during=lambda: site.queued("new"))
    site.advance_to(STOP_S + DOWN_S + 1.0)
    return site


@pytest.mark.parametrize("routing", ROUTINGS)
def test_a_restart_leaves_one_record_per_call_and_closes_what_ended_meanwhile(
    tmp_path: Path, routing: str
) -> None:
    site = _run(tmp_path / routing, routing, crash=False)
    records = site.records()
    acd = routing == "switchboard"
    assert set(records) == {"ivr", "talks", "waits"} | (set() if acd else {"new"})
    # No ghost: the open records are exactly the calls Asterisk still has.
    live = {r["call_id"] for r in records.values() if r["open"]}
    assert live == site.live_in_asterisk()
    at = {name: summary(r, site.start) for name, r in records.items()}
    assert at["ivr"] == ("ended_in_ivr", "hangup", 3)
    assert at["waits"] == ("abandoned", "switchboard_stopped", STOP_S)
    if acd:  # the stop hung up the caller its FastAGI held
        assert at["talks"] == ("answered", "switchboard_stopped", STOP_S)
        site.stop()
        return
    # The conversation goes on in Asterisk, and so does its record; "new" appeared.
    assert at["talks"] == at["new"] == ("open", "", None)
    assert records["new"]["started_at"] - site.start == pytest.approx(STOP_S, abs=1.0)
    site.advance_to(140.0)
    records = site.records()
    talks, new = records["talks"], records["new"]
    assert summary(talks, site.start) == ("answered", "hangup", 65)
    assert talks["talk_s"] == pytest.approx(60.0)
    assert talks["started_at"] == site.start  # the first run's start, kept
    assert (talks["agent_id"], talks["queue"]["first"], talks["ivr"]["flow"]) == (
        "1001",
        "sales",
        "main-menu",
    )
    assert summary(new, site.start)[:2] == ("answered", "hangup")
    assert new["queue"]["first"] == "sales" and new["agent_id"] == "1001"
    assert not site.live_in_asterisk() and not any(r["open"] for r in records.values())
    site.stop()


@pytest.mark.parametrize("routing", ROUTINGS)
def test_after_a_crash_the_calls_that_ended_are_closed_at_their_last_sighting(
    tmp_path: Path, routing: str
) -> None:
    site = _run(tmp_path / routing, routing, crash=True)
    records = site.records()
    acd = routing == "switchboard"
    assert set(records) == {"ivr", "talks", "waits"} | (set() if acd else {"new"})
    assert {r["call_id"] for r in records.values() if r["open"]} == site.live_in_asterisk()
    at = {name: summary(r, site.start) for name, r in records.items()}
    # Last seen: "waits" when it joined the queue (its last change on AMI).
    assert at["waits"][:2] == ("abandoned", "unclean_stop")
    assert at["waits"][2] < STOP_S
    assert records["waits"]["ended_at"] == records["waits"]["last_seen_at"]
    if routing == "app_queue":
        assert at["talks"] == ("open", "", None)
    else:
        assert at["talks"][:2] == ("answered", "unclean_stop")
    site.stop()
