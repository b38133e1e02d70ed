# -*- test-case-name: tests.ivr.test_documented_dialplan -*-
"""The example flows served to the simulated PBX in memory, on one hand-driven clock.

The PBX runs docs/asterisk.md's FastAGI dialplan (``switchboard-inbound``) and answers
as Asterisk 22 does, including for the sound files and applications it lacks; the real
FastAGI server (:class:`AgiServerFactory` over the flows) is wired to it with in-memory
transports, so a whole call runs without sockets and without sleeping.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from random import Random

from twisted.internet.task import Clock

from switchboard.cti.agi.server import AgiServerFactory
from switchboard.cti.agi.session import SessionOptions
from switchboard.ivr_flows.handover import QueueHandover
from switchboard.ivr_flows.registry import FlowHandlers
from switchboard.ivr_flows.services import MemoryServices
from switchboard.sim._config import DEFAULT_APPLICATIONS
from switchboard.sim._dialplan import Dialplan, OriginateRequest
from switchboard.sim.pbx import Pbx, PbxConfig
from switchboard.sim.replay import memory_connector
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM

# Debian's English core sounds, as far as the flows and the dialplan use them: none of
# switchboard's own prompts (issue 8: "no such files exist anywhere").
CORE_SOUNDS = frozenset({"en/beep", "en/silence/1", "en/tt-monkeysintro"})


class FlowsInMemory:
    def __init__(
        self,
        spool: Path,
        *,
        sounds: frozenset[str] | None = CORE_SOUNDS,
        applications: frozenset[str] = DEFAULT_APPLICATIONS,
        acd: QueueHandover | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.clock = clock or Clock()
        if clock is None:
            self.clock.advance(TUESDAY_10AM)
        self.services = MemoryServices()
        handlers = FlowHandlers(EXAMPLES, self.clock, self.services, acd=acd)
        factory = AgiServerFactory(handlers, self.clock, SessionOptions())
        config = PbxConfig(spool_dir=spool, sounds=sounds, applications=applications)
        self.pbx = Pbx(self.clock, config, talk_time=lambda lo, hi: 3.0)
        self.events: list[dict[str, str]] = []
        self.pbx.subscribe(lambda headers: self.events.append(dict(headers)))
        connect = memory_connector(self.clock, lambda: factory.buildProtocol(None))  # type: ignore[arg-type,return-value]
        self.dialplan = Dialplan(self.pbx, Random(1), connect)

    def call(
        self, number: str, first: tuple[float, str], then: tuple[float, str] = (0, "")
    ) -> None:
        """A caller who presses ``first`` digits at a time after answer, then ``then``."""
        variables = [("CALLER_DIGITS", first[1]), ("CALLER_DTMF_DELAY", str(first[0]))]
        if then[1]:
            variables += [("CALLER_DIGITS2", then[1]), ("CALLER_DTMF_DELAY2", str(then[0]))]
        self.dialplan.originate(
            OriginateRequest(
                channel="Local/s@switchboard-inbound",
                context="switchboard-caller",
                exten="dtmf",
                caller_num=number,
                caller_name="Test Caller",
                variables=variables,
            )
        )

    def run(self, seconds: float, step: float = 0.05) -> None:
        for _ in range(int(seconds / step)):
            self.clock.advance(step)

    def named(self, event: str) -> list[dict[str, str]]:
        return [e for e in self.events if e.get("Event") == event]

    def variable(self, name: str) -> list[str]:
        """Every value the call's ``;2`` was given for ``name``, in order."""
        return [e["Value"] for e in self.named("VarSet") if e["Variable"] == name]

    def commands(self) -> list[str]:
        return [e["Command"] for e in self.named("AGIExecEnd")]

    def apps(self, names: Iterable[str]) -> list[str]:
        wanted = set(names)
        return [e["Application"] for e in self.named("Newexten") if e["Application"] in wanted]
