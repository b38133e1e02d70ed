# -*- test-case-name: tests.sim.test_agi_failures -*-
"""``switchboard-native``: the agi-failures capture's dialplan (see the captures' README).

Answer, ``AGI(<url>,${CALLERID(num)})``, then ``Hangup()``; only ``AGISTATUS=FAILURE``
falls back to recording and ``Queue(sales,t,,,120)``, as if FastAGI were unreachable
(which is how the capture shows a session that *did* run but had one failed command
sent to the queue a second time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from switchboard.sim.channels import Channel

if TYPE_CHECKING:
    from switchboard.sim._dialplan import InboundCalls

NATIVE_CONTEXT = "switchboard-native"
FALLBACK_QUEUE = "sales"


def hangup_note(two: Channel) -> str:
    """The ``h`` extension's NoOp text."""
    v = two.variables
    return (
        f"SWITCHBOARD native hangup {two.uniqueid} cause=16 agistatus={v.get('AGISTATUS', '')} "
        f"dialstatus={v.get('DIALSTATUS', '')} queuestatus={v.get('QUEUESTATUS', '')}"
    )


class NativeContext:
    """``switchboard-native,s``."""

    def __init__(self, calls: InboundCalls) -> None:
        self.calls = calls

    async def run(self, two: Channel, answered: Callable[[], None]) -> None:
        calls, pbx = self.calls, self.calls.pbx
        num = two.caller_num
        calls.answer_inbound(two, "native", answered)
        url = pbx.config.agi_url
        pbx.newexten(two, "AGI", f"{url},{num}", 5)
        status = await calls.agi.run(two, url, [num])
        pbx.setvar(two, "AGISTATUS", status)
        if status == "HANGUP" or two.soft_hangup:
            await calls.hang_up(two)
            return
        dialstatus = two.variables.get("DIALSTATUS", "")
        pbx.newexten(two, "NoOp", f"native AGI done: AGISTATUS={status} DIALSTATUS={dialstatus}", 6)
        failed = status == "FAILURE"
        pbx.newexten(two, "GotoIf", f"{int(failed)}?fallback", 7)
        if not failed:
            pbx.newexten(two, "Hangup", "", 8)
            await calls.hang_up(two, exec_dials=True)
            return
        queue = FALLBACK_QUEUE
        pbx.newexten(
            two,
            "NoOp",
            f"FastAGI unreachable (AGISTATUS={status}) - falling back to queue {queue}",
            9,
        )
        pbx.newexten(two, "Set", f"SWITCHBOARD_QUEUE={queue}", 10)
        pbx.setvar(two, "SWITCHBOARD_QUEUE", queue)
        calls.recorder.record_call(two, queue, 11)
        pbx.newexten(two, "Queue", f"{queue},t,,,120", 13)
        await calls.queue(two, queue, url)
