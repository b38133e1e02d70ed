# -*- test-case-name: tests.unit.test_demo_tally -*-
"""The demo's per-queue figures, added up from router facts with the live stats' rules."""

from __future__ import annotations

from switchboard.demo.tally import FactTally, summary_line
from switchboard.queue import Queue
from switchboard.queue.core.decisions import CallAnswered, CallHandled, CallQueued, QueueLeft


def test_figures_follow_the_service_level_and_abandon_rules() -> None:
    tally = FactTally([Queue("sales", service_level_s=20, short_abandon_s=5)])
    for fact in (
        CallQueued("c1", "sales", 0, 0),
        CallAnswered("c1", "sales", "a1", 10, 10),
        CallQueued("c2", "sales", 0, 0),
        CallAnswered("c2", "sales", "a1", 40, 40),
        CallQueued("c3", "sales", 0, 0),
        QueueLeft("c3", "sales", 3, "abandoned", 3),
        CallQueued("c4", "sales", 0, 0),
        QueueLeft("c4", "sales", 30, "callback", 30),
        CallAnswered("c4", "sales", "a1", 90, 60, callback=True),
        CallHandled("c1", "sales", "a1", 70, 50, 10),
        CallQueued("x", "nosuch", 0, 0),
    ):
        tally.observe(fact)
    q = tally.summary()["sales"]
    assert (q["offered"], q["answered"], q["abandoned"], q["short_abandons"]) == (4, 2, 1, 1)
    assert (q["callbacks"], q["called_back"]) == (1, 1)
    assert q["service_level_pct"] == 50.0  # 1 of 2 in 20 s; the short abandon is left out
    assert q["asa_s"] == 25.0 and q["aht_s"] == 60.0
    line = summary_line(tally.summary(), {"sales": 2})
    assert line.startswith("sales: waiting 2, answered 2, abandoned 1, callbacks 1, SL 50%")
