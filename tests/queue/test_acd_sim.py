# -*- test-case-name: tests.queue.test_acd_sim -*-
"""The ACD end to end on the simulated PBX, over real sockets on 127.0.0.1.

The simulator runs ``switchboard-acd-ivr`` (the FastAGI session holds the caller and dials
agents with ``EXEC Dial``); the real FastAGI server, the real AMI client and the ACD
service with SQLite do the rest, wired by :func:`switchboard.demo.site.start_site`. Simulated
time runs ``SPEED`` times faster, and the ACD's clock with it; trial's ``timeout`` bounds
each test.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from twisted.internet import task
from twisted.internet.defer import ensureDeferred
from twisted.trial.unittest import TestCase

from switchboard.config import Settings
from switchboard.cti.ami.frames import Message
from switchboard.demo.site import Site, start_site
from switchboard.hub import FACT
from switchboard.queue import AgentState, CallOutcome
from switchboard.queue.core.decisions import CallFinished, CallOffered, Fact, OfferEnded
from switchboard.queue.core.history import recompute
from switchboard.queue.store.records import load_history
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import ScriptedCall

SPEED = 20.0
# The site's queue file: one sales queue, agents added per test (see ``_queue_file``).
QUEUES_YAML = """\
queues:
  sales:
    skills: {sales: 1}
    ring_timeout_s: 10
    wrap_up_s: 4
    announce_interval_s: null
    callback_offer_after_s: 6
    callback_retry_s: 30
