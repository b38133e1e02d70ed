# -*- test-case-name: tests.sim.test_caller -*-
"""Scripted callers on a fake clock: keys timed to answer or to a prompt, callback and
survey answers, Redirect out of the AGI, and ``hangs_up: caller`` under app_queue."""

from __future__ import annotations

import random
from typing import cast

import pytest
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.sim._agi_commands import DEAD, CommandRunner
from switchboard.sim._caller import ScriptedPerson, prompt_matches
from switchboard.sim._dialplan import Dialplan, OriginateRequest
from switchboard.sim.channels import Channel
from switchboard.sim.events import Headers
from switchboard.sim.pbx import AgentBehaviour, Pbx, PbxConfig
from switchboard.sim.scenario import KeyPress, ScenarioError, ScriptedCall, parse_scenario

ESCAPE = "0123456789*#"


async def _no_app(chan: Channel, command: str) -> int:
    return 0


def _person(**script: object) -> tuple[Clock, Pbx, ScriptedPerson, CommandRunner]:
    """A caller on ``;1`` of a fresh pair; the AGI runs on ``;2``, answered at t=0."""
    clock = Clock()
    pbx = Pbx(clock, PbxConfig())
    one, two = pbx.new_local_pair("s", "switchboard-ivr")
    person = ScriptedPerson(pbx, one, ScriptedCall(at_s=0, number="5551001", name="A", **script))  # type: ignore[arg-type]
    runner = CommandRunner(pbx, two, random.Random(1), _no_app)
    runner.on_prompt = person.heard
    person.start()
    return clock, pbx, person, runner


def _run(clock: Clock, runner: CommandRunner, line: str, wait_s: float = 10.0) -> str:
    d = Deferred.fromCoroutine(runner.run(line))
    clock.pump([0.05] * int(wait_s / 0.05))
    assert d.called, line
    return cast(str, d.result)  # type: ignore[attr-defined]


def test_prompt_names_match_by_full_name_or_last_part() -> None:
    assert prompt_matches("switchboard/zh_CN/main-menu", "main-menu")
    assert prompt_matches("switchboard/zh_CN/main-menu", "switchboard/zh_CN/main-menu")
    assert not prompt_matches("switchboard/zh_CN/main-menu", "menu")


def test_keys_are_timed_from_answer_or_into_a_prompt() -> None:
    clock, _pbx, _, runner = _person(keys=(KeyPress("3", 0.5), KeyPress("2", 0.5, "main-menu")))
    # "3" half a second after answer, while the welcome plays: it stops the prompt.
    assert _run(clock, runner, f"STREAM FILE switchboard/en/welcome {ESCAPE}", 1.0).startswith(
        f"200 result={ord('3')} "
    )
    # The next key waits for the main menu to start, however late that is.
    clock.advance(30.0)
    reply = _run(clock, runner, f"STREAM FILE switchboard/en/main-menu {ESCAPE}", 1.0)
    assert reply.startswith(f"200 result={ord('2')} endpos=47")  # 0.5 s + the 100 ms tone


def test_keys_pressed_between_commands_are_dropped() -> None:
    clock, pbx, _, runner = _person(keys=(KeyPress("5", 2.0),))
    events: list[Headers] = []
    pbx.subscribe(events.append)
    clock.pump([0.05] * 60)  # 3 s with no AGI command running: the key is pressed ...
    assert [dict(e)["Digit"] for e in events if e[0] == ("Event", "DTMFEnd")] == ["5"]
    # ... and lost, as in Asterisk: the next digit wait hears nothing.
    assert _run(clock, runner, "WAIT FOR DIGIT 1000", 2.0) == "200 result=0"


def test_a_caller_who_wants_a_callback_accepts_the_first_offer_once() -> None:
    clock, _pbx, _, runner = _person(callback=True, callback_digit="1")
    assert _run(clock, runner, f"STREAM FILE switchboard/en/main-menu {ESCAPE}").startswith(
        "200 result=0 "
    )
    offer = f"STREAM FILE switchboard/en/callback-confirm-number {ESCAPE}"
    assert _run(clock, runner, offer).startswith(f"200 result={ord('1')} ")
    assert _run(clock, runner, offer).startswith("200 result=0 ")


def test_patience_before_a_callback_and_the_survey_rating() -> None:
    clock, _pbx, _, runner = _person(callback=True, callback_after_s=5.0, csat=4)
    offer = f"STREAM FILE switchboard/en/callback-confirm-number {ESCAPE}"
    assert _run(clock, runner, offer, 2.0).startswith("200 result=0 ")  # too early
    assert _run(clock, runner, "GET DATA switchboard/en/csat-question 3000 1") == "200 result=4"


def test_redirect_out_of_the_agi_ends_the_running_command_then_media_is_refused() -> None:
    clock, _pbx, _, runner = _person()
    d = Deferred.fromCoroutine(runner.run(f"STREAM FILE switchboard/en/main-menu {ESCAPE}"))
    clock.advance(0.5)
    runner.leave_for_redirect()
    clock.advance(0.0)
    assert d.result.startswith("200 result=-1 endpos=")  # type: ignore[attr-defined]
    assert runner.dead
    assert _run(clock, runner, "WAIT FOR DIGIT 1000") == DEAD
    assert _run(clock, runner, "SET VARIABLE X 1") == "200 result=1"


def test_caller_hangs_up_on_the_agent_under_app_queue() -> None:
    clock = Clock()
    agents = {"agent1001": AgentBehaviour(answer_after_s=1.0, talk_s=5.0, hangs_up="caller")}
    pbx = Pbx(clock, PbxConfig(agents=agents))
    events: list[Headers] = []
    pbx.subscribe(events.append)
    dialplan = Dialplan(pbx, random.Random(1), None)  # no FastAGI: AGISTATUS=FAILURE, sales
    call = ScriptedCall(at_s=0, number="5551001", name="Alice")
    dialplan.originate(
        OriginateRequest(
            channel="Local/s@switchboard-ivr",
            context="switchboard-caller",
            exten="silent",
            caller_num=call.number,
            caller_name=call.name,
            script=call,
        )
    )
    clock.pump([0.1] * 200)
    [complete] = [dict(e) for e in events if e[0] == ("Event", "AgentComplete")]
    assert (complete["Queue"], complete["Reason"], complete["TalkTime"]) == ("sales", "caller", "5")
    assert not pbx.channels  # everyone hung up
    assert dialplan.people == {}  # the person went with their channel
    assert pbx.pending_timers() == 0


def test_keys_in_a_scenario_file() -> None:
    scenario = parse_scenario(
        {
            "calls": [
                {
                    "at_s": 0,
                    "number": "13800000000",
                    "language": "cmn",
                    "keys": [
                        {"after_s": 2, "digits": "3"},
                        {"after_s": 0.5, "digits": 2, "prompt": "main-menu"},
                    ],
                }
            ]
        }
    )
    assert scenario.calls[0].keys == (KeyPress("3", 2.0), KeyPress("2", 0.5, "main-menu"))


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("3", "calls[0].keys: expected a list"),
        ([{"after_s": 1}], "calls[0].keys[0].digits: required"),
        ([{"digits": "3x"}], "calls[0].keys[0].digits: only 0-9"),
        ([{"digits": "3", "after_s": -1}], "calls[0].keys[0].after_s: must be >= 0"),
        ([{"digits": "3", "when": 1}], "calls[0].keys[0].when: unknown key"),
    ],
)
def test_key_errors_name_the_file_and_key(keys: object, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario({"calls": [{"at_s": 0, "number": "1", "keys": keys}]}, "f.yaml")
    assert message in str(caught.value)
