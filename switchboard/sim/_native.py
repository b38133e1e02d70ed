# -*- test-case-name: tests.sim.test_agi_failures -*-
"""``switchboard-native``: the agi-failures capture's dialplan (see the captures' README).

Answer, ``AGI(<url>,${CALLERID(num)})``, then ``Hangup()``; only ``AGISTATUS=FAILURE``
falls back to recording and ``Queue(sales,t,,,120)``, as if FastAGI were unreachable
(which is how the capture shows a session that *did* run but had one failed command
sent to the queue a second time).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from switchboard.sim.channels import UP, Channel

if TYPE_CHECKING:
    from switchboard.sim._dialplan import Dialplan

NATIVE_CONTEXT = "switchboard-native"
FALLBACK_QUEUE = "sales"


def hangup_note(two: Channel) -> str:
    """The ``h`` extension's NoOp text."""
    v = two.variables
    return (
        f"SWITCHBOARD native hangup {two.uniqueid} cause=16 agistatus={v.get('AGISTATUS', '')} "
        f"dialstatus={v.get('DIALSTATUS', '')} queuestatus={v.get('QUEUESTATUS', '')}"
    )


class NativeDialplan:
    """``switchboard-native,s`` (mixed into the Dialplan)."""

    async def native_ivr(self: Dialplan, two: Channel, answered: Callable[[], None]) -> None:
        pbx = self.pbx
        name, num = two.caller_name, two.caller_num
        pbx.newexten(
            two,
            "NoOp",
            f'SWITCHBOARD native call from "{name}" <{num}> uniqueid={two.uniqueid} '
            f"linkedid={two.linkedid}",
            1,
        )
        pbx.newexten(two, "Set", f"__SWITCHBOARD_CALLID={two.uniqueid}", 2)
        pbx.setvar(two, "__SWITCHBOARD_CALLID", two.uniqueid)
        pbx.newexten(two, "Set", f"__SWITCHBOARD_CALLER={num}", 3)
        pbx.setvar(two, "__SWITCHBOARD_CALLER", num)
        pbx.newexten(two, "Answer", "", 4)
        pbx.set_state(two, UP)
        answered()
        url = pbx.config.agi_url
        pbx.newexten(two, "AGI", f"{url},{num}", 5)
        status = await self._agi(two, url, [num])
        pbx.setvar(two, "AGISTATUS", status)
        if status == "HANGUP" or two.soft_hangup:
            await self._hangup_ivr(two)
            return
        dialstatus = two.variables.get("DIALSTATUS", "")
        pbx.newexten(two, "NoOp", f"native AGI done: AGISTATUS={status} DIALSTATUS={dialstatus}", 6)
        failed = status == "FAILURE"
        pbx.newexten(two, "GotoIf", f"{int(failed)}?fallback", 7)
        if not failed:
            pbx.newexten(two, "Hangup", "", 8)
            await self._hangup_ivr(two, exec_dials=True)
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
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(pbx.now()))
        path = pbx.config.spool_dir / "monitor" / f"{queue}-{stamp}-{two.uniqueid}.wav"
        pbx.newexten(two, "Set", f"SWITCHBOARD_RECORDING={path}", 11)
        pbx.setvar(two, "SWITCHBOARD_RECORDING", str(path))
        pbx.newexten(two, "MixMonitor", f"{path},b", 12)
        self.mixmonitor(two, path)
        pbx.newexten(two, "Queue", f"{queue},t,,,120", 13)
        await self._queue(two, queue, url)
