"""The composition root builds what the settings ask for, and nothing they do not."""

from __future__ import annotations

from pathlib import Path

from twisted.internet.testing import MemoryReactorClock

from switchboard.app import build
from switchboard.config import DatabaseSettings, QueuesSettings, Settings

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
    assert {s.name for s in app.root} == {"ami", "flows", "agi", "app-queue"}
    assert app.app_queue is not None and app.app_queue.tracker.tracks("any-queue-ami-shows")
    assert "main-menu" in app.agi.factory.handlers  # the example flow, served


def test_app_queue_queues_of_the_file_are_tracked_and_the_acd_routes_the_others(
    tmp_path: Path,
) -> None:
    text = EXAMPLE_QUEUES.read_text(encoding="utf-8")
    mixed = tmp_path / "queues.yaml"
    mixed.write_text(text.replace("  support:\n", "  support:\n    routing: app_queue\n", 1),
                     encoding="utf-8")
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
