"""Durable storage: SQLAlchemy engine and sessions, models' shared Base, Alembic migrations."""

from switchboard.store.db import Database, database_url
from switchboard.store.migrate import upgrade_database

__all__ = ["Database", "database_url", "upgrade_database"]
