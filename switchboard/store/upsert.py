# -*- test-case-name: tests.reports.test_rollups -*-
"""Add to a counter row, creating it at zero, in one statement on PostgreSQL and SQLite
alike (``INSERT … ON CONFLICT DO UPDATE``): the roll-ups the reports read are kept so."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

__all__ = ["upsert_add"]


def upsert_add(session: Session, table: Any, keys: dict[str, Any], amounts: dict[str, Any]) -> None:
    """Add ``amounts`` to the row of ``keys`` (its primary key) of ``table`` (a mapped
    class or a ``Table``); the other columns of a new row take their defaults."""
    target: Table = getattr(table, "__table__", table)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(target).values(**keys, **amounts)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: target.c[name] + statement.excluded[name] for name in amounts},
    )
    session.execute(statement)
