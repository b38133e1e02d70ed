# -*- test-case-name: tests.queue.test_acd_sim,tests.queue.test_ivr_acd_sim -*-
"""A whole simulated call centre (:func:`~switchboard.demo.site.start_site`) on a SimNet.

:class:`SiteOnSimNet` starts the simulated PBX, the FastAGI server, the AMI client, the
ACD and SQLite (``app.build`` of the site's settings, as ``serve`` does) in one process on
one :class:`~switchboard.testing.simnet.SimNet` (speed 1: a clock second is a simulated
second), and keeps every queue fact (the hub's ``FACT`` topic: the ACD's, or with
``routing="app_queue"`` the app_queue tracker's) and AMI event, so a test
drives calls and asserts on what a caller, an agent or a supervisor would notice.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from twisted.internet.defer import Deferred

from switchboard.config import Settings
from switchboard.cti.ami.frames import Message
from switchboard.demo.site import Site, start_site
from switchboard.hub import FACT
from switchboard.queue.core.decisions import CallFinished, Fact
from switchboard.sim.pbx import AgentBehaviour
from switchboard.testing.simnet import SimNet

__all__ = ["SiteOnSimNet"]

T = TypeVar("T")
LIMIT_S = 600.0  # simulated seconds one step may take before the test gives up


class SiteOnSimNet:
    """One running site on the queue file ``queues_file``; ``stop`` it at the end (it
    checks that nothing outlives it)."""

    def __init__(
        self,
        work: Path,
        queues_file: Path,
        behaviours: dict[str, AgentBehaviour],
        *,
        seed: int = 1,
        flows_dir: Path | None = None,
        epoch: float | None = None,
        routing: str = "switchboard",
        people: frozenset[str] = frozenset(),
        survey_script: str = "",
    ) -> None:
        self.net = SimNet()
        self.site: Site = self.wait(
            start_site(
                self.net,
                Settings(),
                queues_file,
                speed=1.0,
                seed=seed,
                db_path=work / "site.sqlite",
                work=work,
                behaviours=behaviours,
                flows_dir=flows_dir,
                epoch=epoch,
                database_runner=self.net.database_runner,
                routing=routing,
                people=people,
                survey_script=survey_script,
            ),
            "the site started",
        )
        self.facts: list[Fact] = []
        self.events: list[Message] = []
        self.site.app.hub.subscribe(FACT, self.facts.append)
        self.site.ami.subscribe("*", self.events.append)

    def until(self, done: Callable[[], object], what: str, limit_s: float = LIMIT_S) -> None:
        """Run simulated time until ``done()`` holds (``Stalled`` naming ``what`` if not)."""
        self.net.run_until(done, limit_s, what)

    def wait(self, awaitable: Deferred[T] | Coroutine[Any, Any, T], what: str) -> T:
        return self.net.wait(awaitable, LIMIT_S, what)

    def finished(self) -> dict[str, CallFinished]:
        """The calls over, by call id."""
        return {f.call_id: f for f in self.facts if isinstance(f, CallFinished)}

    def stop(self) -> None:
        """Stop every service; fail if a timer, connection or listener is left behind."""
        self.wait(self.site.stop(), "the site stopped")
        assert self.net.leftovers() == []
