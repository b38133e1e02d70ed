# -*- test-case-name: tests.ivr.test_e2e_sim -*-
"""A simulated PBX calling the real FastAGI server that serves the example flows.

:class:`FlowsOnSimulatedPbx` starts, on 127.0.0.1 port 0, the real
:class:`~switchboard.cti.agi.server.AgiServerService` serving a real
:class:`~switchboard.ivr_flows.registry.FlowHandlers` on the shipped examples, and a
:class:`~switchboard.sim.service.SimulatedPbx` whose callers run through
``AGI(main-menu)`` and then the captured test PBX's dialplan (``Queue()`` by
``SWITCHBOARD_QUEUE``). The flows decide by a chosen wall-clock moment that moves with
simulated time. Everything the PBX emits (what AMI would carry) is kept, so tests
assert on what a caller or a supervisor would notice.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from twisted.internet.defer import Deferred

from switchboard.config.model import AgiSettings
from switchboard.cti.agi.server import AgiServerService
from switchboard.cti.agi.wire import parse_command_line
from switchboard.ivr_flows.records import SessionRecord
from switchboard.ivr_flows.registry import FlowHandlers
from switchboard.ivr_flows.services import FlowServices, MemoryServices
from switchboard.sim.events import Headers
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import Scenario, ScriptedCall
from switchboard.sim.service import SimulatedPbx, agent_queues
from tests.ivr.helpers import EXAMPLES

SPEED = 50.0  # simulated seconds per real second
AGENTS = {"agent1001": AgentBehaviour(talk_s=2.0), "agent2001": AgentBehaviour(talk_s=2.0)}


class _Notifying:
    """Wraps the flow services: each stored session record wakes the waiting test."""

    def __init__(self, inner: FlowServices, changed: Callable[[], None]) -> None:
        self.inner, self.changed = inner, changed
        self.sessions: list[SessionRecord] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def save_session(self, record: SessionRecord) -> None:
        await self.inner.save_session(record)
        self.sessions.append(record)
        self.changed()


class FlowsOnSimulatedPbx:
    """One run: the FastAGI server on the examples and a simulated PBX calling it."""

    def __init__(self, reactor: Any, services: FlowServices | None = None) -> None:
        self.reactor = reactor
        self.services = services or MemoryServices()
        self._store = _Notifying(self.services, self._changed)
        self.events: list[dict[str, str]] = []
        self._wakeup: Deferred[None] | None = None
        self.agi: AgiServerService | None = None
        self.sim: SimulatedPbx | None = None
        self.folder = Path(tempfile.mkdtemp(prefix="switchboard-ivr-e2e-"))

    @property
    def sessions(self) -> list[SessionRecord]:
        """Flow session records in the order they were stored."""
        return self._store.sessions

    async def start(self, calls: list[ScriptedCall], *, at: float, survey_script: str = "") -> None:
        """Serve the examples as if the clock read ``at`` when the PBX started, then call."""
        started = self.reactor.seconds()

        def now() -> float:  # the flows' wall clock runs with simulated time
            return at + (self.reactor.seconds() - started) * SPEED

        handlers = FlowHandlers(EXAMPLES, self.reactor, self._store, now=now)  # type: ignore[arg-type]
        self.agi = AgiServerService(AgiSettings(bind="127.0.0.1", port=0), self.reactor, handlers)
        self.agi.startService()
        await self.agi.listening()
        scenario = Scenario(calls=tuple(calls), max_duration_s=600.0, agents=dict(AGENTS))
        self.sim = SimulatedPbx(
            self.reactor,
            scenario,
            seed=7,
            speed=SPEED,
            ami_port=0,
            agi_target=("127.0.0.1", self.agi.port),
            recordings_dir=self.folder,
            queues=agent_queues(1),
            survey_script=survey_script,
        )
        self.sim.pbx.subscribe(self._event)
        await self.sim.startService()

    async def stop(self) -> None:
        if self.sim is not None:
            await self.sim.stopService()
        if self.agi is not None:
            await self.agi.stopService()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _event(self, headers: Headers) -> None:
        self.events.append(dict(headers))
        self._changed()

    def _changed(self) -> None:
        wakeup, self._wakeup = self._wakeup, None
        if wakeup is not None:
            wakeup.callback(None)

    async def until_done(self, calls: int, sessions: int | None = None) -> None:
        """Every call placed and over, no FastAGI session open, the records stored."""
        assert self.sim is not None and self.agi is not None
        while not (
            self.sim.placed >= calls
            and not self.sim.pbx.channels
            and not self.agi.factory.active
            and len(self.sessions) >= (calls if sessions is None else sessions)
        ):
            self._wakeup = Deferred()
            await self._wakeup

    async def until(self, seen: Callable[[dict[str, str]], bool]) -> dict[str, str]:
        """The first event (already emitted or still to come) for which ``seen`` holds."""
        checked = 0
        while True:
            for event in self.events[checked:]:
                if seen(event):
                    return event
            checked = len(self.events)
            self._wakeup = Deferred()
            await self._wakeup

    # -- what a caller hears, what a supervisor sees ---------------------------------------
    def named(self, event: str, number: str | None = None) -> Iterator[dict[str, str]]:
        for e in self.events:
            if e.get("Event") == event and number in (None, e.get("CallerIDNum")):
                yield e

    def heard(self, number: str) -> list[str]:
        """The prompts played to ``number`` (STREAM FILE / GET DATA), in order."""
        played = []
        for e in self.named("AGIExecStart", number):
            words = parse_command_line(e["Command"])
            if words[:2] in (["STREAM", "FILE"], ["GET", "DATA"]):
                played.append(words[2])
        return played

    def commands(self, number: str) -> list[str]:
        return [e["Command"] for e in self.named("AGIExecStart", number)]

    def queue_joined(self, number: str) -> list[str]:
        return [e["Queue"] for e in self.named("QueueCallerJoin", number)]

    def variable(self, number: str, name: str) -> list[str]:
        return [e["Value"] for e in self.named("VarSet", number) if e["Variable"] == name]

    def session_of(self, number: str, flow: str = "main-menu") -> SessionRecord:
        (record,) = [s for s in self.sessions if s.caller_number == number and s.flow == flow]
        return record
