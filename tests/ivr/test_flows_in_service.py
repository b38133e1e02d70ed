# -*- test-case-name: tests.ivr.test_flows_in_service -*-
"""An emptied, broken or deleted flow never takes a flow callers need out of service.

Before: ``flows check`` said ok for a 0-byte ``main-menu.yaml``; a reload then dropped the
flow and calls fell to the built-in capture-compatible script (``tt-monkeysintro``, then
sales); at start, broken flows left ``serve`` running on that script.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from structlog.testing import capture_logs
from twisted.internet.task import Clock
from twisted.internet.testing import MemoryReactorClock

from switchboard.app import build, run_until_stopped
from switchboard.config import DatabaseSettings, FlowsSettings, QueuesSettings, Settings
from switchboard.cti.agi.builtin import BUILTIN_HANDLERS
from switchboard.ivr_flows.errors import FlowError
from switchboard.ivr_flows.registry import FlowHandlers
from switchboard.ivr_flows.services import MemoryServices
from tests.ivr.helpers import touch, write
from tests.ivr.test_commands import run

MAIN = "steps: {q: {type: queue, queue: one}}\n"
MAIN_V2 = "steps: {q: {type: queue, queue: two}}\n"
SALES = "steps: {q: {type: queue, queue: sales}}\n"
CALLS_SALES = "steps: {g: {type: goto, flow: sales}}\n"


def _handlers(directory: Path, clock: Clock, **kwargs: object) -> FlowHandlers:
    handlers = FlowHandlers(directory, clock, MemoryServices(), poll_interval_s=2, **kwargs)  # type: ignore[arg-type]
    handlers.startService()
    return handlers


def _rejected(logs: list[dict[str, object]]) -> list[tuple[object, object]]:
    assert any(e["event"] == "flows_rejected" for e in logs)
    return [(e["code"], e["message"]) for e in logs if e["event"] == "flow_problem_found"]


@pytest.mark.parametrize("text", ["", "# steps moved to another file\n", "---\n"])
def test_flows_check_refuses_an_empty_flow_file(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, main_menu=MAIN, other=text)
    assert run("flows", "check", str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert "other.yaml: the file is empty" in out and "[empty_file]" in out
    assert "delete the file" in out


def test_flows_check_refuses_an_unparsable_flow_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, main_menu=MAIN, other="steps: {q: [\n")
    assert run("flows", "check", str(tmp_path)) == 1
    assert "other.yaml:2: not valid YAML" in capsys.readouterr().out


def test_flows_check_names_a_missing_entry_flow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, sales=SALES)  # the settings' [flows] entry is main-menu
    assert run("flows", "check", str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert "no flow 'main-menu', which is an entry flow ([flows] entry)" in out
    assert "[flow_in_use]" in out


def test_truncating_the_entry_flow_keeps_the_previous_version(tmp_path: Path) -> None:
    flow = write(tmp_path, main_menu=MAIN) / "main-menu.yaml"
    clock = Clock()
    handlers = _handlers(tmp_path, clock, entry=["main-menu"])
    with capture_logs() as logs:
        touch(flow, "", 10**18)  # an editor or deploy that truncates before writing
        clock.advance(2)
    assert "main-menu" in handlers and handlers.registry.version == 1
    assert _rejected(logs)[0][0] == "empty_file"

    touch(flow, MAIN_V2, 2 * 10**18)  # the write that follows goes into service
    clock.advance(2)
    assert handlers.registry.flows.flows["main-menu"].steps["q"].queue == "two"  # type: ignore[attr-defined]
    handlers.stopService()


def test_deleting_the_entry_flow_is_refused(tmp_path: Path) -> None:
    write(tmp_path, main_menu=MAIN, sales=SALES)
    clock = Clock()
    handlers = _handlers(tmp_path, clock, entry=["main-menu"])
    with capture_logs() as logs:
        (tmp_path / "main-menu.yaml").unlink()
        clock.advance(2)
    assert "main-menu" in handlers
    [(code, message)] = _rejected(logs)
    assert code == "flow_in_use" and "entry flow" in str(message)
    handlers.stopService()


def test_deleting_a_flow_callers_reached_by_name_is_refused(tmp_path: Path) -> None:
    from tests.ivr.test_runner import Harness

    write(tmp_path, main_menu=MAIN, sales=SALES, spare=SALES)
    harness = Harness(tmp_path)
    harness.call("sales", [])  # the dialplan runs AGI(agi://…/sales)
    harness.handlers.startService()
    with capture_logs() as logs:
        (tmp_path / "sales.yaml").unlink()
        (tmp_path / "spare.yaml").unlink()
        harness.clock.advance(2)
    assert "sales" in harness.handlers and "spare" in harness.handlers
    [(code, message)] = _rejected(logs)
    assert code == "flow_in_use" and "'sales'" in str(message)
    assert "callers have reached it by name" in str(message)

    (tmp_path / "sales.yaml").write_text(SALES)  # a flow no one has asked for may go
    harness.clock.advance(2)
    assert "spare" not in harness.handlers and "sales" in harness.handlers
    harness.handlers.stopService()


def test_deleting_a_goto_target_is_refused(tmp_path: Path) -> None:
    write(tmp_path, main_menu=CALLS_SALES, sales=SALES)
    clock = Clock()
    handlers = _handlers(tmp_path, clock)
    with capture_logs() as logs:
        (tmp_path / "sales.yaml").unlink()
        clock.advance(2)
    assert "sales" in handlers
    assert _rejected(logs)[0][0] == "unknown_flow"
    handlers.stopService()


def test_broken_flows_at_start_are_an_error(tmp_path: Path) -> None:
    write(tmp_path, main_menu="")
    with pytest.raises(FlowError) as error:
        FlowHandlers(tmp_path, Clock(), MemoryServices())
    assert "[empty_file]" in str(error.value)


def test_a_missing_entry_flow_at_start_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, sales=SALES)
    with pytest.raises(FlowError) as error:
        FlowHandlers(tmp_path, Clock(), MemoryServices(), entry=["main-menu"])
    assert "no flow 'main-menu'" in str(error.value)


def test_the_builtin_only_serves_when_given(tmp_path: Path) -> None:
    write(tmp_path, sales=SALES)
    handlers = FlowHandlers(
        tmp_path, Clock(), MemoryServices(), entry=["main-menu"], extra=BUILTIN_HANDLERS
    )
    assert handlers["main-menu"] is BUILTIN_HANDLERS["main-menu"]


def _settings(tmp_path: Path, **flows: object) -> Settings:
    return Settings(
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'sb.sqlite'}"),
        flows=FlowsSettings(**flows),
    )  # type: ignore[arg-type]


def test_serve_stops_with_exit_2_on_broken_flows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = write(tmp_path / "flows", main_menu="")
    assert run_until_stopped(_settings(tmp_path, dir=flows), MemoryReactorClock()) == 2
    err = capsys.readouterr().err
    assert "main-menu.yaml: the file is empty" in err and "[empty_file]" in err


def test_serve_never_runs_the_builtin_unless_configured(tmp_path: Path) -> None:
    flows = write(tmp_path / "flows", sales=SALES)
    app = build(_settings(tmp_path, dir=flows, entry=["sales"]), MemoryReactorClock())
    assert "main-menu" not in app.agi.factory.handlers
    with pytest.raises(FlowError):  # the default entry, main-menu, is not there
        build(_settings(tmp_path, dir=flows), MemoryReactorClock())
    app = build(_settings(tmp_path, dir=flows, builtin_main_menu=True), MemoryReactorClock())
    assert app.agi.factory.handlers["main-menu"] is BUILTIN_HANDLERS["main-menu"]


def test_serve_treats_a_bad_queue_file_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queues = tmp_path / "queues.yaml"
    queues.write_text("queues: {sales: {}}\nqueues: {support: {}}\n")
    settings = _settings(tmp_path).model_copy(update={"queues": QueuesSettings(file=queues)})
    assert run_until_stopped(settings, MemoryReactorClock()) == 2
    assert "duplicate key 'queues' on line 2 (first on line 1)" in capsys.readouterr().err
