"""The database of a one-shot command (``users``, ``tokens``, ``customers``, ``tickets``,
``recordings``): migrated to head, used on this thread, closed at the end. A running
``serve`` uses :class:`switchboard.store.db.Database` instead (work off the reactor)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from switchboard.config import Settings

__all__ = ["database_engine", "in_database"]

T = TypeVar("T")


@contextmanager
def database_engine(settings: Settings) -> Iterator[Engine]:
    """An engine on ``[database]``, its schema brought to head first."""
    from switchboard.store import database_url, upgrade_database
    from switchboard.store.db import create_database_engine

    url = database_url(settings.database)
    upgrade_database(url)
    engine = create_database_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def in_database(settings: Settings, work: Callable[[Session], T]) -> T:
    """``work`` in one transaction (committed if it returns); its objects stay readable."""
    with (
        database_engine(settings) as engine,
        Session(engine, expire_on_commit=False) as session,
        session.begin(),
    ):
        return work(session)
