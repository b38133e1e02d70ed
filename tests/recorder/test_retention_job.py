"""serve's nightly retention run: at retention_at in the centre's zone, on the injected
clock, held recordings kept, what went logged; the settings that turn it on or off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import URL
from sqlalchemy.orm import Session
from structlog.testing import capture_logs
from twisted.internet.task import Clock

from switchboard.config.model import RecorderSettings
from switchboard.recorder import build_retention
from switchboard.recorder.models import Recording, RecordingHold
from switchboard.recorder.paths import PathMap
from switchboard.recorder.retention_job import RetentionJob, seconds_until
from switchboard.store.db import Database
from tests.recorder.helpers import T0, migrated
from tests.recorder.seed import DAY, seed

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = 3600.0


@pytest.fixture
def seeded(database_url: URL, tmp_path: Path) -> Iterator[tuple[Database, dict[str, int]]]:
    for database in migrated(database_url):
        with Session(database.engine) as session, session.begin():
            ids = seed(session, tmp_path / "spool")
            session.add(RecordingHold(kind="call", value="Ca", at=datetime.now(UTC)))
        yield database, ids


def _deleted(database: Database) -> dict[int, bool]:
    with Session(database.engine) as session:
        return {r.id: r.deleted_at is not None for r in session.query(Recording)}


def test_the_run_waits_for_retention_at_in_the_centres_zone_and_keeps_held_files(
    seeded: tuple[Database, dict[str, int]],
) -> None:
    database, ids = seeded
    clock = Clock()
    clock.advance(T0 + 3.5 * DAY)  # 2026-11-28 00:00 UTC = 08:00 in Shanghai
    job = RetentionJob(clock, database, {"sales": 1, "*": 30}, PathMap({}), "03:30", SHANGHAI)
    with capture_logs() as logs:
        job.startService()
        clock.advance(19.5 * HOUR - 1)  # 03:29:59 the next morning
        assert not any(_deleted(database).values())
        clock.advance(1)
    deleted = _deleted(database)
    assert deleted[ids["d"]] and not deleted[ids["a"]]  # both sales, expired; a's call held
    assert not deleted[ids["b"]] and not deleted[ids["c"]]  # support keeps 30 days
    with Session(database.engine) as session:
        d = session.get(Recording, ids["d"])
        assert d is not None and not Path(d.path).exists()
        a = session.get(Recording, ids["a"])
        assert a is not None and Path(a.path).exists()
    gone = [e for e in logs if e["event"] == "recording_deleted_by_retention"]
    assert [(e["id"], e["queue"]) for e in gone] == [(ids["d"], "sales")]
    [done] = [e for e in logs if e["event"] == "recordings_retention_done"]
    assert (done["deleted"], done["held_ids"]) == (1, [ids["a"]])
    assert clock.getDelayedCalls()[0].getTime() == pytest.approx(clock.seconds() + DAY)
    job.stopService()
    assert clock.getDelayedCalls() == []


def test_a_failed_run_is_logged_and_tomorrows_still_comes(tmp_path: Path) -> None:
    clock = Clock()
    clock.advance(T0)

    class Broken:
        def run(self, work: object) -> object:
            from twisted.internet.defer import fail

            return fail(RuntimeError("database is down"))

    job = RetentionJob(clock, Broken(), {"*": 1}, PathMap({}), "03:30", ZoneInfo("UTC"))  # type: ignore[arg-type]
    with capture_logs() as logs:
        job.startService()
        clock.advance(15.5 * HOUR)  # T0 is 12:00 UTC
    assert any(
        e["event"] == "recordings_retention_failed" and "database is down" in e["error"]
        for e in logs
    )
    assert len(clock.getDelayedCalls()) == 1
    job.stopService()


def test_next_run_is_computed_on_the_wall_clock_of_the_zone() -> None:
    noon_utc = datetime(2026, 11, 24, 12, 0, tzinfo=UTC).timestamp()  # 20:00 in Shanghai
    assert seconds_until("03:30", noon_utc, SHANGHAI) == 7.5 * HOUR
    assert seconds_until("12:00", noon_utc, ZoneInfo("UTC")) == DAY  # now has passed
    assert seconds_until("12:01", noon_utc, ZoneInfo("UTC")) == 60


def test_serve_schedules_it_only_with_a_policy_and_a_time() -> None:
    clock, database = Clock(), None
    on = RecorderSettings(retention_days={"*": 90})
    assert on.retention_at == "03:30"  # a centre with a policy wants it kept: on by default
    assert build_retention(on, "UTC", clock, database) is not None  # type: ignore[arg-type]
    assert build_retention(RecorderSettings(), "UTC", clock, database) is None  # type: ignore[arg-type]
    off = RecorderSettings(retention_days={"*": 90}, retention_at="")
    assert build_retention(off, "UTC", clock, database) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["3:30", "24:00", "03:60", "nightly"])
def test_a_bad_time_is_refused_at_load_naming_the_form(bad: str) -> None:
    with pytest.raises(ValidationError, match='"HH:MM" such as "03:30"'):
        RecorderSettings(retention_at=bad)
