# -*- test-case-name: tests.sim.test_agi -*-
"""Recordings: short but valid WAV files, written where MixMonitor was told to."""

from __future__ import annotations

import wave
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)
RATE = 8000


def write_wav(path: Path, seconds: float) -> None:
    """Write ``seconds`` of 8 kHz 16-bit mono silence (``0`` gives a header-only file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(b"\x00\x00" * int(seconds * RATE))
    except OSError as exc:
        log.warning("sim_recording_not_written", path=str(path), error=str(exc))
