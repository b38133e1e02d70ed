"""Durable storage: SQLAlchemy engine and sessions, models' shared Base, Alembic migrations."""

from typing import Any

from switchboard.store.db import Database, database_url

__all__ = ["Database", "database_url", "upgrade_database"]


def __getattr__(name: str) -> Any:
    # Alembic loads only when a migration runs: a process AGI (one start per call) and
    # anything else that only reads and writes rows never pays for it.
    if name == "upgrade_database":
        from switchboard.store.migrate import upgrade_database

        return upgrade_database
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
