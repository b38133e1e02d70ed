"""Validation at load: every problem names the file, the line, the step and the fix."""

from __future__ import annotations

from pathlib import Path

from switchboard.ivr_flows.errors import FlowError
from switchboard.ivr_flows.load import check_directory, load_flows
from tests.ivr.helpers import EXAMPLES, problems, write

PROMPTS = """\
    fallback: en
    languages:
      en: {dir: en}
      cmn: {dir: zh_CN}
      yue: {dir: zh_HK, required: false}
    prompts:
      hello: [en, cmn]
      menu: [en]
    """


def test_examples_are_valid() -> None:
    flows = load_flows(EXAMPLES)
    assert {"main-menu", "balance", "callback", "csat"} <= set(flows.flows)


def test_unknown_step_type_names_line_and_suggests(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        main="""\
        steps:
          hello:
            type: paly
            prompts: [x]
        """,
    )
    assert ("main.yaml", 3, "unknown_step_type", "hello") in found
    _, listed = check_directory(tmp_path)
    assert "did you mean 'play'" in str(listed[0])


def test_dangling_next(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        main="""\
        steps:
          hello:
            type: play
            prompts: [x]
            next: nowhere
        """,
    )
    assert found == [("main.yaml", 5, "dangling_next", "hello")]


def test_dangling_menu_option_names_the_option_line(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        main="""\
        steps:
          menu:
            type: menu
            options:
              "1": bye
              "2": gone
          bye:
            type: hangup
        """,
    )
    assert found == [("main.yaml", 6, "dangling_next", "menu")]


def test_unreachable_step(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        main="""\
        steps:
          bye:
            type: hangup
          orphan:
            type: play
            prompts: [x]
        """,
    )
    assert found == [("main.yaml", 4, "unreachable_step", "orphan")]


def test_loop_without_input(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        main="""\
        steps:
          a:
            type: play
            prompts: [x]
          b:
            type: set
            set: {n: "1"}
            next: a
        """,
    )
    assert found == [("main.yaml", 2, "loop_without_input", "a")]


def test_loop_through_a_menu_is_fine(tmp_path: Path) -> None:
    assert (
        problems(
            tmp_path,
            main="""\
        steps:
          menu:
            type: menu
            options: {"1": again, "2": bye}
          again:
            type: play
            prompts: [x]
            next: menu
          bye:
            type: hangup
        """,
        )
        == []
    )


def test_missing_prompt_for_a_required_language(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        _prompts=PROMPTS,
        main="""\
        steps:
          hello:
            type: play
            prompts: [hello, menu, sound:beep]
          ask:
            type: menu
            prompts: [menu]
            invalid_prompts: [nothing]
            options: {"1": bye}
          bye:
            type: hangup
        """,
    )
    assert ("main.yaml", 4, "missing_prompt", "hello") in found  # menu lacks cmn
    assert ("main.yaml", 8, "missing_prompt", "ask") in found  # 'nothing' lacks all
    assert len(found) == 3  # hello's 'hello' exists in en and cmn; sound:beep is raw


def test_undefined_variable(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        main="""\
        variables: {declared: ""}
        steps:
          ask:
            type: collect
            var: account
          check:
            type: branch
            cases:
              - {var: account, equals: "1", next: q}
              - {var: mystery, equals: "1", next: q}
          q:
            type: queue
            queue: "${account}${declared}${caller_number}${arg1}${typo}"
        """,
    )
    assert found == [
        ("main.yaml", 10, "undefined_variable", "check"),
        ("main.yaml", 13, "undefined_variable", "q"),
    ]


def test_variables_flow_into_called_flows(tmp_path: Path) -> None:
    assert (
        problems(
            tmp_path,
            main="""\
        steps:
          ask:
            type: collect
            var: account
          sub:
            type: goto
            flow: sub
        """,
            sub="""\
        steps:
          say:
            type: say
            digits: "${account}"
        """,
        )
        == []
    )


def test_field_errors_are_collected_with_lines(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        main="""\
        steps:
          ask:
            type: collect
            var: x
            max_digits: 0
            pattern: "[0-9"
            retries: many
            colour: blue
          h:
            type: hours
            timezone: Mars/Olympus
            schedule: {mon-fri: "9-5"}
            holidays: [2026-13-01]
        """,
    )
    codes = {(line, code) for _, line, code, _ in found}
    assert {
        (5, "invalid_field"),
        (6, "invalid_field"),
        (7, "invalid_field"),
        (8, "unknown_field"),
        (11, "invalid_field"),
        (12, "invalid_field"),
        (13, "invalid_field"),
    } <= codes


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    found = problems(tmp_path, main="steps:\n  a: [unclosed\n  b: 1\n")
    assert found[0][2] == "yaml_syntax" and found[0][1] >= 2


def test_unknown_flow_and_duplicate(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        main="""\
        steps:
          go:
            type: goto
            flow: elsewhere
        """,
        other="""\
        flow: main
        steps:
          bye:
            type: hangup
        """,
    )
    assert ("main.yaml", 4, "unknown_flow", "go") in found
    assert any(code == "duplicate_flow" for _, _, code, _ in found)


def test_all_problems_are_listed_at_once(tmp_path: Path) -> None:
    write(tmp_path, a="steps: {x: {type: nope}}\n", b="steps: {y: {type: play, next: z}}\n")
    try:
        load_flows(tmp_path)
    except FlowError as exc:
        assert len(exc.problems) >= 3
        assert "a.yaml:1" in str(exc) and "b.yaml:1" in str(exc)
    else:
        raise AssertionError("broken flows loaded")
