import hashlib
from pathlib import Path

from switchboard.recorder.filecheck import CORRUPT, EMPTY, MISSING, OK, check_file
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


def test_other_formats_are_sized_and_hashed_without_a_duration(tmp_path: Path) -> None:
    gsm = tmp_path / "c.gsm"
    gsm.write_bytes(b"\xd0" * 330)
    check = check_file(gsm)
    assert (check.status, check.format, check.size, check.duration_s) == (OK, "gsm", 330, None)
