# -*- test-case-name: tests.integration.test_demo_site -*-
"""One composition root: the demo's site is the simulated PBX plus ``app.build`` of its
settings, and the ACD publishes on the one hub that ``app.build`` hands out. The site
runs on a SimNet (:class:`~switchboard.testing.site.SiteOnSimNet`): no real socket."""

from __future__ import annotations

from pathlib import Path

from twisted.internet.testing import MemoryReactorClock

from switchboard.app import App, build
from switchboard.config import Settings
from switchboard.demo.site import EXAMPLE_FLOWS, EXAMPLE_QUEUES
from switchboard.hub import FACT
from switchboard.sim.pbx import AgentBehaviour
from switchboard.testing.site import SiteOnSimNet


def _tree(app: App) -> list[tuple[str, str]]:
    return [(s.name, type(s).__qualname__) for s in app.root]


def test_app_build_hands_its_hub_to_the_acd_and_a_broken_subscriber_costs_only_itself(
    tmp_path: Path,
) -> None:
    settings = Settings.model_validate(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'sb.sqlite'}"},
            "queues": {"file": EXAMPLE_QUEUES, "recording_dir": tmp_path / "rec"},
        }
    )
    app = build(settings, MemoryReactorClock())
    try:
        assert app.acd is not None and app.acd.hub is app.hub
        assert app.acd.options.hold.recording_dir == str(tmp_path / "rec")
        got: list[object] = []

        def broken(fact: object) -> None:
            raise RuntimeError("a seat with a bug")

        app.hub.subscribe(FACT, broken)  # first: it must not cost the others or the ACD
        app.hub.subscribe(FACT, got.append)
        app.acd.log_in("1001", ready=True)
        app.acd.log_in("1002", ready=True)
        assert [(type(f).__name__, f.agent_id) for f in got] == [  # type: ignore[attr-defined]
            ("AgentStateChanged", "1001"),
            ("AgentStateChanged", "1002"),
        ]
        assert {s.agent_id: s.state.value for s in app.acd.agent_stats()}["1002"] == "ready"
    finally:
        app.database.close()


def test_the_site_runs_the_service_tree_app_build_makes_of_its_settings(
    tmp_path: Path,
) -> None:
    run = SiteOnSimNet(
        tmp_path,
        EXAMPLE_QUEUES,
        {"agent1001": AgentBehaviour()},
        flows_dir=EXAMPLE_FLOWS,
    )
    site = run.site
    try:
        s = site.settings
        assert (s.ami.host, s.ami.port) == ("127.0.0.1", site.pbx.ami_port)
        assert (s.agi.bind, s.agi.port) == ("127.0.0.1", 0)
        assert s.queues.file == EXAMPLE_QUEUES and s.flows.dir == EXAMPLE_FLOWS
        assert s.database.url == f"sqlite:///{tmp_path / 'site.sqlite'}"
        reference = build(s, MemoryReactorClock())
        try:
            assert _tree(site.app) == _tree(reference)
        finally:
            reference.database.close()
        # The pieces the site hands out are the app's, and it serves the flows.
        assert site.acd is site.app.acd and site.acd.hub is site.app.hub
        assert site.agi.factory.handlers is site.app.flows
        assert site.agi.port > 0 and site.app.root.running
    finally:
        run.stop()
    assert not site.app.root.running