agents:
"""


def _queue_file(work: Path, agents: Iterable[str]) -> Path:
    lines = [
        f'  "{n}": {{name: Agent {n}, device: "Local/agent{n}@switchboard-agents/n", '
        "skills: {sales: 2}, queues: [sales]}"
        for n in agents
    ]
    path = work / "queues.yaml"
    path.write_text(QUEUES_YAML + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _reactor() -> Any:
    from twisted.internet import reactor

    return reactor


class AcdOnSimulatedPbxTest(TestCase):
    timeout = 30

    async def _start(self, agents: dict[str, AgentBehaviour]) -> Site:
        work = Path(tempfile.mkdtemp(prefix="acd-sim-"))
        site = await start_site(
            _reactor(),
            Settings(),
            _queue_file(work, agents),
            speed=SPEED,
            seed=1,
            db_path=work / "acd.sqlite",
            work=work,
            behaviours={f"agent{n}": b for n, b in agents.items()},
        )
        self.facts: list[Fact] = []
        self.events: list[Message] = []
        site.app.hub.subscribe(FACT, self.facts.append)
        site.ami.subscribe("*", self.events.append)
        return site

    async def _until(self, site: Site, done: Callable[[], bool], limit_s: float = 600.0) -> None:
        """Wait for ``done`` at most ``limit_s`` simulated seconds (then fail, saying so)."""
        give_up = site.clock.seconds() + limit_s
        while not done():
            assert site.clock.seconds() < give_up, "the simulated call never got there"
            await task.deferLater(site.reactor, 0.02, lambda: None)

    def _finished(self) -> dict[str, CallOutcome]:
        return {f.call_id: f.outcome for f in self.facts if isinstance(f, CallFinished)}

    def _caller(self, number: str, **script: Any) -> ScriptedCall:
        fields: dict[str, Any] = {"behaviour": "dtmf", "digits": "1", "delay_s": 0.5, **script}
        return ScriptedCall(at_s=0.0, number=number, name=f"Caller {number}", **fields)

    def test_held_offered_missed_then_answered_wrapped_up_and_stored(self) -> Any:
        async def scenario() -> None:
            # 2001 never answers; logged in first, it is the longest idle: offered first.
            site = await self._start(
                {
                    "2001": AgentBehaviour(answer_after_s=None),
                    "1001": AgentBehaviour(answer_after_s=1.0, talk_s=20),
                }
            )
            try:
                site.acd.log_in("2001", ready=True)
                await task.deferLater(site.reactor, 0.05, lambda: None)
                site.acd.log_in("1001", ready=True)
                site.pbx.place(self._caller("5550101"))
                await self._until(site, lambda: bool(self._finished()))
                call_id = next(iter(self._finished()))
                assert self._finished() == {call_id: CallOutcome.ANSWERED}
                offers = [(f.agent_id, f.result) for f in self.facts if isinstance(f, OfferEnded)]
                assert offers == [("2001", "no_answer"), ("1001", "answered")]
                assert site.acd.router.agents["2001"].reason == "missed_call"
                assert site.acd.router.agents["1001"].state is AgentState.WRAP_UP
                await self._until(
                    site, lambda: site.acd.router.agents["1001"].state is AgentState.READY
                )
                moh = [m for m in self.events if m.event == "MusicOnHoldStart"]
                assert moh and moh[0].get("Uniqueid") == call_id
                mix = [m for m in self.events if m.event == "MixMonitorStart"]
                assert len(mix) == 1  # one recording, across both offers
                dial_ends = [
                    m.get("DialStatus")
                    for m in self.events
                    if m.event == "DialEnd" and m.get("Uniqueid") == call_id
                ]
                assert dial_ends == ["NOANSWER", "ANSWER"]
                await self._check_store(site, {call_id})
            finally:
                await site.stop()

        return ensureDeferred(scenario())

    def test_an_abandon_and_a_callback_that_keeps_its_place(self) -> Any:
        async def scenario() -> None:
            site = await self._start({"1001": AgentBehaviour(answer_after_s=1.0, talk_s=10)})
            try:
                site.acd.log_in("1001", ready=False)  # nobody ready: both callers wait
                site.pbx.place(self._caller("5550201", behaviour="abandon", abandon_after_s=12.0))
                site.pbx.place(self._caller("5550202", callback=True))
                await self._until(
                    site, lambda: any(c.virtual for c in site.acd.router.calls.values())
                )
                await self._until(site, lambda: len(self._finished()) == 1)
                assert list(self._finished().values()) == [CallOutcome.ABANDONED]
                site.acd.ready("1001")  # the callback is rung: agent first, then customer
                await self._until(site, lambda: len(self._finished()) == 2)
                assert sorted(self._finished().values()) == sorted(
                    [CallOutcome.ABANDONED, CallOutcome.CALLED_BACK]
                )
                originates = [m for m in self.events if m.event == "OriginateResponse"]
                assert [m.get("Response") for m in originates] == ["Success"]
                assert originates[0].get("Uniqueid", "").endswith("-cb1")
                await self._check_store(site, set(self._finished()))
            finally:
                await site.stop()

        return ensureDeferred(scenario())

    def test_an_agent_logging_out_while_rung_is_hung_up_and_the_next_agent_answers(self) -> Any:
        async def scenario() -> None:
            site = await self._start(
                {
                    "2001": AgentBehaviour(answer_after_s=None),
                    "1001": AgentBehaviour(answer_after_s=1.0, talk_s=5),
                }
            )
            try:
                site.acd.log_in("2001", ready=True)
                await task.deferLater(site.reactor, 0.05, lambda: None)
                site.acd.log_in("1001", ready=True)
                site.pbx.place(self._caller("5550301"))
                await self._until(site, lambda: any(m.event == "DialBegin" and "agent2001"
                                                    in m.get("DestChannel", "")
                                                    for m in self.events))
                left_at = site.clock.seconds()
                site.acd.log_out("2001")  # rung, not answered: the leg is hung up over AMI
                await self._until(
                    site, lambda: len([f for f in self.facts if isinstance(f, CallOffered)]) == 2
                )
                # Re-offered before the Dial would have given up by itself (ring timeout 10 s).
                assert site.clock.seconds() - left_at < 10
                await self._until(site, lambda: bool(self._finished()))
                call_id = next(iter(self._finished()))
                assert self._finished() == {call_id: CallOutcome.ANSWERED}
                offers = [(f.agent_id, f.result) for f in self.facts if isinstance(f, OfferEnded)]
                assert offers == [("2001", "cancelled"), ("1001", "answered")]
                assert site.acd.router.agents["2001"].state is AgentState.LOGGED_OUT
                dial_ends = [
                    m.get("DialStatus")
                    for m in self.events
                    if m.event == "DialEnd" and m.get("Uniqueid") == call_id
                ]
                assert dial_ends == ["NOANSWER", "ANSWER"]
                await self._check_store(site, {call_id})
            finally:
                await site.stop()

        return ensureDeferred(scenario())

    async def _check_store(self, site: Site, calls: set[str]) -> None:
        """Every call is stored as it happens; the stats equal a recomputation from it."""
        await site.acd.flush()

        def read(session: Session) -> Any:
            return load_history(session)

        visits, periods = await site.database.run(read)
        assert {v.call_id for v in visits} == calls
        now = site.clock.seconds()
        queues, agents = recompute(
            visits, periods, site.acd.config.queues, site.acd.config.agents, now
        )
        stats = site.acd.stats
        assert [asdict(q) for q in stats.queues(now)] == [asdict(q) for q in queues]
        assert [asdict(a) for a in stats.agents(now)] == [asdict(a) for a in agents]
