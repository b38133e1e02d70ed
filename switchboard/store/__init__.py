"""Durable storage: SQLAlchemy engine and sessions, models' shared Base, Alembic migrations.

The names below load on first use, so that ``switchboard.store.ready`` (a process AGI's
check, run once per call) costs neither SQLAlchemy nor Alembic.
"""

from importlib import import_module
from typing import Any

__all__ = ["Database", "database_url", "upgrade_database"]

_WHERE = {
    "Database": "switchboard.store.db",
    "database_url": "switchboard.store.db",
    "upgrade_database": "switchboard.store.migrate",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
