# -*- test-case-name: tests.ivr.test_documented_dialplan -*-
"""Whole calls through docs/asterisk.md's dialplan on a PBX that lacks things (issue 8).

The simulated PBX has Debian's English core sounds but none of switchboard's prompts, as
a new site has on day one; in some tests it has no app_voicemail either. It answers as
Asterisk 22 does (the agi-failures capture): a missing prompt is ``-1`` and makes
AGISTATUS ``FAILURE``, a missing application is ``-2``.
"""

from __future__ import annotations

from pathlib import Path

from structlog.testing import capture_logs
from twisted.internet.task import Clock

from switchboard.queue import Queue
from switchboard.queue.config.queue_file import QueueConfig
from switchboard.queue.core.model import Agent
from switchboard.queue.shell._amilink import CallbackSettings
from switchboard.queue.shell.service import AcdService
from switchboard.sim._config import DEFAULT_APPLICATIONS
from tests.ivr.helpers import TUESDAY_10AM
from tests.ivr.memory_pbx import FlowsInMemory

ENGLISH, SUPPORT, VOICEMAIL = (1.0, "3"), (4.0, "2"), (4.0, "2")  # digit presses


def test_missing_prompts_are_skipped_and_the_caller_reaches_support(tmp_path: Path) -> None:
    # Issue 8 items 1-2: every prompt is missing, the caller chooses English and presses 2.
    site = FlowsInMemory(tmp_path)
    with capture_logs() as logs:
        site.call("5551234", ENGLISH, SUPPORT)
        site.run(30)
    record = site.services.sessions[-1]
    assert (record.outcome, record.queue, record.language) == ("queued", "support", "en")
    assert [e["Queue"] for e in site.named("QueueCallerJoin")] == ["support"]
    # Asterisk's AGISTATUS says FAILURE (one STREAM FILE failed); the route tells the truth.
    assert site.variable("AGISTATUS") == ["FAILURE"]
    assert site.variable("SWITCHBOARD_ROUTE") == ["", "failed", "routed"]
    missing = [e for e in logs if e["event"] == "ivr_prompt_missing"]
    assert ("switchboard/en/welcome", "en") in {(e["file"], e["language"]) for e in missing}
    assert len(missing) == len({e["file"] for e in missing})  # each file logged once
    assert not [e for e in logs if e["log_level"] == "error"]


def test_a_voicemail_that_cannot_run_takes_the_error_path(tmp_path: Path) -> None:
    # Issue 8 item 3: no app_voicemail. After hours, English, 2 = leave a message.
    clock = Clock()
    clock.advance(TUESDAY_10AM + 12 * 3600)
    no_voicemail = DEFAULT_APPLICATIONS - {"voicemail"}
    site = FlowsInMemory(tmp_path, clock=clock, applications=no_voicemail)
    site.call("5551234", ENGLISH, VOICEMAIL)
    site.run(30)
    record = site.services.sessions[-1]
    assert record.outcome == "voicemail_unavailable"
    assert "no such application" in record.trace[-1]["data"]["error"]
    assert site.variable("SWITCHBOARD_ROUTE")[-1] == "failed"
    assert site.variable("SWITCHBOARD_FALLBACK") == ["ivr_error"]
    # The fallback takes the caller (the test PBX's fallback queue is sales).
    assert [e["Queue"] for e in site.named("QueueCallerJoin")] == ["sales"]


def test_a_voicemail_left_is_routed_and_not_queued(tmp_path: Path) -> None:
    clock = Clock()
    clock.advance(TUESDAY_10AM + 12 * 3600)
    site = FlowsInMemory(tmp_path, clock=clock)
    site.call("5551234", ENGLISH, VOICEMAIL)
    site.run(30)
    assert site.services.sessions[-1].outcome == "voicemail"
    assert site.variable("SWITCHBOARD_ROUTE")[-1] == "routed"
    assert site.named("QueueCallerJoin") == []


def _acd(clock: Clock) -> AcdService:
    agent = Agent(
        id="agent2001",
        name="Dave Support",
        device="Local/agent2001@switchboard-agents/n",
        languages=frozenset({"en"}),
        queues=("support",),
    )
    acd = AcdService(QueueConfig((Queue("support", announce_interval_s=None),), (agent,)), clock)
    acd.startService()
    acd.log_in("agent2001", ready=True)
    return acd


def test_the_acd_serves_the_caller_once_and_the_dialplan_does_not_queue_again(
    tmp_path: Path,
) -> None:
    # Issue 8 items 8 and 13: switchboard's ACD dials the agent from the AGI session; the
    # agent hangs up first, the caller is still on the line when the session ends.
    clock = Clock()
    clock.advance(TUESDAY_10AM)
    acd = _acd(clock)
    site = FlowsInMemory(tmp_path, clock=clock, acd=acd)
    site.call("5551234", ENGLISH, SUPPORT)
    site.run(40)
    commands = site.commands()
    assert commands.count("ANSWER") == 1
    queue_sets = [c.split()[-1] for c in commands if c.startswith("SET VARIABLE SWITCHBOARD_QUEUE")]
    assert queue_sets == ['"support"', '""']  # set by the flow, cleared by the ACD: once each
    assert not [c for c in commands if "MusicOnHold" in c]  # the agent was free at once
    assert any(c.startswith("EXEC Dial Local/agent2001@switchboard-agents/n") for c in commands)
    assert site.variable("DIALSTATUS")[-1] == "ANSWER"
    # The documented dialplan: routed, no queue left -> Hangup, never app_queue.
    assert site.variable("SWITCHBOARD_QUEUE")[-1] == ""
    assert site.variable("SWITCHBOARD_ROUTE")[-1] == "routed"
    assert site.named("QueueCallerJoin") == []
    assert "Hangup" in site.apps(["Hangup"])
    acd.stopService()


def test_the_docs_show_the_dialplan_the_simulator_runs() -> None:
    # switchboard-inbound (switchboard/sim/_documented.py) follows these lines; keep in step.
    docs = (Path(__file__).resolve().parents[2] / "docs" / "asterisk.md").read_text()
    for line in (
        "Set(SWITCHBOARD_ROUTE=)",
        'GotoIf($["${AGISTATUS}" = "HANGUP"]?done)',
        'GotoIf($["${SWITCHBOARD_ROUTE}" != "routed"]?switchboard-fallback,s,1)',
        'GotoIf($["${SWITCHBOARD_QUEUE}" = ""]?done)',
        "Queue(${SWITCHBOARD_QUEUE},tc,,,120)",  # c: the survey runs after the agent hangs up
        "AGI(switchboard-agi,main-menu,${CALLERID(num)},${CHANNEL(language)})",
    ):
        assert line in docs, line
    callback = CallbackSettings()  # where the ACD originates a callback's agent leg
    assert f"[{callback.context}]\nexten => {callback.exten},1," in docs
    assert ",tg," not in docs and 'AGISTATUS}" = "FAILURE"' not in docs
    assert docs.count("; SITE:") >= 6 and "command" in docs.split("write = ")[1].split("\n")[0]
