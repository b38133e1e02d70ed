# -*- test-case-name: tests.ivr.test_prompt_build -*-
"""``switchboard prompts build``: espeak-ng and sox make Asterisk-ready WAV files.

Needs the Debian packages espeak-ng and sox (.ci/run installs them); elsewhere these
tests are skipped with that reason rather than failing on a missing program.
"""

from __future__ import annotations

import argparse
import os
import shutil
import wave
from pathlib import Path

import pytest

from switchboard.config import FlowsSettings, Settings
from switchboard.prompts.build import PromptBuildError, Tools, build_prompts
from switchboard.prompts.commands import add_commands
from switchboard.prompts.files import PromptFile
from tests.ivr.helpers import write

needs_tools = pytest.mark.skipif(
    (shutil.which("espeak-ng") is None or shutil.which("sox") is None) and not os.environ.get("CI"),
    reason="apt-get install espeak-ng sox",
)

PROMPTS = [
    PromptFile("welcome", "cmn", "switchboard/zh_CN/welcome", "您好，欢迎致电。", "cmn"),
    PromptFile("welcome", "yue", "switchboard/zh_HK/welcome", "你好，歡迎致電。", "yue"),
    PromptFile("welcome", "en", "switchboard/en/welcome", "Hello, and welcome.", "en"),
    PromptFile("studio", "en", "switchboard/en/studio", "", "en"),  # recorded: left alone
]


def assert_asterisk_wav(path: Path, min_s: float = 0.5) -> None:
    with wave.open(str(path)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
        assert wav.getcomptype() == "NONE"
        assert wav.getnframes() / 8000 > min_s  # speech, not an empty file


@needs_tools
def test_each_language_is_spoken_into_8khz_mono_16bit_wav(tmp_path: Path) -> None:
    written = build_prompts(PROMPTS, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        f"switchboard/{d}/welcome.{ext}"
        for d in ("en", "zh_CN", "zh_HK")
        for ext in ("sln16", "wav")
    ]
    for folder in ("zh_CN", "zh_HK", "en"):
        assert_asterisk_wav(tmp_path / f"switchboard/{folder}/welcome.wav")
        sln16 = tmp_path / f"switchboard/{folder}/welcome.sln16"
        assert sln16.stat().st_size > 16000  # > 0.5 s of 16 kHz 16-bit samples
    assert not (tmp_path / "switchboard/en/studio.wav").exists()


def test_a_missing_program_names_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(
        PromptBuildError,
        match=r"no-such-espeak not found.*apt-get install "
        r"espeak-ng",
    ):
        build_prompts(PROMPTS, tmp_path, tools=Tools(espeak=str(tmp_path / "no-such-espeak")))
    with pytest.raises(PromptBuildError, match=r"apt-get install sox"):
        build_prompts(
            PROMPTS,
            tmp_path,
            tools=Tools(espeak=shutil.which("true") or "true", sox="/nonexistent/sox"),
        )


@needs_tools
def test_an_unknown_voice_names_the_prompt(tmp_path: Path) -> None:
    bad = PromptFile("welcome", "xx", "switchboard/xx/welcome", "hello", "zz")
    with pytest.raises(
        PromptBuildError,
        match=r"prompt 'welcome' \(xx\): espeak-ng voice "
        r"'zz': espeak-ng exited with 1: .*voice does not exist",
    ):
        build_prompts([bad], tmp_path)


def run(*argv: str, flows_dir: Path) -> int:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return int(args.run(args, Settings(flows=FlowsSettings(dir=flows_dir))))


@needs_tools
def test_the_command_builds_the_manifest_in_its_folder_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = write(
        tmp_path / "flows",
        _prompts="""\
        base: switchboard
        languages: {cmn: {dir: zh_CN}, en: {dir: en}}
        prompts:
          bye: {cmn: 再见, en: Goodbye}
        acd_prompts:
          switchboard-queue-callback-booked: {cmn: 我们会给您回电, en: We will call you back}
          queue-minutes: {cmn: 分钟, en: ~}
        """,
        main="steps: {x: {type: play, prompts: [bye]}}\n",
    )
    out = tmp_path / "out"
    assert run("prompts", "build", "--out", str(out), flows_dir=flows) == 0
    for path in (
        "switchboard/zh_CN/bye",
        "switchboard/en/bye",
        "zh_CN/queue-minutes",
        "en/switchboard-queue-callback-booked",
    ):
        assert_asterisk_wav(out / f"{path}.wav", min_s=0.2)
    assert not (out / "en/queue-minutes.wav").exists()
    printed = capsys.readouterr().out
    assert f"{out}: 10 files for 5 prompts" in printed
    assert "not synthesised" in printed and "en/queue-minutes" in printed


def test_the_command_reports_a_missing_program(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = write(
        tmp_path / "flows",
        _prompts="languages: {en: {}}\nprompts: {a: {en: A}}\n",
        main="steps: {x: {type: play, prompts: [a]}}\n",
    )
    # Both named explicitly: the default espeak-ng may be absent on this machine too.
    argv = ["prompts", "build", "--out", str(tmp_path / "o"), "--sox", "/nope/sox"]
    assert run(*argv, "--espeak", "/bin/true", flows_dir=flows) == 1
    assert "error: /nope/sox not found" in capsys.readouterr().out
