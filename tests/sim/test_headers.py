# -*- test-case-name: tests.sim.test_headers -*-
from __future__ import annotations

import pytest

from switchboard.sim import _headers
from switchboard.sim.channels import Channel
from switchboard.sim.events import LayoutError, build_event
from switchboard.sim.headers_gen import collect, render
from tests.sim._paths import captures


def test_generated_table_matches_the_captures() -> None:
    fresh: dict[str, object] = {}
    exec(render(collect(captures())), fresh)
    assert fresh["EVENT_LAYOUTS"] == _headers.EVENT_LAYOUTS
    assert fresh["PRIVILEGES"] == _headers.PRIVILEGES


def test_build_event_refuses_a_layout_asterisk_never_sent() -> None:
    chan = Channel("Local/s@x-00000000;1", "1.0", "1.0", "x", "s")
    headers = build_event("Hangup", {"": chan}, Cause=16, Cause_txt="Normal Clearing")
    assert [n for n, _ in headers][:3] == ["Event", "Privilege", "Channel"]
    with pytest.raises(LayoutError):
        build_event("Hangup", {"": chan}, Cause=16)
