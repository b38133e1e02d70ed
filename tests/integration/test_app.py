"""The composition root builds what the settings ask for, and nothing they do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from twisted.internet.testing import MemoryReactorClock

from switchboard import app as app_module
from switchboard.app import build
from switchboard.config import ControlSettings, DatabaseSettings, QueuesSettings, Settings
from switchboard.cti.ami.service import AmiClient
from switchboard.cti.calls import CallEnded, CallNews, CallsResynced, CallStarted
from switchboard.hub import CALL
from switchboard.queue.shell.appqueue_control import AppQueueAgentControl
from switchboard.queue.shell.control import AcdAgentControl
from switchboard.queue.shell.mixed_control import MixedAgentControl
from switchboard.testing.ami import FakeAmiServer
from tests.calls.replay import event_blocks

EXAMPLE_QUEUES = Path(__file__).resolve().parents[2] / "switchboard/queue/examples/queues.yaml"


def _settings(tmp_path: Path, **queues: object) -> Settings:
    return Settings(
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'sb.sqlite'}"),
        queues=QueuesSettings(**queues),  # type: ignore[arg-type]
    )


def test_without_a_queue_file_the_dialplan_routes_and_its_queues_are_tracked(
    tmp_path: Path,
) -> None:
    app = build(_settings(tmp_path), MemoryReactorClock())
    assert app.acd is None
    # The control endpoint is there in both modes; without an ACD agents are app_queue
    # members, controlled through AMI, and every queue AMI shows is tracked.
    assert {s.name for s in app.root} == {
        "ami",
        "calls",
        "flows",
        "agi",
        "control",
        "app-queue",
        "appqueue-agents",
        "seat",
        "wallboard",
        "recorder",
        "crm-last-contact",
        "callrecord",
        "recording-copies",
        "web",
    }
    assert app.app_queue is not None and app.app_queue.tracker.tracks("any-queue-ami-shows")
    assert isinstance(app.agent_control, AppQueueAgentControl)
    assert "main-menu" in app.agi.factory.handlers  # the example flow, served


def test_app_queue_queues_of_the_file_are_tracked_and_the_acd_routes_the_others(
    tmp_path: Path,
) -> None:
    text = EXAMPLE_QUEUES.read_text(encoding="utf-8")
    mixed = tmp_path / "queues.yaml"
    mixed.write_text(
        text.replace("  support:\n", "  support:\n    routing: app_queue\n", 1), encoding="utf-8"
    )
    app = build(_settings(tmp_path, file=mixed), MemoryReactorClock())
    assert app.acd is not None and app.app_queue is not None
    assert {q.name for q in app.acd.config.queues} == {"sales"}
    assert all("support" not in a.queues for a in app.acd.config.agents)
    tracker = app.app_queue.tracker
    assert (tracker.tracks("support"), tracker.tracks("sales")) == (True, False)


def test_a_queue_file_brings_the_acd_and_its_hot_reload(tmp_path: Path) -> None:
    app = build(_settings(tmp_path, file=EXAMPLE_QUEUES), MemoryReactorClock())
    assert app.acd is not None
    assert {"acd", "queues-watcher"} <= {s.name for s in app.root}
    assert {q.name for q in app.acd.config.queues} == {"sales", "support"}
    assert app.app_queue is None  # every queue of the file is the ACD's
    assert isinstance(app.agent_control, AcdAgentControl)
    assert "appqueue-agents" not in {s.name for s in app.root}


def test_the_control_endpoint_listens_on_loopback_unless_disabled(tmp_path: Path) -> None:
    reactor = MemoryReactorClock()
    app = build(_settings(tmp_path, file=EXAMPLE_QUEUES), reactor)
    assert app.control is not None
    app.control.startService()
    ((port, _factory, _backlog, interface),) = reactor.tcpServers
    assert (port, interface) == (4575, "127.0.0.1")
    off = Settings(
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'sb.sqlite'}"),
        control=ControlSettings(enabled=False),
    )
    assert build(off, MemoryReactorClock()).control is None


def test_the_web_tier_listens_where_web_says_unless_disabled(tmp_path: Path) -> None:
    from switchboard.config import WebSettings

    reactor = MemoryReactorClock()
    settings = _settings(tmp_path).model_copy(update={"web": WebSettings(port=8181)})
    app = build(settings, reactor)
    assert app.web is not None and app.web.parent is app.root
    app.web.startService()
    ((port, site, _backlog, interface),) = reactor.tcpServers
    assert (port, interface, site) == (8181, "127.0.0.1", app.web.site)
    off = _settings(tmp_path).model_copy(update={"web": WebSettings(enabled=False)})
    assert build(off, MemoryReactorClock()).web is None


def test_the_calls_on_the_ami_link_are_published_on_the_hub_call_topic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reactor = MemoryReactorClock()
    asterisk = FakeAmiServer(reactor)
    monkeypatch.setattr(  # the app's own AMI client, connected to a fake Asterisk
        app_module, "build_ami", lambda s, r: AmiClient(s.ami, r, endpoint=asterisk)
    )
    app = build(_settings(tmp_path), reactor)
    published: list[CallNews] = []
    app.hub.subscribe(CALL, published.append)
    app.root.startService()
    assert app.root.getServiceNamed("calls") is app.calls
    conn = asterisk.last
    conn.banner()
    conn.accept_login(md5_challenge="4a5b6c")
    # After the login the tracker asks which channels are live: none yet.
    (listing,) = [a for a in conn.actions() if a.action == "CoreShowChannels"]
    conn.respond(listing, "Success", ("EventList", "start"))
    conn.send(
        [
            ("Event", "CoreShowChannelsComplete"),
            ("ActionID", listing.action_id or ""),
            ("EventList", "Complete"),
            ("ListItems", "0"),
        ]
    )
    reactor.advance(60.0)
    # The resync's end: no call live after the login.
    assert published == [CallsResynced((), 0.0)]
    conn.send(event_blocks("scenario-6calls/ami-scenario-6calls"))  # Newchannel ... Hangup
    changes = [c for c in published[1:] if not isinstance(c, CallsResynced)]
    assert len(changes) == len(published) - 1
    ended = [c for c in changes if isinstance(c, CallEnded)]
    assert len(ended) == 6 and all(c.reason == "hangup" and c.at == 60.0 for c in ended)
    assert isinstance(changes[0], CallStarted)
    assert {c.call.call_id for c in changes} == {c.call.call_id for c in ended}
    # What a subscriber across a bus would read: the hub's JSON form, read back equal.
    assert all(CALL.from_json(json.loads(json.dumps(CALL.to_json(c)))) == c for c in published)
    assert app.calls.model.live_calls() == ()
    app.root.stopService()


def test_a_mixed_queue_file_is_one_set_of_figures_and_one_agent_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reactor = MemoryReactorClock()
    asterisk = FakeAmiServer(reactor)
    monkeypatch.setattr(
        app_module, "build_ami", lambda s, r: AmiClient(s.ami, r, endpoint=asterisk)
    )
    mixed = tmp_path / "queues.yaml"
    mixed.write_text(
        EXAMPLE_QUEUES.read_text(encoding="utf-8").replace(
            "  support:\n", "  support:\n    routing: app_queue\n", 1
        ),
        encoding="utf-8",
    )
    app = build(_settings(tmp_path, file=mixed), reactor)
    assert app.acd is not None and app.app_queue is not None
    assert app.stats is app.acd.stats is app.app_queue.stats
    assert isinstance(app.agent_control, MixedAgentControl)
    app.root.startService()
    asterisk.last.banner()
    asterisk.last.accept_login(md5_challenge="4a5b6c")
    reactor.advance(100.0)
    # The ACD's agent and queue ...
    app.acd.log_in("1001", ready=True)
    # ... and a caller waiting in Asterisk's support queue, seen on AMI.
    asterisk.last.send(
        [
            ("Event", "QueueCallerJoin"),
            ("Queue", "support"),
            ("Uniqueid", "1790000000.7"),
            ("Linkedid", "1790000000.7"),
            ("CallerIDNum", "5550123"),
        ]
    )
    figures = {s.queue: s for s in app.stats.queues(reactor.seconds())}
    assert sorted(figures) == ["sales", "support"]
    assert figures["support"].waiting == 1
    assert figures["support"].windows["today"].offered == 1
    assert figures["sales"].agents_by_state.get("ready") == 1
    app.root.stopService()
