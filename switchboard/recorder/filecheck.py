# -*- test-case-name: tests.recorder.test_filecheck -*-
"""What a recording file on disk is worth: blocking, so it runs off the reactor thread.

One pass reads the file once: its size, its SHA-256, and for WAV its header and the
duration from the audio itself (frames / rate), not from what the call model thinks.
A WAV of exactly its header (44 bytes: MixMonitor's ``b`` option on a call never bridged)
is :data:`EMPTY`, which is normal; a file that is not there is :data:`MISSING`; a WAV
whose header does not parse or does not match its length is :data:`CORRUPT`.
Asterisk's other formats (``audio_formats``: wav49 under ``.WAV``, gsm, ulaw, alaw,
signed linear, g722) are timed from their size and flagged when they end inside a frame;
any other (mp3 ...) is hashed and sized, its duration unknown.
"""

from __future__ import annotations

import hashlib
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from switchboard.recorder.audio_formats import WAV49, is_wav49, raw_format

__all__ = ["CORRUPT", "EMPTY", "MISSING", "OK", "FileCheck", "check_file"]

OK: Final = "ok"
EMPTY: Final = "empty"
MISSING: Final = "missing"
CORRUPT: Final = "corrupt"
WAV_HEADER_BYTES: Final = 44
_CHUNK: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class FileCheck:
    status: str  # OK | EMPTY | MISSING | CORRUPT
    size: int = 0
    format: str = ""
    duration_s: float | None = None
    sha256: str = ""
    problem: str = ""

    @property
    def flagged(self) -> bool:
        """Worth an alarm: the file is gone or unreadable (an empty one is not)."""
        return self.status in (MISSING, CORRUPT)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _wav_duration(path: Path, size: int) -> tuple[float | None, str]:
    """(seconds of audio, problem) read from the WAV's own header."""
    try:
        with wave.open(str(path), "rb") as audio:
            frames, rate = audio.getnframes(), audio.getframerate()
            frame_bytes = audio.getsampwidth() * audio.getnchannels()
    except (wave.Error, EOFError) as exc:
        return None, f"not a valid WAV header ({exc})"
    if rate <= 0:
        return None, "the WAV header gives a sample rate of 0"
    if frames * frame_bytes > size - WAV_HEADER_BYTES:
        return None, (
            f"the WAV header promises {frames * frame_bytes} bytes of audio but the file "
            f"holds {max(size - WAV_HEADER_BYTES, 0)} (not finished, or truncated)"
        )
    if frames == 0 and size > WAV_HEADER_BYTES:
        return None, (
            f"the WAV header says no audio but the file holds {size - WAV_HEADER_BYTES} bytes"
            " after it (Asterisk has not finished writing it)"
        )
    return frames / rate, ""


def check_file(path: Path) -> FileCheck:
    """Check one recording; never raises for a missing or unreadable file."""
    fmt = path.suffix.lstrip(".").lower()
    try:
        size = path.stat().st_size
        digest = _sha256(path)
    except FileNotFoundError:
        return FileCheck(MISSING, format=fmt, problem=f"no file at {path}")
    except OSError as exc:
        return FileCheck(MISSING, format=fmt, problem=f"cannot read {path}: {exc.strerror}")
    raw = WAV49 if fmt == "wav" and is_wav49(path) else raw_format(fmt)
    if raw is not None:
        duration, problem = raw.duration(size)
        if problem:
            return FileCheck(CORRUPT, size, raw.name, None, digest, problem)
        return FileCheck(EMPTY if not duration else OK, size, raw.name, duration, digest)
    if fmt != "wav":
        status = EMPTY if size == 0 else OK
        return FileCheck(status, size, fmt, None, digest)
    duration, problem = _wav_duration(path, size)
    if problem:
        return FileCheck(CORRUPT, size, fmt, None, digest, problem)
    status = EMPTY if size <= WAV_HEADER_BYTES or not duration else OK
    return FileCheck(status, size, fmt, duration, digest)
