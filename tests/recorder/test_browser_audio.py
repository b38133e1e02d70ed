"""Recordings in formats no browser plays (Asterisk's wav49 under .WAV, gsm, ulaw …) are
converted with sox for the player, seek with Range requests like any other, and download
as the original file."""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from twisted.internet.defer import ensureDeferred, succeed

from switchboard.recorder.browser_audio import BrowserCopies, NotConvertible
from switchboard.recorder.filecheck import check_file
from switchboard.recorder.lifecycle import Finished
from switchboard.recorder.store import index_recording
from tests.recorder.helpers import T0, write_wav
from tests.recorder.test_playback import (  # noqa: F401 - the fixtures
    Site,
    fetch,
    file_pulls_in_the_test,
    site,
)

pytestmark = pytest.mark.skipif(
    shutil.which("sox") is None and not os.environ.get("CI"),
    reason="sox is not installed (apt-get install sox); CI installs it",
)


def _sync(work):  # type: ignore[no-untyped-def]
    return succeed(work())


def _encode(source: Path, target: Path, *args: str) -> Path:
    """``target`` as Asterisk would write it, made from a PCM WAV by sox."""
    subprocess.run(["sox", str(source), *args, str(target)], check=True)
    return target


def _seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as audio:
        assert (audio.getsampwidth(), audio.getnchannels()) == (2, 1)  # 16-bit PCM
        return audio.getnframes() / audio.getframerate()


def _copy(copies: BrowserCopies, recording_id: int, source: Path, fmt: str) -> Path:
    """The copy, converted at once (the converter runs in the test, not in a thread)."""
    result: list[Path] = []
    failure: list[BaseException] = []
    converting = ensureDeferred(copies.copy_of(recording_id, source, fmt))
    converting.addCallbacks(result.append, lambda f: failure.append(f.value))
    if failure:
        raise failure[0]
    return result[0]


def test_each_asterisk_format_becomes_a_pcm_wav_of_the_same_length(tmp_path: Path) -> None:
    pcm = write_wav(tmp_path / "talk.wav", 2.0)
    made = {
        "wav49": _encode(pcm, tmp_path / "talk.WAV", "-e", "gsm-full-rate"),
        "gsm": _encode(pcm, tmp_path / "talk.gsm", "-t", "gsm"),
        "ulaw": _encode(pcm, tmp_path / "talk.ulaw", "-t", "ul"),
        "alaw": _encode(pcm, tmp_path / "talk.alaw", "-t", "al"),
        "sln": _encode(pcm, tmp_path / "talk.sln", "-t", "raw", "-e", "signed-integer", "-b", "16"),
    }
    copies = BrowserCopies(tmp_path / "copies", run=_sync)
    for n, (fmt, path) in enumerate(made.items()):
        assert check_file(path).format == fmt  # the index tells the format, .WAV included
        copy = _copy(copies, n, path, fmt)
        assert _seconds(copy) == pytest.approx(2.0, abs=0.05), fmt


def test_a_copy_is_made_once_and_only_the_newest_are_kept(tmp_path: Path) -> None:
    pcm = write_wav(tmp_path / "talk.wav", 1.0)
    gsm = _encode(pcm, tmp_path / "talk.gsm", "-t", "gsm")
    copies = BrowserCopies(tmp_path / "copies", keep=2, run=_sync)
    first = _copy(copies, 1, gsm, "gsm")
    made_at = first.stat().st_mtime_ns
    assert _copy(copies, 1, gsm, "gsm") == first
    assert first.stat().st_mtime_ns >= made_at
    _copy(copies, 2, gsm, "gsm")
    _copy(copies, 3, gsm, "gsm")
    assert len(list((tmp_path / "copies").glob("*.wav"))) == 2
    copies.startService()
    copies.stopService()  # switchboard stops: no copy outlives it
    assert not (tmp_path / "copies").exists()


def test_what_cannot_be_converted_is_refused_with_the_way_out(tmp_path: Path) -> None:
    g722 = tmp_path / "talk.g722"
    g722.write_bytes(b"\x00" * 8000)
    with pytest.raises(NotConvertible) as refused:
        _copy(BrowserCopies(tmp_path / "c", run=_sync), 1, g722, "g722")
    assert refused.value.code == "unplayable" and "download" in refused.value.message
    gsm = tmp_path / "talk.gsm"
    gsm.write_bytes(b"\xd0" * 330)
    no_sox = BrowserCopies(tmp_path / "c", sox="/nonexistent/sox", run=_sync)
    with pytest.raises(NotConvertible) as missing:
        _copy(no_sox, 1, gsm, "gsm")
    assert missing.value.code == "unavailable" and "apt-get install sox" in missing.value.message


def test_a_wav49_recording_plays_seeks_and_downloads_as_recorded(site: Site) -> None:  # noqa: F811
    spool = site.spool
    original = _encode(
        write_wav(spool / "pcm.wav", 3.0), spool / "support-e.WAV", "-e", "gsm-full-rate"
    )
    with Session(site.database.engine) as session, session.begin():
        done = Finished(
            linked_id="Le", call_id="Ce", path=str(original), caller_number="5551009",
            agent_id="1002", queue="support", started_at=T0, ended_at=T0 + 8,
        )  # fmt: skip
        row = index_recording(session, done, check_file(original), indexed_at=T0 + 9)
        assert row.format == "wav49" and row.duration_s == pytest.approx(3.0, abs=0.05)
        e = row.id
    sam = site.browser("sam")
    head = fetch(sam, f"/recordings/{e}/audio", {"Range": "bytes=0-43"})
    assert head.status == 206 and head.header("content-type") == "audio/wav"
    assert head.body[:4] == b"RIFF" and int.from_bytes(head.body[20:22], "little") == 1  # PCM
    whole = fetch(sam, f"/recordings/{e}/audio")
    assert len(whole.body) > len(original.read_bytes())  # decoded: larger than the GSM
    later = fetch(sam, f"/recordings/{e}/audio", {"Range": "bytes=8000-8099"})
    assert later.status == 206 and later.body == whole.body[8000:8100]
    saved = fetch(sam, f"/recordings/{e}/audio?download=1")
    assert saved.body == original.read_bytes()
    assert saved.header("content-disposition") == f'attachment; filename="recording-{e}.WAV"'
