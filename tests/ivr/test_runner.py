"""The runner over a real AgiSession (StringTransport, task.Clock): no sockets, no sleeping."""

from __future__ import annotations

from pathlib import Path

import pytest
from structlog.testing import capture_logs
from twisted.internet.task import Clock

from switchboard.cti.agi.server import AgiServerFactory
from switchboard.cti.agi.session import SessionOptions
from switchboard.ivr_flows.effects import CustomerView
from switchboard.ivr_flows.registry import FlowHandlers
from switchboard.ivr_flows.services import MemoryServices
from switchboard.testing.agi import FakeAsterisk, env_block
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM, write
from tests.ivr.scripted import ScriptedCaller


class Harness:
    def __init__(self, flows_dir: Path, services: MemoryServices | None = None) -> None:
        self.clock = Clock()
        self.clock.advance(TUESDAY_10AM)
        self.services = services or MemoryServices()
        self.handlers = FlowHandlers(flows_dir, self.clock, self.services)
        self.factory = AgiServerFactory(self.handlers, self.clock, SessionOptions())

    def call(self, script: str, keys: list[str], **caller: object) -> ScriptedCaller:
        scripted = ScriptedCaller(list(keys), **caller)  # type: ignore[arg-type]
        asterisk = FakeAsterisk(self.factory, self.clock)
        asterisk.send(env_block(script=script, callerid="13800138000"))
        for _ in range(500):
            commands = asterisk.commands()
            if not commands:
                if asterisk.closed_by_server:
                    break
                self.clock.advance(1)  # hang-up grace, if the caller left
                continue
            for words in commands:
                asterisk.reply(*scripted.respond(words))
        assert asterisk.closed_by_server
        asterisk.disconnect()
        assert self.clock.getDelayedCalls() == []
        return scripted


@pytest.fixture
def examples() -> Harness:
    return Harness(EXAMPLES)


def test_right_digit_right_queue(examples: Harness) -> None:
    caller = examples.call("main-menu", ["1", "2"])
    assert caller.variables["SWITCHBOARD_QUEUE"] == "support"
    # The route reads "failed" until the flow has decided (a broken-off session falls back).
    assert caller.commands[:2] == [["ANSWER"], ["SET", "VARIABLE", "SWITCHBOARD_ROUTE", "failed"]]
    assert caller.commands[-1] == ["SET", "VARIABLE", "SWITCHBOARD_ROUTE", "routed"]
    record = examples.services.sessions[-1]
    assert record.outcome == "queued" and record.digits == "12"
    assert [e["step"] for e in record.trace if e["event"] == "entered"][-1] == "support"


def test_wrong_digit_plays_the_retry_prompt(examples: Harness) -> None:
    caller = examples.call("main-menu", ["1", "9", "2"])
    played = [w[2] for w in caller.commands if w[:2] == ["STREAM", "FILE"]]
    assert "switchboard/zh_CN/invalid-choice" in played
    assert caller.variables["SWITCHBOARD_QUEUE"] == "support"


def test_hangup_mid_menu_ends_cleanly(examples: Harness) -> None:
    examples.call("main-menu", ["1", "-", "hangup"])
    record = examples.services.sessions[-1]
    assert record.outcome == "caller_hangup" and record.last_step == "menu"
    assert record.trace[-1]["event"] == "caller_hung_up"


def test_vip_fast_path_with_lookup(tmp_path: Path) -> None:
    services = MemoryServices()
    services.add_customer(CustomerView(9, "Wang", 3, "", {}), phone="+8613800138000")
    harness = Harness(EXAMPLES, services)
    caller = harness.call("main-menu", ["3"])
    assert caller.variables["SWITCHBOARD_QUEUE"] == "support"
    assert caller.variables["QUEUE_PRIO"] == "10"
    assert caller.variables["SWITCHBOARD_LANGUAGE"] == "en"  # the ACD routes by language
    assert services.sessions[-1].customer_id == 9


def test_survey_score_stored_with_agent(examples: Harness) -> None:
    examples.call(
        "csat", ["5"], channel_variables={"MEMBERNAME": "agent1001", "SWITCHBOARD_QUEUE": "support"}
    )
    answer = examples.services.surveys[-1]
    assert (answer.score, answer.agent, answer.queue) == (5, "agent1001", "support")


def test_crash_sends_the_caller_to_the_dialplan_fallback(tmp_path: Path) -> None:
    class Broken(MemoryServices):
        async def save_callback(self, request: object) -> None:
            raise RuntimeError("database down")

    write(
        tmp_path,
        main="""\
        steps:
          cb: {type: callback}
          q: {type: queue, queue: never}
        """,
    )
    harness = Harness(tmp_path, Broken())
    with capture_logs() as logs:
        caller = harness.call("main", [])
    assert caller.variables["SWITCHBOARD_QUEUE"] == ""
    assert caller.variables["SWITCHBOARD_FALLBACK"] == "ivr_error"
    assert harness.services.sessions[-1].outcome == "error"
    failed = [e for e in logs if e["event"] == "ivr_flow_failed"]
    assert failed and failed[0]["call_id"] == "1795369105.20" and failed[0]["step"] == "cb"


def test_lookup_failure_is_not_found(tmp_path: Path) -> None:
    class Down(MemoryServices):
        async def lookup_customer(self, kind: str, value: str) -> CustomerView | None:
            raise ConnectionError("no database")

    write(
        tmp_path,
        main="""\
        steps:
          who: {type: lookup, found: k, not_found: u}
          k: {type: queue, queue: known}
          u: {type: queue, queue: unknown}
        """,
    )
    caller = Harness(tmp_path, Down()).call("main", [])
    assert caller.variables["SWITCHBOARD_QUEUE"] == "unknown"


def test_a_session_record_the_store_refuses_does_not_change_the_call(tmp_path: Path) -> None:
    class NoStore(MemoryServices):
        async def save_session(self, record: object) -> None:
            raise RuntimeError("database down")

    write(tmp_path, main="steps: {q: {type: queue, queue: sales}}\n")
    with capture_logs() as logs:
        caller = Harness(tmp_path, NoStore()).call("main", [])
    assert caller.variables["SWITCHBOARD_QUEUE"] == "sales"  # routed as if stored
    assert "SWITCHBOARD_FALLBACK" not in caller.variables
    lost = [e for e in logs if e["event"] == "ivr_trace_not_saved"]
    assert lost and lost[0]["call_id"] == "1795369105.20"
