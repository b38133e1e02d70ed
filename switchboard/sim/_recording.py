# -*- test-case-name: tests.sim.test_agi -*-
"""Recordings: MixMonitor on a channel, and the short but valid WAV file it leaves."""

from __future__ import annotations

import math
import struct
import sys
import time
import wave
from array import array
from pathlib import Path

import structlog

from switchboard.sim.channels import Channel
from switchboard.sim.pbx import Pbx

log = structlog.get_logger(__name__)
RATE = 8000


def _quiet_tone() -> bytes:
    """One second of a soft 425 Hz tone, so a played demo recording is heard."""
    samples = array("h", (int(800 * math.sin(2 * math.pi * 425 * n / RATE)) for n in range(RATE)))
    if sys.byteorder == "big":  # WAV is little-endian
        samples.byteswap()
    return samples.tobytes()


_SECOND = _quiet_tone()


def write_wav(path: Path, seconds: float) -> None:
    """Write ``seconds`` of 8 kHz 16-bit mono audio, as MixMonitor does (``0`` gives a
    header-only file), a second at a time so that a long call needs no long buffer."""
    frames = int(seconds * RATE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            whole, rest = divmod(frames, RATE)
            for _ in range(whole):
                out.writeframesraw(_SECOND)
            out.writeframes(_SECOND[: rest * 2])
    except OSError as exc:
        log.warning("sim_recording_not_written", path=str(path), error=str(exc))


def write_wav49(path: Path, seconds: float) -> None:
    """GSM in a WAV, as Asterisk's format_wav_gsm.c writes a ``wav49`` recording: a 60-byte
    header (fmt tag 49, a 4-byte fact chunk), then one 65-byte block per 40 ms. The blocks
    hold zeros (the simulator has no GSM encoder); their number is what is checked."""
    blocks = int(seconds / 0.04)
    data = bytes(65 * blocks)
    fmt = struct.pack("<HHIIHHHH", 49, 1, RATE, 1625, 65, 0, 2, 320)
    fact = b"fact" + struct.pack("<II", 4, 320 * blocks)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + fact
    body += b"data" + struct.pack("<I", len(data)) + data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    except OSError as exc:
        log.warning("sim_recording_not_written", path=str(path), error=str(exc))


def write_recording(path: Path, seconds: float) -> None:
    """The file MixMonitor leaves for ``path``: ``x.wav49`` is written as ``x.WAV``
    (main/file.c ``build_filename``); anything else as 16-bit PCM WAV."""
    if path.suffix == ".wav49":
        write_wav49(path.with_suffix(".WAV"), seconds)
    else:
        write_wav(path, seconds)


class Recorder:
    """The MixMonitors running on the PBX's channels. ``dialplan_records = False`` is a
    site whose dialplan leaves ``MixMonitor`` out before ``Queue()`` (calls recorded on
    demand only, by the AMI ``MixMonitor`` action)."""

    def __init__(self, pbx: Pbx) -> None:
        self.pbx = pbx
        self.dialplan_records = True
        self._recordings: dict[Channel, Path] = {}
        self._started: dict[Channel, float] = {}

    def mixmonitor(self, chan: Channel, path: Path) -> None:
        self.pbx.setvar(chan, "MIXMONITOR_FILENAME", str(path))
        self.pbx.ev("MixMonitorStart", chan)
        self._recordings[chan] = path
        self._started[chan] = self.pbx.now()
        chan.recording = str(path)

    def record_call(self, two: Channel, queue: str, priority: int | None = None) -> None:
        """``Set(SWITCHBOARD_RECORDING=…)`` and ``MixMonitor(…,b)`` before ``Queue()``."""
        if not self.dialplan_records:
            return
        pbx = self.pbx
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(pbx.now()))
        path = pbx.config.spool_dir / "monitor" / f"{queue}-{stamp}-{two.uniqueid}.wav"
        pbx.newexten(two, "Set", f"SWITCHBOARD_RECORDING={path}", priority)
        pbx.setvar(two, "SWITCHBOARD_RECORDING", str(path))
        pbx.newexten(two, "MixMonitor", f"{path},b", priority and priority + 1)
        self.mixmonitor(two, path)

    def add_bridged(self, chan: Channel, seconds: float) -> None:
        """``seconds`` more of bridged audio on ``chan`` (what ``,b`` records)."""
        total = float(chan.variables.get("__bridged_s", 0)) + seconds
        chan.variables["__bridged_s"] = str(total)

    def finish(self, chan: Channel) -> None:
        """Write the call's WAV: with ``,b`` only bridged audio, the talk time's length,
        and for a MixMonitor started during the talk only what came after it (the bridge
        ends with the call here, so the time since the start bounds it)."""
        path = self._recordings.pop(chan, None)
        started = self._started.pop(chan, None)
        chan.recording = None
        if path is not None and started is not None:
            bridged = float(chan.variables.get("__bridged_s", 0))
            write_recording(path, max(0.0, min(bridged, self.pbx.now() - started)))
