# -*- test-case-name: tests.sim.test_originate_ids -*-
"""Originate's ChannelId without OtherChannelId: the second Local leg still gets an id."""

from __future__ import annotations

from twisted.internet.task import Clock

from switchboard.sim.pbx import Pbx, PbxConfig


def test_a_missing_other_channel_id_is_generated_not_none() -> None:
    pbx = Pbx(Clock(), PbxConfig())
    seen: list[dict[str, str]] = []
    pbx.subscribe(lambda headers: seen.append(dict(headers)))
    one, two = pbx.new_local_pair("s", "switchboard-ivr", ids=("chosen-1", None))
    assert one.uniqueid == "chosen-1"
    # Asterisk assigns its own id to a leg the Originate did not name; a client that
    # follows Uniqueid must never see the text "None" for the ;2 leg.
    assert two.uniqueid and two.uniqueid != "chosen-1"
    news = [h["Uniqueid"] for h in seen if h.get("Event") == "Newchannel"]
    assert news == ["chosen-1", two.uniqueid]
    assert "None" not in news
