"""The example centre on SimNet for the call records' restart and outage tests: one sales
agent who answers after 1 s and talks ``talk_s``, callers who pick English and the
operator (the sales queue), and what the records and the simulated Asterisk say."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from twisted.internet.defer import Deferred

from switchboard.callrecord import list_call_records
from switchboard.demo.cli import write_site_queue_file
from switchboard.demo.site import EXAMPLE_QUEUES
from switchboard.sim.pbx import AgentBehaviour
from switchboard.sim.scenario import KeyPress, ScriptedCall
from switchboard.testing.site import SiteOnSimNet
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM

ENGLISH = KeyPress("3", 0.5, "choose-language")
OPERATOR = KeyPress("0", 0.5, "main-menu")  # the example menu's 0: the sales queue
ROUTINGS = ("switchboard", "app_queue")


class RecordsSite:
    def __init__(self, work: Path, routing: str, *, talk_s: float = 60.0) -> None:
        work.mkdir()
        queues = write_site_queue_file(EXAMPLE_QUEUES, 1, work / "queues.yaml", routing)
        self.run = SiteOnSimNet(
            work,
            queues,
            {"agent1001": AgentBehaviour(answer_after_s=1.0, talk_s=talk_s)},
            flows_dir=EXAMPLES,
            epoch=TUESDAY_10AM,
            routing=routing,
        )
        self.site = self.run.site
        self.start = self.site.clock.seconds()
        self._numbers: list[str] = []
        if routing == "switchboard":  # app_queue's agents are its queues' static members
            self.site.acd.log_in("1001", ready=True)

    def now_s(self) -> float:
        """Simulated seconds since the site started."""
        return self.site.clock.seconds() - self.start

    def advance_to(self, at_s: float) -> None:
        while self.now_s() < at_s:
            self.run.net.advance(0.25)

    def queued(self, name: str, **kw: Any) -> None:
        """A caller who goes to the sales queue (``kw``: their behaviour)."""
        number = str(5550101 + len(self._numbers))
        self._numbers.append(number)
        self.site.pbx.place(
            ScriptedCall(at_s=0.0, number=number, name=name, keys=(ENGLISH, OPERATOR), **kw)
        )

    def hangs_up_in_ivr(self, name: str, after_s: float) -> None:
        self.site.pbx.place(
            ScriptedCall(
                at_s=0.0, number="5550999", name=name, behaviour="abandon", abandon_after_s=after_s
            )
        )

    def restart(self, down_s: float, during: Callable[[], object] = lambda: None) -> None:
        """switchboard stopped, ``during()`` run while it is down, started again."""
        restarted = Deferred.fromCoroutine(self.site.restart_app(down_s))
        during()
        self.run.wait(restarted, "switchboard restarted")

    def records(self) -> dict[str, dict[str, Any]]:
        """Every call record, by the caller's name, once what was received is written."""
        app = self.site.app
        assert app.callrecord is not None
        self.run.wait(app.callrecord.written(), "the records written")
        with Session(app.database.engine) as session:
            rows = list_call_records(session, limit=500)
        by_name = {r["caller_name"]: r for r in rows}
        assert len(by_name) == len(rows), "two records of one caller"
        return by_name

    def live_in_asterisk(self) -> set[str]:
        """The Linkedids of the calls the simulated Asterisk has channels of now."""
        return {c.linkedid for c in self.site.pbx.pbx.channels.values()}

    def stop(self) -> None:
        self.run.stop()


def summary(record: dict[str, Any], start: float) -> tuple[Any, ...]:
    """What a supervisor reads of a record: outcome, why it ended, and when (seconds
    since the site started, to the second; None while open)."""
    ended = record["ended_at"]
    return (
        record["outcome"] or "open",
        record["end_reason"],
        None if ended is None else round(ended - start),
    )
