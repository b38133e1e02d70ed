"""The ``recording`` step: a flow pauses the call's recording around a card number and
resumes it, over the AGI channel (SET VARIABLE SWITCHBOARD_RECORDING_MUTE, which the
recorder turns into MixMonitorMute, logged as ``ivr:<flow>``); its problems at load."""

from __future__ import annotations

from pathlib import Path

from switchboard.ivr_flows.simulate import walk
from tests.ivr.helpers import engine, problems, write
from tests.ivr.test_runner import Harness

CARD = """\
    steps:
      quiet:
        type: recording
        action: pause
      card:
        type: collect
        var: card
        prompts: [enter-card]
        min_digits: 16
        max_digits: 16
        luhn: true
      loud:
        type: recording
        action: resume
      sales: {type: queue, queue: sales}
    """


def test_the_flow_pauses_before_the_card_number_and_resumes_after(tmp_path: Path) -> None:
    result = walk(engine(tmp_path, pay=CARD), "pay", ["4111111111111111#"])
    muted = [
        dict(e.values)["SWITCHBOARD_RECORDING_MUTE"]
        for e in result.effects
        if type(e).__name__ == "SetVariables" and "SWITCHBOARD_RECORDING_MUTE" in dict(e.values)
    ]
    assert muted == ["1:ivr:pay", "0:ivr:pay"]
    kinds = [type(e).__name__ for e in result.effects]
    # Paused before the prompt that asks for the card, resumed before the queue.
    assert kinds.index("SetVariables") < kinds.index("GetData")
    events = [entry.event for entry in result.state.trace]
    assert events.index("recording_pause") < events.index("recording_resume")
    assert result.variables_set["SWITCHBOARD_QUEUE"] == "sales"


def test_over_fastagi_it_is_a_set_variable_on_the_callers_channel(tmp_path: Path) -> None:
    harness = Harness(write(tmp_path, pay=CARD))
    caller = harness.call("pay", ["4111111111111111#"])
    sets = [
        c for c in caller.commands if c[:3] == ["SET", "VARIABLE", "SWITCHBOARD_RECORDING_MUTE"]
    ]
    assert sets == [
        ["SET", "VARIABLE", "SWITCHBOARD_RECORDING_MUTE", "1:ivr:pay"],
        ["SET", "VARIABLE", "SWITCHBOARD_RECORDING_MUTE", "0:ivr:pay"],
    ]
    assert caller.variables["SWITCHBOARD_QUEUE"] == "sales"


def test_a_bad_or_missing_action_is_named_with_its_line(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        main="""\
        steps:
          a:
            type: recording
            action: stop
          b:
            type: recording
          c: {type: recording, action: resume}
          q: {type: queue, queue: sales}
        """,
    )
    assert ("main.yaml", 4, "invalid_field", "a") in found
    assert ("main.yaml", 6, "missing_field", "b") in found  # the step's first line


def test_a_pause_never_resumed_is_refused_at_load(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        main="""\
        steps:
          hush:
            type: recording
            action: pause
          card: {type: collect, var: card, prompts: [enter-card]}
          sales: {type: queue, queue: sales}
        """,
    )
    assert found == [("main.yaml", 4, "recording_not_resumed", "hush")]
