"""A recorded call, from the AMI events to its index row; the pause of a recording."""

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import URL
from sqlalchemy.orm import Session
from structlog.testing import capture_logs
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.config.model import RecorderSettings
from switchboard.crm.directory import add_customer
from switchboard.hub import DISPOSITION, DispositionSaved
from switchboard.recorder import RecorderError
from switchboard.recorder.search import RecordingQuery, search
from switchboard.seat.models import SeatDisposition
from switchboard.sim._recording import write_wav49
from switchboard.store.db import Database
from tests.recorder.helpers import T0, Pbx, event, migrated, pauses, rows, write_wav

SETTINGS = RecorderSettings(check_attempts=3, check_delay_s=2.0)


@pytest.fixture
def database(database_url: URL) -> Iterator[Database]:
    yield from migrated(database_url)


def make(database: Database, settings: RecorderSettings = SETTINGS) -> Pbx:
    return Pbx(database, settings, Clock())


def test_a_call_that_hangs_up_is_indexed_without_any_mixmonitorstop(
    database: Database, tmp_path: Path
) -> None:
    with Session(database.engine) as session, session.begin():
        customer_id = add_customer(session, "Bob", {"phone": "5551002"}).id
    path = tmp_path / "support-1.wav"
    pbx = make(database)
    pbx.start_call(str(path))
    pbx.clock.advance(5)
    pbx.answer()
    pbx.clock.advance(30)
    write_wav(path, 2.5)
    pbx.hang_up()
    [row] = rows(database)
    assert (row.status, row.duration_s, row.size) == ("ok", 2.5, path.stat().st_size)
    assert row.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (row.call_id, row.linked_id, row.caller_number) == ("100.12", "100.1", "5551002")
    assert (row.agent_id, row.queue, row.customer_id) == ("2001", "support", customer_id)
    assert row.started_at.replace(tzinfo=UTC) == datetime.fromtimestamp(T0, UTC)
    assert row.ended_at is not None
    assert row.ended_at.replace(tzinfo=UTC) == datetime.fromtimestamp(T0 + 35, UTC)
    assert (row.path, row.format) == (str(path), "wav")


def test_a_wav49_recording_is_found_under_the_name_asterisk_writes(
    database: Database, tmp_path: Path
) -> None:
    # MIXMONITOR_FILENAME keeps "x.wav49" as given; the file is "x.WAV" (main/file.c).
    asked = tmp_path / "support-2.wav49"
    pbx = make(database)
    pbx.start_call(str(asked))
    pbx.answer()
    pbx.clock.advance(30)
    write_wav49(tmp_path / "support-2.WAV", 4.0)
    pbx.hang_up()
    [row] = rows(database)
    assert (row.path, row.format, row.status) == (str(tmp_path / "support-2.WAV"), "wav49", "ok")
    assert row.duration_s == 4.0


def test_a_call_never_bridged_is_indexed_as_empty_without_alarm(
    database: Database, tmp_path: Path
) -> None:
    path = write_wav(tmp_path / "x.wav", 0)
    pbx = make(database)
    pbx.start_call(str(path))
    with capture_logs() as logs:
        pbx.hang_up()
    [row] = rows(database)
    assert (row.status, row.size, row.agent_id) == ("empty", 44, "")
    assert not [entry for entry in logs if entry["log_level"] in ("error", "warning")]


