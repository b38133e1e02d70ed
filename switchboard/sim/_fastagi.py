# -*- test-case-name: tests.sim.test_agi,tests.sim.test_shutdown -*-
"""``AGI(agi://…)`` on a channel: connect to the FastAGI server, run its session.

``AGISTATUS`` comes back as ``SUCCESS`` / ``HANGUP``, or ``FAILURE`` when the server
cannot be reached (no connector, refused, timed out, or the PBX is stopping).
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred

from switchboard.sim._agi import AgiCallProtocol, agi_environment
from switchboard.sim._agi_commands import CommandRunner
from switchboard.sim.channels import Channel
from switchboard.sim.pbx import Pbx

if TYPE_CHECKING:
    from switchboard.sim._applications import Applications
    from switchboard.sim._caller import Callers

AgiConnector = Callable[[AgiCallProtocol], Deferred[object]]


class FastAgi:
    """The FastAGI sessions of the PBX's channels."""

    def __init__(
        self,
        pbx: Pbx,
        rng: Random,
        connect: AgiConnector | None,
        apps: Applications,
        callers: Callers,
    ) -> None:
        self.pbx, self.rng, self.connect = pbx, rng, connect
        self.apps, self.callers = apps, callers
        self.sessions: set[AgiCallProtocol] = set()  # open FastAGI sessions
        self._connecting: set[Deferred[object]] = set()

    async def run(
        self,
        two: Channel,
        url: str,
        args: list[str],
        on_answer: Callable[[], None] | None = None,
    ) -> str:
        """``AGI(url,args…)`` on ``two``; its ``AGISTATUS``."""
        if self.connect is None:
            return "FAILURE"
        runner = CommandRunner(self.pbx, two, self.rng, self.apps.run, on_answer=on_answer)
        runner.on_prompt = lambda prompt: self.callers.prompt_started(two, prompt)
        env = agi_environment(two, url, args, self.rng.randrange(10**14, 10**15))
        proto = AgiCallProtocol(runner, env)
        two.agi_data = ",".join([url, *args])
        connecting = self.connect(proto)
        self._connecting.add(connecting)
        try:
            await connecting
        except Exception:  # refused, timed out or cancelled by a shutdown: AGISTATUS
            two.agi_data = None
            return "FAILURE"
        finally:
            self._connecting.discard(connecting)
        self.sessions.add(proto)
        try:
            return await proto.finished
        finally:
            self.sessions.discard(proto)
            two.agi_data = None

    def redirect(self, chan: Channel) -> None:
        """An AMI Redirect of ``chan``: if it is held in a FastAGI session, end that."""
        for proto in self.sessions:
            if proto.runner.chan is chan:
                proto.runner.leave_for_redirect()

    def cancel_connects(self) -> None:
        """Give up FastAGI connections still being made (the PBX is stopping)."""
        for d in list(self._connecting):
            d.cancel()
