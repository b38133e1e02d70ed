# -*- test-case-name: tests.recorder.test_filecheck -*-
"""The audio formats Asterisk records in, told apart by their file and timed by their size.

MixMonitor picks the format from the file name's extension, and Asterisk's format
modules write them as follows (facts from Asterisk 22's formats/):

- ``wav`` (format_wav.c): PCM in a RIFF header; the Python ``wave`` module reads it.
- ``wav49`` (format_wav_gsm.c): GSM 6.10 in a RIFF header, written under the extension
  ``.WAV`` (main/file.c ``build_filename`` turns ``wav49`` into ``WAV``), so a ``.WAV`` is
  told from a PCM ``.wav`` by its format tag (49), not by its name: a 60-byte header,
  then 65-byte blocks of 320 samples at 8 kHz.
- ``gsm`` (format_gsm.c): raw 33-byte frames of 160 samples at 8 kHz.
- ``ulaw``/``alaw`` (format_pcm.c, extensions ``pcm|ulaw|ul|mu|ulw`` and
  ``alaw|al|alw``), ``g722`` (format_pcm.c, 8,000 bytes a second) and signed linear
  (format_sln.c, ``sln|raw|slin`` at 8 kHz and ``sln16`` at 16 kHz): raw, headerless.

Raw formats have no header to check: their duration is their size over their byte rate,
and a file that ends inside a frame is unfinished or truncated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "AUDIO_SUFFIXES",
    "WAV49",
    "RawFormat",
    "is_wav49",
    "raw_format",
    "wav_format_tag",
    "written_name",
]


@dataclass(frozen=True, slots=True)
class RawFormat:
    name: str
    frame_bytes: int  # the smallest whole piece the format writes
    frame_s: float  # the audio one frame holds
    header_bytes: int = 0
    riff: bool = False  # a RIFF file pads an odd-sized chunk with one byte

    def duration(self, size: int) -> tuple[float | None, str]:
        """(seconds of audio, problem) of a file of ``size`` bytes."""
        body = size - self.header_bytes
        if body < 0:
            return None, f"shorter than the {self.header_bytes}-byte {self.name} header"
        frames, rest = divmod(body, self.frame_bytes)
        if rest and not (self.riff and rest == 1 and frames * self.frame_bytes % 2):
            return None, (
                f"{body} bytes of {self.name} audio is not a whole number of "
                f"{self.frame_bytes}-byte frames (not finished, or truncated)"
            )
        return round(frames * self.frame_s, 3), ""


_ULAW = RawFormat("ulaw", 1, 1 / 8000)
_ALAW = RawFormat("alaw", 1, 1 / 8000)
_SLIN = RawFormat("sln", 2, 1 / 8000)
WAV49: Final = RawFormat("wav49", 65, 320 / 8000, header_bytes=60, riff=True)
_RAW: Final[dict[str, RawFormat]] = {
    "gsm": RawFormat("gsm", 33, 160 / 8000),
    **dict.fromkeys(("pcm", "ulaw", "ul", "mu", "ulw"), _ULAW),
    **dict.fromkeys(("alaw", "al", "alw"), _ALAW),
    "g722": RawFormat("g722", 1, 1 / 8000),
    **dict.fromkeys(("sln", "raw", "slin"), _SLIN),
    "sln16": RawFormat("sln16", 2, 1 / 16000),
}
WAV_GSM_TAG: Final = 49  # WAVE_FORMAT_GSM610
AUDIO_SUFFIXES: Final = frozenset({".wav", ".mp3", ".ogg", *(f".{ext}" for ext in _RAW)})


def raw_format(suffix: str) -> RawFormat | None:
    """The headerless format a file extension names (any case), or None."""
    return _RAW.get(suffix.lstrip(".").lower())


def wav_format_tag(head: bytes) -> int | None:
    """The format tag of a RIFF/WAVE file's ``fmt`` chunk, from its first bytes."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    at = 12
    while at + 8 <= len(head):
        chunk, length = head[at : at + 4], int.from_bytes(head[at + 4 : at + 8], "little")
        if chunk == b"fmt " and at + 10 <= len(head):
            return int.from_bytes(head[at + 8 : at + 10], "little")
        at += 8 + length + (length & 1)
    return None


def is_wav49(path: Path) -> bool:
    """A ``.WAV`` or ``.wav`` that holds GSM (Asterisk's ``wav49``) rather than PCM."""
    try:
        with path.open("rb") as stream:
            return wav_format_tag(stream.read(64)) == WAV_GSM_TAG
    except OSError:
        return False


def written_name(path: str) -> str:
    """The file Asterisk writes for a recording named ``path``. ``x.wav49`` is written as
    ``x.WAV`` (main/file.c ``build_filename``, an exact, case-sensitive match), while
    ``MIXMONITOR_FILENAME`` keeps the name as it was given (apps/app_mixmonitor.c)."""
    stem, dot, ext = path.rpartition(".")
    return f"{stem}.WAV" if dot and ext == "wav49" else path
