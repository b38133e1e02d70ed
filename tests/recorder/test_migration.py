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
