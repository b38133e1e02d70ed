"""The schema migrates on SQLite and PostgreSQL, and database work runs off the reactor."""

from __future__ import annotations

import threading

from alembic.script import ScriptDirectory
from sqlalchemy import URL, inspect, select
from sqlalchemy.orm import Session
from twisted.internet.testing import MemoryReactorClock

from switchboard.config import DatabaseSettings
from switchboard.store import Database, database_url, upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.store.migrate import MIGRATIONS, current_revision
from switchboard.store.models import InstanceSetting


def test_upgrade_reaches_the_head_revision_and_is_idempotent(database_url: URL) -> None:
    assert current_revision(database_url) is None
    upgrade_database(database_url)
    upgrade_database(database_url)  # a second upgrade is a no-op, not an error
    assert current_revision(database_url) == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    engine = create_database_engine(database_url)
    assert "instance_setting" in inspect(engine).get_table_names()
    with Session(engine) as session:
        row = session.scalars(select(InstanceSetting)).one()
    engine.dispose()
    assert (row.name, row.value) == ("schema_baseline", "0001_baseline")


def test_password_given_apart_is_put_into_the_url_and_never_printed() -> None:
    settings = DatabaseSettings(
        url="postgresql+psycopg://switchboard@db.example:5432/cc", password="s3cr%t"
    )
    url = database_url(settings)
    assert url.password == "s3cr%t"
    assert "s3cr" not in str(url)  # SQLAlchemy masks it when printed


class _CallFromThreadReactor:
    """Just enough reactor for deferToThreadPool: results are delivered on the worker."""

    def callFromThread(self, f, *args, **kwargs):  # type: ignore[no-untyped-def]
        f(*args, **kwargs)

    def addSystemEventTrigger(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        pass


def test_work_runs_in_a_database_thread_not_the_reactor_thread(database_url: URL) -> None:
    upgrade_database(database_url)
    db = Database(create_database_engine(database_url), _CallFromThreadReactor(), threads=2)
    seen: list[str] = []
    done = threading.Event()

    def work(session: Session) -> str:
        seen.append(threading.current_thread().name)
        return session.scalars(select(InstanceSetting.value)).one()

    results: list[object] = []
    db.run(work).addBoth(lambda r: (results.append(r), done.set()))
    try:
        assert done.wait(10), "database work did not finish"
    finally:
        db.close()
    assert results == ["0001_baseline"]
    assert seen and seen[0] != threading.main_thread().name


def test_a_threadless_runner_makes_database_work_deterministic(database_url: URL) -> None:
    upgrade_database(database_url)

    def run_now(fn):  # type: ignore[no-untyped-def]
        from twisted.internet.defer import maybeDeferred

        return maybeDeferred(fn)

    db = Database(create_database_engine(database_url), MemoryReactorClock(), runner=run_now)
    d = db.run(lambda s: s.get(InstanceSetting, "schema_baseline").value)
    results: list[str] = []
    d.addCallback(results.append)
    db.close()
    assert results == ["0001_baseline"]
