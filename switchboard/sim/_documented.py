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
    from switchboard.sim._dialplan import Dialplan

INBOUND_CONTEXT = "switchboard-inbound"
FALLBACK_QUEUE = "sales"  # the site's fallback queue (``operators`` in the docs)


class DocumentedDialplan:
    """``switchboard-inbound,s`` (mixed into the Dialplan)."""

    async def inbound(self: Dialplan, two: Channel, answered: Callable[[], None]) -> None:
        pbx = self.pbx
        answered()  # the handler sends ANSWER; the originate completes meanwhile
        pbx.newexten(two, "NoOp", f"inbound call from {two.caller_num}", 1)
        pbx.newexten(two, "Set", f"__SWITCHBOARD_CALLID={two.uniqueid}", 2)
        pbx.setvar(two, "__SWITCHBOARD_CALLID", two.uniqueid)
        for priority, name in ((3, "SWITCHBOARD_QUEUE"), (4, "SWITCHBOARD_ROUTE")):
            pbx.newexten(two, "Set", f"{name}=", priority)
            pbx.setvar(two, name, "")
        url = pbx.config.agi_url
        pbx.newexten(two, "AGI", f"{url},{two.caller_num},{two.language}", 5)
        status = await self._agi(two, url, [two.caller_num, two.language])
        pbx.setvar(two, "AGISTATUS", status)
        if status == "HANGUP" or two.soft_hangup:
            await self._hangup_ivr(two)
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
            await self._hangup_ivr(two)
            return
        self.record_call(two, queue)
        pbx.newexten(two, "Queue", f"{queue},t,,,120")
        await self._queue(two, queue, url)
