"""The line-keeping YAML loader, templates, schedules and prompt resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.ivr_flows import model as m
from switchboard.ivr_flows.interpolate import interpolate, is_luhn_valid
from switchboard.ivr_flows.prompts import parse_manifest
from switchboard.ivr_flows.schedule import parse_date_spec, parse_minute_range, parse_weekdays
from switchboard.yamlines import LineDict, YamlSyntaxError, load_yaml
from tests.ivr.helpers import load


def test_yaml_keeps_lines_and_yaml12_scalars() -> None:
    data = load_yaml("a: 18:00\nb:\n  1: x\n  '#': y\nc: [no, on, 2026-10-01, 3, true]\n")
    assert isinstance(data, LineDict) and data.line_of("c") == 5
    assert data["a"] == "18:00" and data["b"].line_of("#") == 4
    assert list(data["b"]) == ["1", "#"]
    assert data["c"][:2] == ["no", "on"] and data["c"][3:] == [3, True]
    with pytest.raises(YamlSyntaxError) as error:
        load_yaml("a: [\n")
    assert error.value.line >= 1


def test_interpolation() -> None:
    assert interpolate("q-${lang}-${missing}-$$", {"lang": "en"}) == "q-en--$"
    assert interpolate("${customer.name}", {"customer.name": "李"}) == "李"
    assert is_luhn_valid("79927398713") and not is_luhn_valid("79927398710")


def test_schedule_parsing() -> None:
    assert parse_weekdays("mon-fri") == [0, 1, 2, 3, 4]
    assert parse_weekdays("sat,sun") == [5, 6]
    assert parse_minute_range("09:00-24:00") == (540, 1440)
    with pytest.raises(ValueError):
        parse_minute_range("18:00-09:00")
    assert len(parse_date_spec("2026-10-01..2026-10-07")) == 7


def test_prompt_resolution_with_fallback() -> None:
    catalog, problems = parse_manifest(
        load_yaml(
            "base: sb\nfallback: cmn\nlanguages:\n  cmn: {dir: zh_CN}\n"
            "  yue: {dir: zh_HK, required: false}\nprompts:\n  hi: [cmn, yue]\n  only: [cmn]\n"
            "  bad: [fr]\n"
        ),
        "_prompts.yaml",
    )
    assert [(p.line, p.code) for p in problems] == [(9, "invalid_manifest")]
    assert catalog.resolve("hi", "yue") == "sb/zh_HK/hi"
    assert catalog.resolve("only", "yue") == "sb/zh_CN/only"
    assert catalog.resolve("sound:beep", "yue") == "beep"
    assert catalog.language_for("zh_HK") == "yue" and catalog.language_for("fr") is None


def test_every_step_type_parses(tmp_path: Path) -> None:
    flows = load(
        tmp_path,
        main="""\
        steps:
          play: {type: play, prompts: x}
          hush: {type: recording, action: pause}
          loud: {type: recording, action: resume}
          lang: {type: language, options: {"1": en}}
          menu: {type: menu, options: {"1": collect, "*": say}}
          collect: {type: collect, var: n, pattern: "[0-9]+", luhn: true, max_digits: 19}
          say: {type: say, number: "${n}"}
          set: {type: set, set: {a: b}}
          branch: {type: branch, cases: [{var: a, in: [b, c], next: hours}]}
          hours: {type: hours, schedule: {mon: "08:30-12:00"}, open: lookup, closed: cb}
          lookup: {type: lookup, by: "${n}", kind: account, vip: {1: q}}
          cb: {type: callback, within_minutes: 30}
          goto: {type: goto, flow: sub, return: true}
          vm: {type: voicemail, mailbox: "x@default", next: survey}
          survey: {type: survey, scale: 5, fallback: h}
          q: {type: queue, queue: sales, priority: "5", skills: [a, b], dial: "x", on_no_answer: t}
          t: {type: transfer, extension: "100"}
          h: {type: hangup}
        """,
        sub="steps: {r: {type: return}}\n",
    )
    main = flows.flows["main"]
    kinds = {m.STEP_TYPE_NAMES[type(s)] for s in main.steps.values()} | {"return"}
    assert kinds == set(m.STEP_TYPES)
    menu = main.steps["menu"]
    assert isinstance(menu, m.Menu) and set(menu.options) == {"1", "*"}
    assert main.steps["menu"].line == 6
