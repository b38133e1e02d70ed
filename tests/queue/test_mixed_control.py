# -*- test-case-name: tests.queue.test_mixed_control -*-
"""A queue file mixing ACD and app_queue queues: one agent API drives both sides.

The ACD side is the real AcdService (fake AMI); the app_queue side the real
AppQueueAgentControl on the simulated PBX's AMI in memory. ``sales`` is the ACD's,
``support`` app_queue's; Ann is in sales, Grace in support, Heidi in both.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from structlog.testing import capture_logs

from switchboard.queue.config.queue_file import QueueConfig
from switchboard.queue.core.model import Agent, AgentState, Queue, frozen_map
from switchboard.queue.shell.control import AcdAgentControl, AgentControlError
from switchboard.queue.shell.mixed_control import MixedAgentControl
from tests.queue.sim_ami import SimAmi
from tests.queue.test_appqueue_control import GRACE, HEIDI, _Site
from tests.queue.test_hold import QUIET, Site, site

CONFIG = QueueConfig(
    queues=(Queue("sales", **QUIET), Queue("support", routing="app_queue")),  # type: ignore[arg-type]
    agents=(
        Agent("ann", "Ann", "PJSIP/ann", frozen_map({}), frozenset(), ("sales",)),
        Agent("grace", "Grace", GRACE, frozen_map({}), frozenset(), ("support",)),
        Agent("heidi", "Heidi", HEIDI, frozen_map({}), frozenset(), ("sales", "support")),
    ),
)


class _Both:
    def __init__(self) -> None:
        self.acd: Site = site(CONFIG.queues, CONFIG.agents)
        self.app = _Site(SimAmi(), CONFIG.routed_by("app_queue"), None)
        self.control = MixedAgentControl(AcdAgentControl(self.acd.acd), self.app.control, CONFIG)

    def members(self) -> dict[str, tuple[bool, str, int]]:
        return self.app.sim.members("support")


@pytest.fixture
def both() -> Iterator[_Both]:
    with capture_logs():
        made = _Both()
        yield made
        made.app.stop()
        made.acd.close()


def test_each_agent_is_driven_where_their_queues_are(both: _Both) -> None:
    run = both.app.run
    assert run(both.control.log_in("ann", ready=True)).state is AgentState.READY
    assert both.acd.state("ann") is AgentState.READY
    assert "PJSIP/ann" not in both.members()  # the ACD's agent is no app_queue member
    view = run(both.control.log_in("grace", ready=True))
    assert (view.state, view.queues) == (AgentState.READY, ("support",))
    assert both.members()[GRACE][0] is False
    assert both.acd.state("grace") is AgentState.LOGGED_OUT  # nothing for the ACD
    run(both.control.pause("grace", "lunch"))
    assert both.members()[GRACE][:2] == (True, "lunch")
    run(both.control.log_out("ann"))
    assert both.acd.state("ann") is AgentState.LOGGED_OUT


def test_an_agent_in_both_kinds_of_queue_is_driven_on_both_sides(both: _Both) -> None:
    run = both.app.run
    view = run(both.control.log_in("heidi", ready=True))
    assert (view.state, view.queues) == (AgentState.READY, ("sales", "support"))
    assert both.acd.state("heidi") is AgentState.READY and both.members()[HEIDI][0] is False
    run(both.control.pause("heidi", "training"))
    assert both.acd.state("heidi") is AgentState.NOT_READY
    assert both.members()[HEIDI][:2] == (True, "training")
    run(both.control.log_out("heidi"))
    assert both.acd.state("heidi") is AgentState.LOGGED_OUT and HEIDI not in both.members()


def test_login_to_one_queue_goes_only_to_its_side(both: _Both) -> None:
    run = both.app.run
    view = run(both.control.log_in("heidi", ready=True, queues=["support"]))
    assert both.acd.state("heidi") is AgentState.LOGGED_OUT and HEIDI in both.members()
    assert view.state is AgentState.READY
    with pytest.raises(AgentControlError) as refused:
        run(both.control.log_in("heidi", queues=["billing"]))
    assert refused.value.code == "bad_request" and "sales, support" in refused.value.message


def test_the_list_has_every_agent_and_refusals_name_the_known_ones(both: _Both) -> None:
    run = both.app.run
    run(both.control.log_in("grace"))
    views = run(both.control.agents())
    assert [(v.id, v.state.value) for v in views] == [
        ("ann", "logged_out"),
        ("grace", "not_ready"),
        ("heidi", "logged_out"),
    ]
    with pytest.raises(AgentControlError) as unknown:
        run(both.control.ready("zed"))
    assert unknown.value.known == ("ann", "grace", "heidi")
    # Refused on every side it was sent to: refused, with the first side's reason.
    with pytest.raises(AgentControlError) as refused:
        run(both.control.finish_wrapup("heidi"))
    assert refused.value.code == "refused" and "not in wrap-up" in refused.value.message
