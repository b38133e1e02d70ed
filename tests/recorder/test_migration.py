from sqlalchemy import URL

from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine


def test_migration_0009_matches_the_recorder_models(database_url: URL) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import switchboard.recorder.models  # noqa: F401
    from switchboard.store.models import Base

    upgrade_database(database_url)
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert [d for d in diff if "recording" in repr(d)] == []


def test_0019_files_existing_recordings_under_their_calls_newest_disposition(
    database_url: URL,
) -> None:
    """Recordings indexed before the column existed are found by disposition after the
    upgrade, under the newest code (a correction counts), and the others under none."""
    from sqlalchemy import text

    upgrade_database(database_url, "0018_visit_transfers")
    engine = create_database_engine(database_url)
    with engine.begin() as connection:
        for n, call in enumerate(("C1", "C2"), start=1):
            connection.execute(
                text(
                    "INSERT INTO recording (id, call_id, linked_id, caller_number, agent_id,"
                    " queue, started_at, path, size, format, sha256, status, problem,"
                    " legal_hold, indexed_at) VALUES (:id, :call, :call, '', '', 'q',"
                    " '2026-11-24 02:00:00+00:00', :path, 0, 'wav', '', 'ok', '', false,"
                    " '2026-11-24 02:05:00+00:00')"
                ),
                {"id": n, "call": call, "path": f"/spool/{call}.wav"},
            )
        for code, at in (("complaint", "02:03"), ("sold", "02:01")):  # stored out of order
            connection.execute(
                text(
                    "INSERT INTO seat_disposition (call_id, agent_id, queue, code, note, at)"
                    f" VALUES ('C1', '1001', 'q', :code, '', '2026-11-24 {at}:00+00:00')"
                ),
                {"code": code},
            )
    engine.dispose()
    upgrade_database(database_url)
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        filed = connection.execute(text("SELECT call_id, disposition FROM recording ORDER BY id"))
        assert [tuple(row) for row in filed] == [("C1", "complaint"), ("C2", "")]
    engine.dispose()
