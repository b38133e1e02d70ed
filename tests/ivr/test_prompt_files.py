# -*- test-case-name: tests.ivr.test_prompt_files -*-
"""The prompt manifest's texts, the files it promises, and ``flows check --sounds``."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pytest

from switchboard.config import FlowsSettings, Settings
from switchboard.ivr_flows.commands import add_commands
from switchboard.ivr_flows.load import check_directory
from switchboard.ivr_flows.prompts import parse_manifest
from switchboard.prompts.files import manifest_files
from switchboard.queue.shell.hold import AcdPrompts
from switchboard.yamlines import load_yaml
from tests.ivr.helpers import EXAMPLES, write

MANIFEST = """\
base: sb
fallback: cmn
languages:
  cmn: {dir: zh_CN, voice: cmn}
  en: {dir: en}
  yue: {dir: zh_HK, required: false}
prompts:
  hello:
    cmn: 你好
    en: Hello
  studio: [cmn, en]
acd_prompts:
  queue-minutes: {cmn: 分钟, en: ~}
"""


def shipped():
    flows, problems = check_directory(EXAMPLES)
    assert flows is not None, problems
    return flows


def test_manifest_gives_text_per_language_and_the_files_it_promises() -> None:
    catalog, problems = parse_manifest(load_yaml(MANIFEST), "_prompts.yaml")
    assert problems == []
    assert catalog.resolve("hello", "yue") == "sb/zh_CN/hello"  # falls back as before
    files = {(f.path, f.text, f.voice, f.line, f.acd) for f in manifest_files(catalog)}
    assert files == {
        ("sb/zh_CN/hello", "你好", "cmn", 8, False),
        ("sb/en/hello", "Hello", "en", 8, False),  # voice defaults to the language code
        ("sb/zh_CN/studio", "", "cmn", 11, False),  # recorded by the site: no text
        ("sb/en/studio", "", "en", 11, False),
        ("zh_CN/queue-minutes", "分钟", "cmn", 13, True),  # bare name, channel language
        ("en/queue-minutes", "", "en", 13, True),
    }


def test_a_prompt_that_is_neither_texts_nor_languages_is_reported() -> None:
    _, problems = parse_manifest(load_yaml(MANIFEST + "  broken: 3\n"), "_prompts.yaml")
    assert [(p.line, p.code) for p in problems] == [(14, "invalid_manifest")]
    assert "text per language" in problems[0].message


def test_every_prompt_switchboard_plays_is_in_the_shipped_manifest() -> None:
    """Issue 8 item 13: the ACD's own prompts were missing, so nothing built them."""
    catalog = shipped().prompts
    acd_plays = {f.name: getattr(AcdPrompts(), f.name) for f in dataclasses.fields(AcdPrompts)}
    assert set(acd_plays.values()) <= set(catalog.acd_prompts)
    for name in ("switchboard-queue-callback-offer", "switchboard-queue-callback-booked"):
        assert all(catalog.acd_prompts[name][code] for code in ("cmn", "yue", "en"))
    # Every prompt of every shipped flow has a text in both required languages.
    for name, texts in catalog.texts.items():
        assert texts.get("cmn") and texts.get("en"), name


def check(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return int(args.run(args, Settings(flows=FlowsSettings(dir=EXAMPLES))))


def sounds_for(root: Path, flows_dir: Path, *, leave_out: set[str]) -> Path:
    flows, _ = check_directory(flows_dir)
    assert flows is not None
    for f in manifest_files(flows.prompts):
        if f.path not in leave_out:
            (root / f"{f.path}.wav").parent.mkdir(parents=True, exist_ok=True)
            (root / f"{f.path}.wav").write_bytes(b"RIFF")
    return root


def test_check_sounds_names_the_flow_line_and_language_of_each_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # main-menu: `flows check` also insists that the entry flow exists.
    flows_dir = write(
        tmp_path / "flows",
        _prompts=MANIFEST,
        **{
            "main-menu": """\
        steps:
          greet: {type: play, prompts: [hello, sound:beep]}
          ask:
            type: menu
            prompts: [studio]
            options: {"1": greet}
        """
        },
    )
    sounds = sounds_for(
        tmp_path / "sounds", flows_dir, leave_out={"sb/en/hello", "zh_CN/queue-minutes"}
    )
    assert check("flows", "check", str(flows_dir), "--sounds", str(sounds)) == 1
    out = capsys.readouterr().out.splitlines()
    main = str(flows_dir / "main-menu.yaml")
    assert out[0] == (
        f"{main}:2: step 'greet' prompt 'hello' (en): no sound file sb/en/hello.* in {sounds} "
        f"[missing_sound] (fix: run 'switchboard prompts build --out {sounds}' (or record it) "
        "and copy the files into Asterisk's sounds folder)"
    )
    assert out[1].startswith(
        f"{flows_dir / '_prompts.yaml'}:13: ACD prompt 'queue-minutes' "
        "(cmn): no sound file zh_CN/queue-minutes.*"
    )
    assert out[2] == f"{sounds}: 2 prompt file(s) missing"  # yue falls back: sb/zh_CN/hello


def test_check_sounds_passes_when_every_file_is_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sounds = sounds_for(tmp_path, EXAMPLES, leave_out=set())
    assert check("flows", "check", "--sounds", str(sounds)) == 0
    assert "every prompt of 4 flows has its sound files" in capsys.readouterr().out
    assert check("flows", "check", "--sounds", str(tmp_path / "nope")) == 1
    assert "no such directory" in capsys.readouterr().out
