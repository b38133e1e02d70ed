# -*- test-case-name: tests.ivr.test_e2e_sim -*-
"""A simulated PBX calling the real FastAGI server that serves the example flows.

:class:`FlowsOnSimulatedPbx` starts the real
:class:`~switchboard.cti.agi.server.AgiServerService` serving a real
:class:`~switchboard.ivr_flows.registry.FlowHandlers` on the shipped examples, and a
:class:`~switchboard.sim.service.SimulatedPbx` whose callers run through
``AGI(main-menu)`` and then the captured test PBX's dialplan (``Queue()`` by
``SWITCHBOARD_QUEUE``), in one process on a :class:`~switchboard.testing.simnet.SimNet`
(in-memory connections, one fake clock; a clock second is a simulated second). The
flows decide by a chosen wall-clock moment that moves with simulated time. Everything
the PBX emits (what AMI would carry) is kept, so tests assert on what a caller or a
supervisor would notice.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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
from switchboard.testing.simnet import SimNet
from tests.ivr.helpers import EXAMPLES

AGENTS = {"agent1001": AgentBehaviour(talk_s=2.0), "agent2001": AgentBehaviour(talk_s=2.0)}
LIMIT_S = 600.0  # simulated seconds a wait may take before the test gives up


class _Recording:
    """Wraps the flow services and keeps each stored session record, in order."""

    def __init__(self, inner: FlowServices) -> None:
        self.inner = inner
        self.sessions: list[SessionRecord] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def save_session(self, record: SessionRecord) -> None:
        await self.inner.save_session(record)
        self.sessions.append(record)


class FlowsOnSimulatedPbx:
    """One run: the FastAGI server on the examples and a simulated PBX calling it."""

    def __init__(self, net: SimNet | None = None, services: FlowServices | None = None) -> None:
        self.net = net or SimNet()
        self.services = services or MemoryServices()
        self._store = _Recording(self.services)
        self.events: list[dict[str, str]] = []
        self.agi: AgiServerService | None = None
        self.sim: SimulatedPbx | None = None
        self.folder = Path(tempfile.mkdtemp(prefix="switchboard-ivr-e2e-"))

    @property
    def sessions(self) -> list[SessionRecord]:
        """Flow session records in the order they were stored."""
        return self._store.sessions

    def start(self, calls: list[ScriptedCall], *, at: float, survey_script: str = "") -> None:
        """Serve the examples as if the clock read ``at`` when the PBX started, then call."""
        self.net.wait(self._start(calls, at, survey_script), LIMIT_S, "the centre started")

    async def _start(self, calls: list[ScriptedCall], at: float, survey_script: str) -> None:
        started = self.net.seconds()

        def now() -> float:  # the flows' wall clock runs with simulated time
            return at + (self.net.seconds() - started)

        handlers = FlowHandlers(EXAMPLES, self.net, self._store, now=now)  # type: ignore[arg-type]
        self.agi = AgiServerService(AgiSettings(bind="127.0.0.1", port=0), self.net, handlers)
        self.agi.startService()
        await self.agi.listening()
        scenario = Scenario(calls=tuple(calls), max_duration_s=600.0, agents=dict(AGENTS))
        self.sim = SimulatedPbx(
            self.net,
            scenario,
            seed=7,
            ami_port=0,
            agi_target=("127.0.0.1", self.agi.port),
            recordings_dir=self.folder,
            queues=agent_queues(1),
            survey_script=survey_script,
        )
        self.sim.pbx.subscribe(self._event)
        await self.sim.startService()

    def stop(self) -> None:
        """Stop both; fail if a timer, connection or listener is left behind."""
        self.net.wait(self._stop(), LIMIT_S, "the centre stopped")
        shutil.rmtree(self.folder, ignore_errors=True)
        assert self.net.leftovers() == []

    async def _stop(self) -> None:
        if self.sim is not None:
            await self.sim.stopService()
        if self.agi is not None:
            await self.agi.stopService()

    def _event(self, headers: Headers) -> None:
        self.events.append(dict(headers))

    def until_done(self, calls: int, sessions: int | None = None) -> None:
        """Every call placed and over, no FastAGI session open, the records stored."""
        sim, agi = self.sim, self.agi
        assert sim is not None and agi is not None
        self.net.run_until(
            lambda: (
                sim.placed >= calls
                and not sim.pbx.channels
                and not agi.factory.active
                and len(self.sessions) >= (calls if sessions is None else sessions)
            ),
            LIMIT_S,
            f"{calls} calls over and their records stored",
        )

    def until(self, seen: Callable[[dict[str, str]], bool]) -> dict[str, str]:
        """The first event (already emitted or still to come) for which ``seen`` holds."""
        self.net.run_until(lambda: any(seen(e) for e in self.events), LIMIT_S, "the event")
        return next(e for e in self.events if seen(e))

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
