# -*- test-case-name: tests.queue.test_ivr_acd_sim -*-
"""Simulated callers walk the shipped example flows into the ACD, over real sockets.

:func:`switchboard.demo.site.start_site` with ``flows_dir``: the simulated PBX runs
``switchboard-acd-ivr`` with ``AGI(agi://127.0.0.1:<port>/main-menu)`` against the real
FastAGI server serving :class:`FlowHandlers` on ``switchboard/ivr_flows/examples``
(``acd=`` the ACD), the ACD on the example ``queues.yaml``, the real AMI client and
SQLite. Simulated time starts on a Tuesday at 10:00 in Asia/Shanghai, so the centre is
open, and runs ``SPEED`` times faster; trial's ``timeout`` bounds each test.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from twisted.internet import task
from twisted.trial.unittest import TestCase

from switchboard.config import Settings
from switchboard.crm.directory import add_customer
from switchboard.demo.site import EXAMPLE_QUEUES, Site, start_site
from switchboard.hub import FACT
from switchboard.ivr_flows.records import IvrSession
from switchboard.queue import CallOutcome
from switchboard.queue.config import load_queue_config
from switchboard.queue.decisions import CallFinished, CallOffered, CallQueued, Fact
from switchboard.queue.history import recompute
from switchboard.queue.records import CallVisitRow, load_history
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import KeyPress, ScriptedCall
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM

SPEED = 25.0
ENGLISH = KeyPress("3", 0.5, "choose-language")
MANDARIN = KeyPress("1", 0.5, "choose-language")
SUPPORT = KeyPress("2", 0.5, "main-menu")


def _reactor() -> Any:
    from twisted.internet import reactor

    return reactor


def _caller(number: str, *keys: KeyPress, **script: Any) -> ScriptedCall:
    return ScriptedCall(at_s=0.0, number=number, name=f"Caller {number}", keys=keys, **script)


class FlowsIntoTheAcdTest(TestCase):
    timeout = 30

    async def _start(self, agents: tuple[str, ...]) -> Site:
        work = Path(tempfile.mkdtemp(prefix="ivr-acd-sim-"))
        self.addCleanup(shutil.rmtree, work, True)
        self.config = load_queue_config(EXAMPLE_QUEUES)
        site = await start_site(
            _reactor(),
            Settings(),
            EXAMPLE_QUEUES,
            speed=SPEED,
            seed=1,
            db_path=work / "site.sqlite",
            work=work,
            behaviours={
                f"agent{a}": AgentBehaviour(answer_after_s=1.0, talk_s=5.0) for a in agents
            },
            flows_dir=EXAMPLES,
            epoch=TUESDAY_10AM,
        )
        self.facts: list[Fact] = []
        site.app.hub.subscribe(FACT, self.facts.append)
        return site

    async def _until(self, site: Site, done: Callable[[], bool], limit_s: float = 400.0) -> None:
        """Wait for ``done`` at most ``limit_s`` simulated seconds (then fail, saying so)."""
        give_up = site.clock.seconds() + limit_s
        while not done():
            assert site.clock.seconds() < give_up, "the simulated calls never got there"
            await task.deferLater(site.reactor, 0.02, lambda: None)

    def _queued(self, number: str) -> CallQueued | None:
        return next(
            (f for f in self.facts if isinstance(f, CallQueued) and f.caller_number == number),
            None,
        )

    def _finished(self) -> dict[str, CallFinished]:
        return {f.call_id: f for f in self.facts if isinstance(f, CallFinished)}

    async def _stored(
        self, site: Site
    ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """(ACD visits, IVR main-menu sessions), each by caller number."""
        await site.acd.flush()

        def read(session: Session) -> Any:
            visits = [
                {c.name: getattr(r, c.name) for c in CallVisitRow.__table__.columns}
                for r in session.scalars(select(CallVisitRow))
            ]
            ivr = [
                {c.name: getattr(r, c.name) for c in IvrSession.__table__.columns}
                for r in session.scalars(select(IvrSession).where(IvrSession.flow == "main-menu"))
            ]
            return visits, ivr

        visits, sessions = await site.database.run(read)
        by_visit = {v["caller_number"]: v for v in visits}
        by_session = {s["caller_number"]: s for s in sessions}
        assert len(by_visit) == len(visits) and len(by_session) == len(sessions)
        return by_visit, by_session

    async def _stats_match_the_store(self, site: Site) -> None:
        await site.acd.flush()
        visits, periods = await site.database.run(load_history)
        now = site.clock.seconds()
        queues, agents = recompute(visits, periods, self.config.queues, self.config.agents, now)
        assert [asdict(q) for q in site.acd.stats.queues(now)] == [asdict(q) for q in queues]
        assert [asdict(a) for a in site.acd.stats.agents(now)] == [asdict(a) for a in agents]

    async def test_support_callers_reach_an_agent_who_speaks_their_language(self) -> None:
        # 2004 speaks Mandarin only, 2002 English only; both serve support.
        site = await self._start(("2004", "2002"))
        try:
            site.acd.log_in("2004", ready=True)
            site.acd.log_in("2002", ready=True)
            site.pbx.place(_caller("13800000031", ENGLISH, SUPPORT))
            site.pbx.place(_caller("13800000032", MANDARIN, SUPPORT))
            await self._until(site, lambda: len(self._finished()) == 2)
            assert {f.outcome for f in self._finished().values()} == {CallOutcome.ANSWERED}
            visits, sessions = await self._stored(site)
            english, mandarin = visits["13800000031"], visits["13800000032"]
            assert (english["queue"], english["language"], english["outcome"]) == (
                "support",
                "en",
                "answered",
            )
            agent = next(a for a in self.config.agents if a.id == english["agent_id"])
            assert "support" in agent.queues and "en" in agent.languages
            assert (mandarin["language"], mandarin["agent_id"]) == ("cmn", "2004")
            for number, visit in visits.items():
                ivr = sessions[number]
                # The IVR session and the ACD visit are one call: the channel's uniqueid.
                assert ivr["call_id"] == visit["call_id"] == visit["path_ref"]
                assert (ivr["outcome"], ivr["queue"], ivr["last_step"]) == (
                    "queued",
                    "support",
                    "support",
                )
            assert sessions["13800000031"]["digits"] == "32"
            assert sessions["13800000031"]["language"] == "en"
            await self._stats_match_the_store(site)
        finally:
            await site.stop()

    async def test_a_vip_goes_first_and_a_caller_who_hangs_up_while_held_is_abandoned(
        self,
    ) -> None:
        site = await self._start(("2002",))
        vip, ordinary, impatient = "13900000001", "13800000041", "13800000042"
        try:
            await site.database.run(
                lambda s: add_customer(s, "Han Meimei", {"phone": vip}, vip_level=2)
            )
            site.acd.log_in("2002", ready=False)  # nobody ready: everyone waits
            site.pbx.place(_caller(ordinary, ENGLISH, SUPPORT))
            await self._until(site, lambda: self._queued(ordinary) is not None)
            site.pbx.place(_caller(vip, ENGLISH))  # the VIP path skips the menu
            site.pbx.place(
                _caller(impatient, ENGLISH, SUPPORT, behaviour="abandon", abandon_after_s=20.0)
            )
            await self._until(
                site, lambda: self._queued(vip) is not None and len(self._finished()) == 1
            )
            held_since = {n: self._queued(n) for n in (ordinary, vip, impatient)}
            first, second, gone = (held_since[n] for n in (ordinary, vip, impatient))
            assert first is not None and second is not None and gone is not None
            assert first.at < second.at  # the ordinary caller has waited longer ...
            assert (second.priority, second.customer_tier, second.language) == (10, 2, "en")
            assert self._finished()[gone.call_id].outcome is CallOutcome.ABANDONED

            site.acd.ready("2002")  # ... but the VIP is offered first
            await self._until(site, lambda: len(self._finished()) == 3)
            offers = [f.call_id for f in self.facts if isinstance(f, CallOffered)]
            assert offers == [second.call_id, first.call_id]
            outcomes = {c: f.outcome for c, f in self._finished().items()}
            assert outcomes == {
                second.call_id: CallOutcome.ANSWERED,
                first.call_id: CallOutcome.ANSWERED,
                gone.call_id: CallOutcome.ABANDONED,
            }
            (support,) = [q for q in site.acd.queue_stats() if q.queue == "support"]
            today = support.windows["today"]
            assert (today.answered, today.abandoned) == (2, 1)

            visits, sessions = await self._stored(site)
            assert visits[impatient]["outcome"] == "abandoned"
            assert visits[impatient]["answered_at"] is None
            assert visits[vip]["customer_tier"] == 2 and visits[vip]["priority"] == 10
            assert sessions[vip]["customer_id"] is not None
            assert sessions[vip]["last_step"] == "vip_queue"
            for number in (vip, ordinary, impatient):
                assert sessions[number]["call_id"] == visits[number]["call_id"]
                assert visits[number]["path_ref"] == sessions[number]["call_id"]
            await self._stats_match_the_store(site)
        finally:
            await site.stop()

    async def test_a_mandarin_caller_waits_for_a_speaker_then_an_english_agent_answers(
        self,
    ) -> None:
        # Only 2002 (English) is at work; 2004, who speaks Mandarin, is in the queue but
        # logged out. Before the language became a preference this caller waited forever.
        site = await self._start(("2002",))
        try:
            site.acd.log_in("2002", ready=True)
            site.pbx.place(_caller("13800000051", MANDARIN, SUPPORT))
            await self._until(site, lambda: len(self._finished()) == 1)
            (finished,) = self._finished().values()
            assert (finished.outcome, finished.agent_id) == (CallOutcome.ANSWERED, "2002")
            visits, _sessions = await self._stored(site)
            visit = visits["13800000051"]
            assert visit["language"] == "cmn"
            support = next(q for q in self.config.queues if q.name == "support")
            # offered once the queue's language wait was over, not before
            assert support.language_wait_s <= visit["waited_s"] < support.language_wait_s + 5
        finally:
            await site.stop()
