"""A migrated database of each backend, worked on synchronously (no reactor)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import URL, Engine
from sqlalchemy.orm import Session

from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine

T = TypeVar("T")


@contextmanager
def migrated_engine(url: URL) -> Iterator[Engine]:
    upgrade_database(url)
    engine = create_database_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def in_session(engine: Engine, work: Callable[[Session], T]) -> T:
    """``work`` in one committed transaction, as ``Database.run`` runs it."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        return work(session)
