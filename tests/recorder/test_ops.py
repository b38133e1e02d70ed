"""reindex, verify, retention and holds, through the CLI where a user would run them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import URL, func, select
from sqlalchemy.orm import Session

from switchboard.cli import parser_for
from switchboard.config import Settings
from switchboard.config.model import DatabaseSettings, RecorderSettings
from switchboard.queue.store.records import CallVisitRow
from switchboard.recorder.commands import run
from switchboard.recorder.filecheck import check_file
from switchboard.recorder.models import Recording, RecordingAccess, RecordingHold
from switchboard.recorder.ops import reindex
from switchboard.recorder.paths import PathMap
from switchboard.recorder.store import log_access
from tests.recorder.helpers import T0, migrated, write_wav
from tests.recorder.seed import DAY, seed


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ops.sqlite"
    for database in migrated(URL.create("sqlite", database=str(path))):
        with Session(database.engine) as session, session.begin():
            seed(session, tmp_path / "spool")
    return path


def _settings(db: Path, **recorder: object) -> Settings:
    return Settings(
        database=DatabaseSettings(url=f"sqlite:///{db}"),
        recorder=RecorderSettings(**recorder),  # type: ignore[arg-type]
    )


def _cli(settings: Settings, argv: list[str]) -> int:
    return run(parser_for("recordings").parse_args(["recordings", *argv]), settings)


def _session(db: Path) -> Session:
    from switchboard.store.db import create_database_engine

    return Session(create_database_engine(URL.create("sqlite", database=str(db))))


def _visit(session: Session, call_id: str) -> None:
    at = datetime.fromtimestamp(T0 + 3 * DAY, UTC)
    session.add(
        CallVisitRow(
            call_id=call_id, queue="support", entered_at=at, enqueued_at=at, priority=0,
            caller_number="5550199", path_ref="", language="", customer_tier=0,
            answered_at=at, via_callback=False, agent_id="1003", outcome="answered",
            to_queue="", ended_at=at,
        )
    )  # fmt: skip


def test_reindex_matches_files_by_call_and_by_recorded_name_and_reports_orphans(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spool = tmp_path / "spool"
    with _session(db) as session, session.begin():
        _visit(session, "1795521600.77")
        moved = session.scalars(select(Recording).where(Recording.call_id == "Cc")).one()
        moved.status, moved.path = "missing", "/var/spool/asterisk/monitor/support-c.wav"
    (spool / "moved").mkdir()
    (spool / "support-c.wav").rename(spool / "moved" / "support-c.wav")
    write_wav(spool / "2026" / "support-1795521600.77.wav", 3.0)
    write_wav(spool / "stray.wav", 1.0)
    (spool / "sales-a.wav").unlink()  # a call whose file is gone
    settings = _settings(db)
    assert _cli(settings, ["reindex", str(spool)]) == 0
    out = capsys.readouterr().out
    assert "5 files: 2 already indexed, 1 matched by the recorded file name, 1 matched" in out
    assert f"files without a call: 1\n  {spool / 'stray.wav'}" in out
    assert "calls without a file: 1\n  #1 " in out and "sales-a.wav" in out
    with _session(db) as session:
        new = session.scalars(select(Recording).where(Recording.call_id == "1795521600.77")).one()
        assert (new.queue, new.agent_id, new.caller_number, new.duration_s) == (
            "support",
            "1003",
            "5550199",
            3.0,
        )
        found = session.scalars(select(Recording).where(Recording.call_id == "Cc")).one()
        assert (found.status, found.path) == ("ok", str(spool / "moved" / "support-c.wav"))
        count = session.scalar(select(func.count()).select_from(Recording))
    # Idempotent: a second run finds everything done and adds nothing.
    assert _cli(settings, ["reindex", str(spool)]) == 0
    assert "5 files: 4 already indexed, 0 matched" in capsys.readouterr().out
    with _session(db) as session:
        assert session.scalar(select(func.count()).select_from(Recording)) == count


def test_an_interrupted_reindex_resumes_where_it_stopped(db: Path, tmp_path: Path) -> None:
    spool = tmp_path / "new"
    with _session(db) as session, session.begin():
        for n in range(5):
            _visit(session, f"1795521600.{n}")
    files = [write_wav(spool / f"q-1795521600.{n}.wav", 1.0) for n in range(5)]
    seen: list[Path] = []

    def failing(path: Path) -> object:
        seen.append(path)
        if len(seen) == 3:
            raise OSError("the mount went away")
        return check_file(path)

    def sessions() -> Session:
        return _session(db)

    with pytest.raises(OSError):
        reindex(sessions, spool, PathMap({}), T0, files=files, check=failing, batch=2)  # type: ignore[arg-type]
    report = reindex(sessions, spool, PathMap({}), T0, files=files, batch=2)
    assert (report.already, report.by_call) == (2, 3)


def test_verify_exits_non_zero_on_a_changed_or_missing_file(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(db)
    assert _cli(settings, ["verify"]) == 0
    assert "4 recordings checked, 0 mismatched" in capsys.readouterr().out
    changed = tmp_path / "spool" / "support-b.wav"
    data = bytearray(changed.read_bytes())
    data[500] ^= 0xFF
    changed.write_bytes(bytes(data))
    (tmp_path / "spool" / "sales-a.wav").unlink()
    assert _cli(settings, ["verify"]) == 1
    out = capsys.readouterr().out
    assert "support-b.wav: checksum" in out and "sales-a.wav: the file is gone" in out
    assert "4 recordings checked, 2 mismatched" in out


def test_retention_deletes_expired_files_unless_held_and_dry_run_deletes_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = tmp_path / "spool"
    with _session(db) as session, session.begin():
        log_access(session, 4, "sam", "play", "192.0.2.1", T0)
    settings = _settings(db, retention_days={"sales": 1, "*": 30})
    now = datetime.fromtimestamp(T0 + 3.5 * DAY, UTC)
    monkeypatch.setattr("switchboard.recorder.commands.datetime", _Frozen(now))
    assert _cli(settings, ["hold", "--call", "Ca", "--reason", "court order"]) == 0
    assert _cli(settings, ["retention", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would delete 1 recordings; 1 expired but under a legal hold" in out
    assert "sales-d.wav" in out and (spool / "sales-d.wav").exists()
    assert _cli(settings, ["retention"]) == 0
    assert not (spool / "sales-d.wav").exists() and (spool / "sales-a.wav").exists()
    assert (spool / "support-b.wav").exists()  # support keeps 30 days
    with _session(db) as session:
        d = session.get(Recording, 4)
        assert d is not None and d.deleted_at is not None
        assert session.scalar(select(func.count()).select_from(RecordingAccess)) == 1
    # Lifting the hold lets the next run take it.
    assert _cli(settings, ["hold", "--call", "Ca", "--release"]) == 0
    assert _cli(settings, ["retention"]) == 0
    assert not (spool / "sales-a.wav").exists()


class _Frozen:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self, tz: object = None) -> datetime:
        return self._now

    def __getattr__(self, name: str) -> object:
        return getattr(datetime, name)


def test_a_ticket_is_linked_only_when_the_crm_has_it(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(db)
    assert _cli(settings, ["link", "1", "#2"]) == 0
    assert "recording #1: linked to ticket 2" in capsys.readouterr().out
    assert _cli(settings, ["link", "1", "2", "99"]) == 2  # all or nothing
    assert "no ticket 99: see `switchboard tickets list`" in capsys.readouterr().err
    assert _cli(settings, ["link", "1", "T-9"]) == 2
    assert "'T-9' is not a ticket number" in capsys.readouterr().err
    assert _cli(settings, ["link", "77", "1"]) == 2
    assert "no recording #77" in capsys.readouterr().err
    assert _cli(settings, ["search", "--ticket", "2", "--format", "json"]) == 0
    found = capsys.readouterr().out
    assert '"total": 2' in found  # b (seeded) and a, nothing more
    assert _cli(settings, ["hold", "--ticket", "99"]) == 2
    assert "no ticket 99" in capsys.readouterr().err
    assert _cli(settings, ["hold", "--ticket", "#1"]) == 0
    with _session(db) as session:
        assert [h.value for h in session.query(RecordingHold)] == ["1"]