def test_a_file_written_after_the_hang_up_is_looked_for_again(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "late.wav"
    pbx = make(database)
    pbx.start_call(str(path))
    pbx.hang_up()
    assert rows(database) == []  # not yet: Asterisk is still closing it
    pbx.clock.advance(2.0)
    write_wav(path, 1.0)
    pbx.clock.advance(2.0)
    [row] = rows(database)
    assert (row.status, row.duration_s) == ("ok", 1.0)
    pbx.clock.advance(60)
    assert len(rows(database)) == 1


def test_a_file_that_never_comes_is_flagged_and_still_indexed(
    database: Database, tmp_path: Path
) -> None:
    pbx = make(database)
    pbx.start_call(str(tmp_path / "gone.wav"))
    with capture_logs() as logs:
        pbx.hang_up()
        pbx.clock.advance(2.0)
        assert rows(database) == []
        pbx.clock.advance(2.0)
    [row] = rows(database)
    assert row.status == "missing" and "gone.wav" in row.problem
    [alarm] = [e for e in logs if e["event"] == "recording_flagged"]
    assert (alarm["log_level"], alarm["attempts"]) == ("error", 3)


def test_a_corrupt_file_is_flagged(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(b"RIFF....garbage" * 10)
    pbx = make(database, RecorderSettings(check_attempts=1))
    pbx.start_call(str(path))
    pbx.hang_up()
    [row] = rows(database)
    assert row.status == "corrupt" and row.sha256


def test_the_spool_seen_under_another_path_is_read_there(
    database: Database, tmp_path: Path
) -> None:
    write_wav(tmp_path / "mnt" / "2026" / "a.wav", 1.5)
    settings = RecorderSettings(path_map={"/var/spool/asterisk/monitor": tmp_path / "mnt"})
    pbx = make(database, settings)
    pbx.start_call("/var/spool/asterisk/monitor/2026/a.wav")
    pbx.hang_up()
    [row] = rows(database)
    assert (row.status, row.duration_s) == ("ok", 1.5)
    assert row.path == "/var/spool/asterisk/monitor/2026/a.wav"  # as Asterisk named it


def test_a_call_without_mixmonitor_leaves_no_row(database: Database) -> None:
    pbx = make(database)
    pbx.chan("Newchannel", "1")
    pbx.chan("Newchannel", "2")
    pbx.hang_up()
    assert rows(database) == []


def test_pause_and_resume_are_asked_of_asterisk_and_logged_with_who(
    database: Database, tmp_path: Path
) -> None:
    pbx = make(database)
    pbx.start_call(str(tmp_path / "p.wav"))
    pbx.answer()
    Deferred.fromCoroutine(pbx.recorder.pause("100.12", by="wang"))
    [action] = pbx.ami.sent
    assert action.name == "MixMonitorMute"
    assert dict(action.headers)["Channel"] == "Local/s@switchboard-ivr-00000001;2"
    assert dict(action.headers)["State"] == "1"
    # Asterisk answers Success even when nothing records: only the event says it paused.
    assert not pbx.recorder.book.paused("100.1")
    pbx.clock.advance(4)
    pbx.chan("MixMonitorMute", "2", Direction="both", State="1")
    assert pbx.recorder.book.paused("100.1")
    pbx.clock.advance(20)
    pbx.chan("MixMonitorMute", "2", Direction="both", State="0")  # by the dialplan
    assert not pbx.recorder.book.paused("100.1")
    logged = [(p.paused, p.by, p.at.replace(tzinfo=UTC).timestamp()) for p in pauses(database)]
    assert logged == [(True, "wang", T0 + 4), (False, "asterisk", T0 + 24)]


def test_pausing_a_call_that_is_not_recorded_is_refused(database: Database) -> None:
    pbx = make(database)
    with pytest.raises(RecorderError) as caught:
        pbx.recorder.pause("nope", by="wang").send(None)
    assert caught.value.code == "not_found"
    assert pbx.ami.sent == []


def test_a_mute_event_of_an_unrecorded_call_changes_nothing(database: Database) -> None:
    pbx = make(database)
    pbx.feed(event("MixMonitorMute", Channel="x", Uniqueid="9", Linkedid="9", State="1"))
    assert pauses(database) == []


def _save_disposition(database: Database, code: str, at: float) -> None:
    """What the seat stores before it tells the hub."""
    with Session(database.engine) as session, session.begin():
        session.add(
            SeatDisposition(
                call_id="100.12",
                agent_id="2001",
                queue="support",
                code=code,
                note="",
                at=datetime.fromtimestamp(at, UTC),
            )
        )


def test_a_recording_is_found_by_the_newest_disposition_its_agent_saved(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "support-1.wav"
    pbx = make(database)
    pbx.start_call(str(path))
    pbx.answer()
    write_wav(path, 2.0)
    _save_disposition(database, "sold", T0 + 10)  # during the call, before the index row
    pbx.hang_up()
    assert [row.disposition for row in rows(database)] == ["sold"]

    _save_disposition(database, "complaint", T0 + 60)  # corrected in wrap-up
    pbx.hub.publish(
        DISPOSITION, DispositionSaved("100.12", "2001", "support", "complaint", T0 + 60)
    )

    with Session(database.engine) as session:
        by_new = search(session, RecordingQuery(disposition="complaint"))
        by_old = search(session, RecordingQuery(disposition="sold"))
    assert [row["disposition"] for row in by_new.rows] == ["complaint"]
    assert by_old.rows == ()


def test_a_late_word_of_an_older_disposition_does_not_undo_a_correction(
    database: Database, tmp_path: Path
) -> None:
    """The hub's messages may be filed out of order: the stored newest code wins."""
    path = write_wav(tmp_path / "support-1.wav", 1.0)
    pbx = make(database)
    pbx.start_call(str(path))
    pbx.answer()
    pbx.hang_up()
    _save_disposition(database, "sold", T0 + 10)
    _save_disposition(database, "complaint", T0 + 20)
    pbx.hub.publish(DISPOSITION, DispositionSaved("100.12", "2001", "support", "sold", T0 + 10))
    assert [row.disposition for row in rows(database)] == ["complaint"]
