# -*- test-case-name: tests.queue.test_ivr_acd_sim -*-
"""Simulated callers walk the shipped example flows into the ACD, on a fake clock.

:func:`switchboard.demo.site.start_site` with ``flows_dir``: the simulated PBX runs
``switchboard-acd-ivr`` with ``AGI(agi://127.0.0.1:<port>/main-menu)`` against the real
FastAGI server serving :class:`FlowHandlers` on ``switchboard/ivr_flows/examples``
(``acd=`` the ACD), the ACD on the example ``queues.yaml``, the real AMI client and
SQLite, all in one process through in-memory connections
(:class:`~switchboard.testing.site.SiteOnSimNet`). Simulated time starts on a Tuesday at
10:00 in Asia/Shanghai, so the centre is open; every bound is in simulated seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.crm.directory import add_customer
from switchboard.demo.site import EXAMPLE_QUEUES
from switchboard.ivr_flows.records import IvrSession
from switchboard.queue import CallOutcome
from switchboard.queue.config.queue_file import load_queue_config
from switchboard.queue.core.decisions import CallOffered, CallQueued
from switchboard.queue.core.history import recompute
from switchboard.queue.store.records import CallVisitRow, load_history
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import KeyPress, ScriptedCall
from switchboard.testing.site import SiteOnSimNet
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM

ENGLISH = KeyPress("3", 0.5, "choose-language")
MANDARIN = KeyPress("1", 0.5, "choose-language")
SUPPORT = KeyPress("2", 0.5, "main-menu")
CONFIG = load_queue_config(EXAMPLE_QUEUES)


def _caller(number: str, *keys: KeyPress, **script: Any) -> ScriptedCall:
    return ScriptedCall(at_s=0.0, number=number, name=f"Caller {number}", keys=keys, **script)


class Run(SiteOnSimNet):
    """The example flows and queues, with the given agents, and what the tests read."""

    def __init__(self, work: Path, agents: tuple[str, ...]) -> None:
        behaviours = {f"agent{a}": AgentBehaviour(answer_after_s=1.0, talk_s=5.0) for a in agents}
        super().__init__(work, EXAMPLE_QUEUES, behaviours, flows_dir=EXAMPLES, epoch=TUESDAY_10AM)

    def queued(self, number: str) -> CallQueued | None:
        return next(
            (f for f in self.facts if isinstance(f, CallQueued) and f.caller_number == number),
            None,
        )

    def stored(self) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """(ACD visits, IVR main-menu sessions), each by caller number."""
        self.wait(self.site.acd.flush(), "the ACD's records written")

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

        visits, sessions = self.wait(self.site.database.run(read), "the records read")
        by_visit = {v["caller_number"]: v for v in visits}
        by_session = {s["caller_number"]: s for s in sessions}
        assert len(by_visit) == len(visits) and len(by_session) == len(sessions)
        return by_visit, by_session

    def check_stats_match_the_store(self) -> None:
        site = self.site
        self.wait(site.acd.flush(), "the ACD's records written")
        visits, periods = self.wait(site.database.run(load_history), "the history read")
        now = site.clock.seconds()
        queues, agents = recompute(visits, periods, CONFIG.queues, CONFIG.agents, now)
        assert [asdict(q) for q in site.acd.stats.queues(now)] == [asdict(q) for q in queues]
        assert [asdict(a) for a in site.acd.stats.agents(now)] == [asdict(a) for a in agents]


@pytest.fixture
def run_with(tmp_path: Path) -> Iterator[Any]:
    runs: list[Run] = []

    def make(*agents: str) -> Run:
        runs.append(Run(tmp_path, agents))
        return runs[-1]

    yield make
    for run in runs:
        run.stop()


def test_support_callers_reach_an_agent_who_speaks_their_language(run_with: Any) -> None:
    # 2004 speaks Mandarin only, 2002 English only; both serve support.
    run = run_with("2004", "2002")
    site = run.site
    site.acd.log_in("2004", ready=True)
    site.acd.log_in("2002", ready=True)
    site.pbx.place(_caller("13800000031", ENGLISH, SUPPORT))
    site.pbx.place(_caller("13800000032", MANDARIN, SUPPORT))
    run.until(lambda: len(run.finished()) == 2, "both calls over")
    assert {f.outcome for f in run.finished().values()} == {CallOutcome.ANSWERED}
    visits, sessions = run.stored()
    english, mandarin = visits["13800000031"], visits["13800000032"]
    assert (english["queue"], english["language"], english["outcome"]) == (
        "support",
        "en",
        "answered",
    )
    agent = next(a for a in CONFIG.agents if a.id == english["agent_id"])
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
    run.check_stats_match_the_store()


def test_a_vip_goes_first_and_a_caller_who_hangs_up_while_held_is_abandoned(
    run_with: Any,
) -> None:
    run = run_with("2002")
    site = run.site
    vip, ordinary, impatient = "13900000001", "13800000041", "13800000042"
    run.wait(
        site.database.run(lambda s: add_customer(s, "Han Meimei", {"phone": vip}, vip_level=2)),
        "the VIP stored",
    )
    site.acd.log_in("2002", ready=False)  # nobody ready: everyone waits
    site.pbx.place(_caller(ordinary, ENGLISH, SUPPORT))
    run.until(lambda: run.queued(ordinary) is not None, "the first caller queued")
    site.pbx.place(_caller(vip, ENGLISH))  # the VIP path skips the menu
    site.pbx.place(_caller(impatient, ENGLISH, SUPPORT, behaviour="abandon", abandon_after_s=20.0))
    run.until(
        lambda: run.queued(vip) is not None and len(run.finished()) == 1,
        "the VIP queued and the impatient caller gone",
    )
    held_since = {n: run.queued(n) for n in (ordinary, vip, impatient)}
    first, second, gone = (held_since[n] for n in (ordinary, vip, impatient))
    assert first is not None and second is not None and gone is not None
    assert first.at < second.at  # the ordinary caller has waited longer ...
    assert (second.priority, second.customer_tier, second.language) == (10, 2, "en")
    assert run.finished()[gone.call_id].outcome is CallOutcome.ABANDONED

    site.acd.ready("2002")  # ... but the VIP is offered first
    run.until(lambda: len(run.finished()) == 3, "all three calls over")
    offers = [f.call_id for f in run.facts if isinstance(f, CallOffered)]
    assert offers == [second.call_id, first.call_id]
    outcomes = {c: f.outcome for c, f in run.finished().items()}
    assert outcomes == {
        second.call_id: CallOutcome.ANSWERED,
        first.call_id: CallOutcome.ANSWERED,
        gone.call_id: CallOutcome.ABANDONED,
    }
    (support,) = [q for q in site.acd.queue_stats() if q.queue == "support"]
    today = support.windows["today"]
    assert (today.answered, today.abandoned) == (2, 1)

    visits, sessions = run.stored()
    assert visits[impatient]["outcome"] == "abandoned"
    assert visits[impatient]["answered_at"] is None
    assert visits[vip]["customer_tier"] == 2 and visits[vip]["priority"] == 10
    assert sessions[vip]["customer_id"] is not None
    assert sessions[vip]["last_step"] == "vip_queue"
    for number in (vip, ordinary, impatient):
        assert sessions[number]["call_id"] == visits[number]["call_id"]
        assert visits[number]["path_ref"] == sessions[number]["call_id"]
    run.check_stats_match_the_store()


def test_a_mandarin_caller_waits_for_a_speaker_then_an_english_agent_answers(
    run_with: Any,
) -> None:
    # Only 2002 (English) is at work; 2004, who speaks Mandarin, is in the queue but
    # logged out. Before the language became a preference this caller waited forever.
    run = run_with("2002")
    site = run.site
    site.acd.log_in("2002", ready=True)
    site.pbx.place(_caller("13800000051", MANDARIN, SUPPORT))
    run.until(lambda: len(run.finished()) == 1, "the Mandarin caller served")
    (finished,) = run.finished().values()
    assert (finished.outcome, finished.agent_id) == (CallOutcome.ANSWERED, "2002")
    visits, _sessions = run.stored()
    visit = visits["13800000051"]
    assert visit["language"] == "cmn"
    support = next(q for q in CONFIG.queues if q.name == "support")
    # offered once the queue's language wait was over, not before
    assert support.language_wait_s <= visit["waited_s"] < support.language_wait_s + 5
