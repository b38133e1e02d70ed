# -*- test-case-name: tests.sim.test_scenario -*-
"""Scenario files: scripted people validated at load, with errors naming file and key."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from switchboard.sim.scenario import ScenarioError, load_scenario, parse_scenario

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sim" / "small.yaml"


def test_the_fixture_loads_and_random_people_are_reproducible() -> None:
    scenario = load_scenario(FIXTURE)
    assert scenario.calls[0].number == "5551001"
    first = scenario.all_calls(random.Random(5))
    assert first == scenario.all_calls(random.Random(5))
    assert len(first) == 5


def test_people_and_agents() -> None:
    scenario = parse_scenario(
        {
            "calls": [
                {
                    "at_s": 0,
                    "number": 5550001,
                    "behaviour": "dtmf",
                    "digits": "2",
                    "language": "yue",
                    "callback": True,
                    "csat": 4,
                },
            ],
            "agents": {
                "agent1001": {"answer_after_s": None},
                "agent1002": {"talk_s": 9, "hangs_up": "caller"},
            },
        }
    )
    call = scenario.calls[0]
    assert (call.number, call.language, call.callback, call.csat) == ("5550001", "yue", True, 4)
    assert scenario.agents["agent1001"].answer_after_s is None
    assert scenario.agents["agent1002"].hangs_up == "caller"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"calls": [{"at_s": 1}]}, "f.yaml: calls[0].number: required"),
        ({"calls": [{"at_s": 1, "number": "1", "digits": "1x"}]}, "calls[0].digits: only 0-9"),
        ({"calls": [{"at_s": -1, "number": "1"}]}, "calls[0].at_s: must be >= 0"),
        ({"calls": [{"at_s": 1, "number": "1", "csat": 9}]}, "calls[0].csat: a rating is 1-5"),
        ({"agents": {"agent1": {"hangs_up": "nobody"}}}, "agents.agent1.hangs_up: expected one"),
        ({"max_calls": "many"}, "max_calls: expected a whole number"),
        ({"colour": 1}, "f.yaml: colour: unknown key"),
    ],
)
def test_errors_name_the_file_and_key(data: object, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, "f.yaml")
    assert message in str(caught.value)


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("calls:\n  - {at_s: 1\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml: line"):
        load_scenario(path)
