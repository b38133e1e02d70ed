# -*- test-case-name: tests.recorder.test_browser_audio -*-
"""Recordings in formats no browser plays, converted for the player.

A site may record in Asterisk's wav49 (GSM in a WAV, a tenth of the size), gsm, ulaw,
alaw or signed linear; a browser's ``<audio>`` plays PCM WAV, MP3 and Ogg only. So the
player is given a 16-bit PCM WAV made by sox (the tool the prompts are built with), and
seeking works on it as on any recording, with Range requests. A download is always the
original file, as Asterisk wrote it.

The copies are kept in a private temporary folder of this process, named by the
recording's id and the file's size and time (a changed file is converted again), the
newest ``keep`` of them only, and removed when the process stops: they are a cache, never
a second archive that retention would have to find.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

__all__ = ["BROWSER_PLAYABLE", "BrowserCopies", "NotConvertible", "needs_copy"]

BROWSER_PLAYABLE: Final = frozenset({"wav", "mp3", "ogg"})
# How sox must read each format (the raw ones have no header to say so).
_SOX_INPUT: Final[dict[str, tuple[str, ...]]] = {
    "wav49": (),  # its RIFF header names GSM 6.10
    "gsm": ("-t", "gsm", "-r", "8000", "-c", "1"),
    "ulaw": ("-t", "ul", "-r", "8000", "-c", "1"),
    "alaw": ("-t", "al", "-r", "8000", "-c", "1"),
    "sln": ("-t", "raw", "-e", "signed-integer", "-b", "16", "-L", "-r", "8000", "-c", "1"),
    "sln16": ("-t", "raw", "-e", "signed-integer", "-b", "16", "-L", "-r", "16000", "-c", "1"),
}
_PCM_WAV: Final = ("-t", "wav", "-e", "signed-integer", "-b", "16")

Run = Callable[[Callable[[], Path]], Deferred[Path]]


class NotConvertible(Exception):
    """The recording cannot be made playable here; the message says why and what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # unplayable | unavailable
        self.message = message


def needs_copy(fmt: str) -> bool:
    return fmt not in BROWSER_PLAYABLE


class BrowserCopies(Service):
    """The converted copies; a service so that they are removed when switchboard stops."""

    def __init__(
        self,
        folder: Path | None = None,
        *,
        keep: int = 16,
        sox: str = "sox",
        run: Run | None = None,
    ) -> None:
        self._folder = folder
        self._keep = keep
        self._sox = sox
        self._run: Run = run or deferToThread  # sox is a blocking child process

    def folder(self) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="switchboard-player-"))  # mode 0700
        self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self._folder

    def obstacle(self, fmt: str) -> str:
        """Why a recording in ``fmt`` cannot be played here: "" (it can), "unplayable" (no
        converter knows the format) or "unavailable" (sox is not installed)."""
        if not needs_copy(fmt):
            return ""
        if fmt not in _SOX_INPUT:
            return "unplayable"
        return "" if shutil.which(self._sox) else "unavailable"

    async def copy_of(self, recording_id: int, source: Path, fmt: str) -> Path:
        """A PCM WAV of ``source`` (recorded as ``fmt``), converted once and kept a while."""
        obstacle = self.obstacle(fmt)
        if obstacle == "unplayable":
            raise NotConvertible(
                obstacle,
                f"browsers cannot play {fmt or 'this format'} and switchboard cannot convert "
                "it; download the recording and play it with a program that knows it",
            )
        if obstacle == "unavailable":
            raise NotConvertible(
                obstacle,
                f"this recording is in {fmt}, which browsers cannot play; install sox on the "
                "switchboard server (apt-get install sox) to play it here, or download it",
            )
        sox, reads = shutil.which(self._sox) or self._sox, _SOX_INPUT[fmt]
        stat = source.stat()
        target = self.folder() / f"{recording_id}-{stat.st_size}-{stat.st_mtime_ns}.wav"
        if target.is_file():
            os.utime(target)  # the newest copies are kept
            return target
        return await self._run(lambda: self._convert(sox, reads, source, target))

    def _convert(self, sox: str, reads: tuple[str, ...], source: Path, target: Path) -> Path:
        partial = target.with_suffix(".part")
        done = subprocess.run(  # fixed arguments; the path comes from the index
            [sox, *reads, str(source), *_PCM_WAV, str(partial)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            said = done.stderr.strip().splitlines()[-1:] or ["no message"]
            raise NotConvertible("unplayable", f"sox could not convert the recording: {said[0]}")
        partial.replace(target)
        self._prune()
        return target

    def _prune(self) -> None:
        copies = sorted(self.folder().glob("*.wav"), key=lambda p: p.stat().st_mtime_ns)
        for old in copies[: max(len(copies) - self._keep, 0)]:
            old.unlink(missing_ok=True)

    def stopService(self) -> None:
        """Remove every copy: switchboard is stopping."""
        super().stopService()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
