# -*- test-case-name: tests.queue.test_acd_sim -*-
"""The ACD end to end on the simulated PBX, in one process on a fake clock.

The simulator runs ``switchboard-acd-ivr`` (the FastAGI session holds the caller and dials
agents with ``EXEC Dial``); the real FastAGI server, the real AMI client and the ACD
service with SQLite do the rest, wired by :func:`switchboard.demo.site.start_site`. They
talk through in-memory connections on one SimNet (:mod:`switchboard.testing.site`), so
every bound below is in simulated seconds and every run is the same run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from switchboard.queue import AgentState, CallOutcome
from switchboard.queue.core.decisions import CallOffered, OfferEnded
from switchboard.queue.core.history import recompute
from switchboard.queue.store.records import load_history
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import ScriptedCall
from switchboard.testing.site import SiteOnSimNet

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


class Run(SiteOnSimNet):
    """The site with the sales queue and the given agents, and what the tests read."""

    def __init__(self, work: Path, agents: dict[str, AgentBehaviour]) -> None:
        behaviours = {f"agent{n}": b for n, b in agents.items()}
        super().__init__(work, _queue_file(work, agents), behaviours)

    def outcomes(self) -> dict[str, CallOutcome]:
        return {call_id: f.outcome for call_id, f in self.finished().items()}

    def offers(self) -> list[tuple[str, str]]:
        return [(f.agent_id, f.result) for f in self.facts if isinstance(f, OfferEnded)]

    def dial_ends(self, call_id: str) -> list[str | None]:
        return [
            m.get("DialStatus")
            for m in self.events
            if m.event == "DialEnd" and m.get("Uniqueid") == call_id
        ]

    def place(self, number: str, **script: Any) -> None:
        fields: dict[str, Any] = {"behaviour": "dtmf", "digits": "1", "delay_s": 0.5, **script}
        self.site.pbx.place(
            ScriptedCall(at_s=0.0, number=number, name=f"Caller {number}", **fields)
        )

    def check_store(self, calls: set[str]) -> None:
        """Every call is stored as it happens; the stats equal a recomputation from it."""
        site = self.site
        self.wait(site.acd.flush(), "the ACD's records written")

        def read(session: Session) -> Any:
            return load_history(session)

        visits, periods = self.wait(site.database.run(read), "the history read")
        assert {v.call_id for v in visits} == calls
        now = site.clock.seconds()
        queues, agents = recompute(
            visits, periods, site.acd.config.queues, site.acd.config.agents, now
        )
        stats = site.acd.stats
        assert [asdict(q) for q in stats.queues(now)] == [asdict(q) for q in queues]
        assert [asdict(a) for a in stats.agents(now)] == [asdict(a) for a in agents]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[[dict[str, AgentBehaviour]], Run]]:
    runs: list[Run] = []

    def make(agents: dict[str, AgentBehaviour]) -> Run:
        runs.append(Run(tmp_path, agents))
        return runs[-1]

    yield make
    for run in runs:
        run.stop()


def _2001_first_then_1001(start: Any, talk_s: float) -> Run:
    """2001 never answers; logged in a second before 1001, it is the longest idle and is
    offered the first call."""
    run = start(
        {
            "2001": AgentBehaviour(answer_after_s=None),
            "1001": AgentBehaviour(answer_after_s=1.0, talk_s=talk_s),
        }
    )
    run.site.acd.log_in("2001", ready=True)
    run.net.advance(1.0)  # a simulated second, not a real wait, orders the two
    run.site.acd.log_in("1001", ready=True)
    return run


def test_held_offered_missed_then_answered_wrapped_up_and_stored(start: Any) -> None:
    run = _2001_first_then_1001(start, talk_s=20)
    acd = run.site.acd
    run.place("5550101")
    run.until(lambda: run.outcomes(), "the call finished")
    call_id = next(iter(run.outcomes()))
    assert run.outcomes() == {call_id: CallOutcome.ANSWERED}
    assert run.offers() == [("2001", "no_answer"), ("1001", "answered")]
    assert acd.router.agents["2001"].reason == "missed_call"
    assert acd.router.agents["1001"].state is AgentState.WRAP_UP
    run.until(lambda: acd.router.agents["1001"].state is AgentState.READY, "1001 wrapped up")
    moh = [m for m in run.events if m.event == "MusicOnHoldStart"]
    assert moh and moh[0].get("Uniqueid") == call_id
    mix = [m for m in run.events if m.event == "MixMonitorStart"]
    assert len(mix) == 1  # one recording, across both offers
    assert run.dial_ends(call_id) == ["NOANSWER", "ANSWER"]
    run.check_store({call_id})


def test_an_abandon_and_a_callback_that_keeps_its_place(start: Any) -> None:
    run = start({"1001": AgentBehaviour(answer_after_s=1.0, talk_s=10)})
    acd = run.site.acd
    acd.log_in("1001", ready=False)  # nobody ready: both callers wait
    run.place("5550201", behaviour="abandon", abandon_after_s=12.0)
    run.place("5550202", callback=True)
    run.until(lambda: any(c.virtual for c in acd.router.calls.values()), "a callback parked")
    run.until(lambda: len(run.outcomes()) == 1, "the abandon")
    assert list(run.outcomes().values()) == [CallOutcome.ABANDONED]
    acd.ready("1001")  # the callback is rung: agent first, then customer
    run.until(lambda: len(run.outcomes()) == 2, "the callback made")
    assert sorted(run.outcomes().values()) == sorted(
        [CallOutcome.ABANDONED, CallOutcome.CALLED_BACK]
    )
    originates = [m for m in run.events if m.event == "OriginateResponse"]
    assert [m.get("Response") for m in originates] == ["Success"]
    assert originates[0].get("Uniqueid", "").endswith("-cb1")
    run.check_store(set(run.outcomes()))


def test_an_agent_logging_out_while_rung_is_hung_up_and_the_next_agent_answers(
    start: Any,
) -> None:
    run = _2001_first_then_1001(start, talk_s=5)
    acd = run.site.acd
    run.place("5550301")
    run.until(
        lambda: any(
            m.event == "DialBegin" and "agent2001" in m.get("DestChannel", "") for m in run.events
        ),
        "2001 rung",
    )
    left_at = run.site.clock.seconds()
    acd.log_out("2001")  # rung, not answered: the leg is hung up over AMI
    run.until(lambda: len([f for f in run.facts if isinstance(f, CallOffered)]) == 2, "re-offered")
    # Re-offered before the Dial would have given up by itself (ring timeout 10 s).
    assert run.site.clock.seconds() - left_at < 10
    run.until(lambda: run.outcomes(), "the call finished")
    call_id = next(iter(run.outcomes()))
    assert run.outcomes() == {call_id: CallOutcome.ANSWERED}
    assert run.offers() == [("2001", "cancelled"), ("1001", "answered")]
    assert acd.router.agents["2001"].state is AgentState.LOGGED_OUT
    assert run.dial_ends(call_id) == ["NOANSWER", "ANSWER"]
    run.check_store({call_id})
