# -*- test-case-name: tests.ivr.test_documented_dialplan -*-
"""``switchboard-inbound``: the FastAGI dialplan of docs/asterisk.md, on the simulator.

Unlike the captured test PBX (``switchboard-ivr``, which trusts ``AGISTATUS``), it decides
on ``SWITCHBOARD_ROUTE``: ``routed`` with a ``SWITCHBOARD_QUEUE`` → record and
``Queue()``; ``routed`` without one → done; anything else (``failed``, or unset because
switchboard never answered) → the fallback, which here is the test PBX's ``sales``.
Keep it in step with the documented lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from switchboard.sim.channels import Channel

if TYPE_CHECKING:
    from switchboard.sim._dialplan import InboundCalls

INBOUND_CONTEXT = "switchboard-inbound"
FALLBACK_QUEUE = "sales"  # the site's fallback queue (``operators`` in the docs)


class DocumentedContext:
    """``switchboard-inbound,s``."""

    def __init__(self, calls: InboundCalls) -> None:
        self.calls = calls

    async def run(self, two: Channel, answered: Callable[[], None]) -> None:
        calls, pbx = self.calls, self.calls.pbx
        answered()  # the handler sends ANSWER; the originate completes meanwhile
        pbx.newexten(two, "NoOp", f"inbound call from {two.caller_num}", 1)
        pbx.newexten(two, "Set", f"__SWITCHBOARD_CALLID={two.uniqueid}", 2)
        pbx.setvar(two, "__SWITCHBOARD_CALLID", two.uniqueid)
        for priority, name in ((3, "SWITCHBOARD_QUEUE"), (4, "SWITCHBOARD_ROUTE")):
            pbx.newexten(two, "Set", f"{name}=", priority)
            pbx.setvar(two, name, "")
        url = pbx.config.agi_url
        pbx.newexten(two, "AGI", f"{url},{two.caller_num},{two.language}", 5)
        status = await calls.agi.run(two, url, [two.caller_num, two.language])
        pbx.setvar(two, "AGISTATUS", status)
        if status == "HANGUP" or two.soft_hangup:
            await calls.hang_up(two)
            return
        route = two.variables.get("SWITCHBOARD_ROUTE", "")
        queue = two.variables.get("SWITCHBOARD_QUEUE", "")
        pbx.newexten(two, "GotoIf", f"{int(route != 'routed')}?fallback,1", 7)
        if route != "routed":
            pbx.goto(two, INBOUND_CONTEXT, "fallback", 1)
            pbx.newexten(two, "NoOp", f"switchboard fallback: AGISTATUS={status} ROUTE={route}")
            queue = FALLBACK_QUEUE
        elif not queue:
            pbx.newexten(two, "GotoIf", "1?done", 8)
            pbx.newexten(two, "Hangup", "", 13)
            await calls.hang_up(two)
            return
        calls.recorder.record_call(two, queue)
        pbx.newexten(two, "Queue", f"{queue},t,,,120")
        await calls.queue(two, queue, url)
