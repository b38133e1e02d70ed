import hashlib
from pathlib import Path

from switchboard.recorder.filecheck import CORRUPT, EMPTY, MISSING, OK, check_file
from switchboard.sim._recording import write_wav49
from tests.recorder.helpers import write_wav


def test_a_wav_gives_its_duration_from_the_audio_and_its_checksum(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "a.wav", 2.5)
    check = check_file(path)
    assert check.status == OK
    assert check.duration_s == 2.5
    assert check.size == 44 + 2 * 8000 * 2.5
    assert check.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert check.format == "wav"
    assert not check.flagged


def test_a_header_only_wav_is_empty_and_not_flagged(tmp_path: Path) -> None:
    check = check_file(write_wav(tmp_path / "b.wav", 0))
    assert (check.status, check.size, check.duration_s, check.flagged) == (EMPTY, 44, 0.0, False)


def test_a_missing_file_is_flagged(tmp_path: Path) -> None:
    check = check_file(tmp_path / "nope.wav")
    assert check.status == MISSING and check.flagged
    assert "nope.wav" in check.problem


def test_garbage_and_truncated_wavs_are_corrupt(tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not a wav file at all, not even close" * 3)
    assert check_file(junk).status == CORRUPT
    whole = write_wav(tmp_path / "cut.wav", 1.0).read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole[:1000])
    check = check_file(cut)
    assert check.status == CORRUPT and check.flagged
    assert "truncated" in check.problem


def test_a_header_not_yet_finalised_is_corrupt(tmp_path: Path) -> None:
    header = write_wav(tmp_path / "h.wav", 0).read_bytes()
    unfinished = tmp_path / "u.wav"
    unfinished.write_bytes(header + b"\x00" * 800)
    check = check_file(unfinished)
    assert check.status == CORRUPT
    assert "not finished" in check.problem


def test_a_wav49_recording_under_dot_wav_is_timed_not_flagged(tmp_path: Path) -> None:
    # MixMonitor(call.wav49) writes call.WAV (main/file.c build_filename): GSM in a RIFF
    # header, which Python's wave module cannot read; it must not be flagged as corrupt.
    path = tmp_path / "call.WAV"
    write_wav49(path, 1.0)  # 25 blocks of 40 ms, as the simulated PBX writes them
    assert len(path.read_bytes()) == 60 + 25 * 65
    check = check_file(path)
    assert (check.status, check.format, check.duration_s) == (OK, "wav49", 1.0)
    assert not check.flagged
    header_only = tmp_path / "never-bridged.WAV"
    write_wav49(header_only, 0)
    assert check_file(header_only).status == EMPTY
    cut = tmp_path / "cut.WAV"
    write_wav49(cut, 0.12)
    cut.write_bytes(cut.read_bytes() + b"\x48" * 20)
    check = check_file(cut)
    assert check.status == CORRUPT and "truncated" in check.problem


def test_raw_formats_are_timed_from_their_size(tmp_path: Path) -> None:
    cases = {
        "c.gsm": (330, 0.2),  # 10 frames of 33 bytes, 20 ms each
        "c.ulaw": (8000, 1.0),
        "c.ul": (4000, 0.5),
        "c.alaw": (16000, 2.0),
        "c.sln": (16000, 1.0),
        "c.sln16": (16000, 0.5),
        "c.g722": (24000, 3.0),
    }
    for name, (size, seconds) in cases.items():
        path = tmp_path / name
        path.write_bytes(b"\xd0" * size)
        check = check_file(path)
        assert (check.status, check.size, check.duration_s) == (OK, size, seconds), name
    odd = tmp_path / "odd.gsm"
    odd.write_bytes(b"\xd0" * 340)
    assert check_file(odd).status == CORRUPT
    empty = tmp_path / "empty.sln"
    empty.write_bytes(b"")
    assert check_file(empty).status == EMPTY


def test_formats_asterisk_does_not_write_are_sized_and_hashed_without_a_duration(
    tmp_path: Path,
) -> None:
    mp3 = tmp_path / "c.mp3"
    mp3.write_bytes(b"\xff\xfb" * 165)
    check = check_file(mp3)
    assert (check.status, check.format, check.size, check.duration_s) == (OK, "mp3", 330, None)
