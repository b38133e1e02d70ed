"""The composition root builds what the settings ask for, and nothing they do not."""

from __future__ import annotations

from pathlib import Path

from twisted.internet.testing import MemoryReactorClock

from switchboard.app import build
from switchboard.config import ControlSettings, DatabaseSettings, QueuesSettings, Settings

EXAMPLE_QUEUES = Path(__file__).resolve().parents[2] / "switchboard/queue/examples/queues.yaml"


def _settings(tmp_path: Path, **queues: object) -> Settings:
    return Settings(
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'sb.sqlite'}"),
        queues=QueuesSettings(**queues),  # type: ignore[arg-type]
    )


def test_without_a_queue_file_the_dialplan_routes(tmp_path: Path) -> None:
    app = build(_settings(tmp_path), MemoryReactorClock())
    assert app.acd is None
    # The control endpoint is there in both modes; without an ACD it says so (503).
    assert {s.name for s in app.root} == {"ami", "flows", "agi", "control"}
    assert "main-menu" in app.agi.factory.handlers  # the example flow, served


def test_a_queue_file_brings_the_acd_and_its_hot_reload(tmp_path: Path) -> None:
    app = build(_settings(tmp_path, file=EXAMPLE_QUEUES), MemoryReactorClock())
    assert app.acd is not None
    assert {"acd", "queues-watcher"} <= {s.name for s in app.root}
    assert {q.name for q in app.acd.config.queues} == {"sales", "support"}


def test_the_control_endpoint_listens_on_loopback_unless_disabled(tmp_path: Path) -> None:
    reactor = MemoryReactorClock()
    app = build(_settings(tmp_path, file=EXAMPLE_QUEUES), reactor)
    assert app.control is not None
    app.control.startService()
    (port, _factory, _backlog, interface), = reactor.tcpServers
    assert (port, interface) == (4575, "127.0.0.1")
    off = Settings(database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'sb.sqlite'}"),
                   control=ControlSettings(enabled=False))
    assert build(off, MemoryReactorClock()).control is None
