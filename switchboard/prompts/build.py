# -*- test-case-name: tests.ivr.test_prompt_build -*-
"""Synthesise the manifest's prompts: espeak-ng speaks each text, sox converts it.

Each prompt with a text becomes ``<out>/<path>.wav`` (8 kHz 16-bit mono PCM, Asterisk's
``wav`` format, played to narrowband callers without resampling) and ``<out>/<path>.sln16``
(16 kHz raw signed linear, for wideband channels: Asterisk picks the cheaper format).
A prompt without a text (the site records it) is left alone. The tools are run with
argument lists, never through a shell.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from switchboard.prompts.files import PromptFile

__all__ = ["FORMATS", "PromptBuildError", "Tools", "build_prompts"]

# extension -> sox output options
FORMATS: Final = {
    "wav": ("-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "wav"),
    "sln16": ("-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw"),
}
_PACKAGES: Final = {"espeak-ng": "espeak-ng", "sox": "sox"}


class PromptBuildError(Exception):
    """A prompt could not be built; the message names the prompt and the fix."""


@dataclass(frozen=True, slots=True)
class Tools:
    """Paths of the two programs (found on PATH by default)."""

    espeak: str = "espeak-ng"
    sox: str = "sox"

    def resolved(self) -> Tools:
        return Tools(_which(self.espeak, "espeak-ng"), _which(self.sox, "sox"))


def _which(program: str, role: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise PromptBuildError(
            f"{program} not found: it is needed to synthesise prompts "
            f"(on Debian: apt-get install {_PACKAGES[role]})"
        )
    return found


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise PromptBuildError(
            f"{what}: {Path(argv[0]).name} exited with {done.returncode}"
            f"{': ' + detail[-1] if detail else ''}"
        )


def build_prompts(
    files: Iterable[PromptFile],
    out: Path,
    *,
    tools: Tools | None = None,
    on_built: Callable[[PromptFile], None] | None = None,
) -> list[Path]:
    """Render every file that has a text into ``out``; return the files written."""
    tools = (tools or Tools()).resolved()
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="switchboard-prompts-") as scratch:
        spoken = Path(scratch) / "spoken.wav"
        for prompt in files:
            if not prompt.text:
                continue
            what = f"prompt '{prompt.name}' ({prompt.language})"
            _run(
                [tools.espeak, "-v", prompt.voice, "-w", str(spoken), "--", prompt.text],
                f"{what}: espeak-ng voice '{prompt.voice}'",
            )
            for extension, options in FORMATS.items():
                target = out / f"{prompt.path}.{extension}"
                target.parent.mkdir(parents=True, exist_ok=True)
                _run([tools.sox, str(spoken), *options, str(target)], f"{what}: sox")
                written.append(target)
            if on_built is not None:
                on_built(prompt)
    return written
