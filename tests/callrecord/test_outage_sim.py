"""The AMI link down in the middle of calls, on the simulated PBX, in both routing modes:
switchboard keeps running (FastAGI, the ACD), Asterisk keeps the calls, and nothing of
them reaches the call model until the link is back and ``CoreShowChannels`` resyncs it.

"talks" is answered at 5 s and talks 60 s, through the outage (20 s to 50 s); "waits"
queues behind it and hangs up after 30 s, during the outage; "new" calls during the
outage and is still waiting when the link comes back. After the resync: "talks" goes on,
"waits" is closed as vanished at the resync (the model's end), "new" appears, and each
ends with the outcome a supervisor would expect.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.callrecord.sim_site import ROUTINGS, RecordsSite, summary

DOWN_AT_S = 20.0
UP_AT_S = 50.0


@pytest.mark.parametrize("routing", ROUTINGS)
def test_after_an_ami_outage_the_records_are_exactly_the_calls_asterisk_had(
    tmp_path: Path, routing: str
) -> None:
    site = RecordsSite(tmp_path / routing, routing)
    ami = site.site.ami
    site.queued("talks")
    site.advance_to(2.0)
    site.queued("waits", behaviour="abandon", abandon_after_s=30.0)
    site.advance_to(DOWN_AT_S)
    site.run.wait(ami.stopService(), "the AMI link down")
    site.advance_to(25.0)
    site.queued("new")
    site.advance_to(UP_AT_S)
    ami.startService()
    site.run.wait(ami.when_ready(), "the AMI link back")
    site.advance_to(UP_AT_S + 1.0)
    records = site.records()
    assert set(records) == {"talks", "waits", "new"}
    assert {r["call_id"] for r in records.values() if r["open"]} == site.live_in_asterisk()
    waits = summary(records["waits"], site.start)
    assert waits[:2] == ("abandoned", "vanished during AMI outage")
    assert waits[2] == pytest.approx(UP_AT_S, abs=1)
    assert summary(records["talks"], site.start) == ("open", "", None)
    assert summary(records["new"], site.start) == ("open", "", None)
    assert records["new"]["started_at"] - site.start == pytest.approx(25.0, abs=1.0)

    site.advance_to(150.0)
    records = site.records()
    assert not site.live_in_asterisk() and not any(r["open"] for r in records.values())
    talks, new = records["talks"], records["new"]
    assert summary(talks, site.start) == ("answered", "hangup", 65)
    assert talks["talk_s"] == pytest.approx(60.0)
    assert summary(new, site.start)[:2] == ("answered", "hangup")
    # What the router said of "new" while AMI was down reached its record once it appeared.
    assert (new["agent_id"], new["queue"]["first"]) == ("1001", "sales")
    assert new["queue"]["wait_s"] > 30.0  # it waited for "talks" to end
    site.stop()
