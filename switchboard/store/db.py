"""Engine, sessions and the one seam through which database work leaves the reactor thread.

Database calls block, so they never run on the reactor thread: every piece of
database work is a plain function ``fn(session) -> result`` handed to
``Database.run``, which runs it in a dedicated thread pool and returns a
Deferred. Tests pass a threadless runner to make that deterministic.
"""

# test-case-name: tests.integration.test_store

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from switchboard.config import DatabaseSettings

T = TypeVar("T")


def database_url(settings: DatabaseSettings) -> URL:
    """The URL to connect with, the password from settings filled in if given apart."""
    url = make_url(settings.url)
    if settings.password is not None and url.password is None:
        url = url.set(password=settings.password.get_secret_value())
    return url


def create_database_engine(url: URL) -> Engine:
    """An engine; for SQLite, the folder is created and foreign keys are enforced."""
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """Sessions plus the thread pool that keeps blocking calls off the reactor."""

    def __init__(
        self,
        engine: Engine,
        reactor: Any,
        *,
        threads: int = 4,
        runner: Callable[[Callable[[], Any]], Deferred[Any]] | None = None,
    ) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._reactor = reactor
        self._pool: ThreadPool | None = None
        self._threads = threads
        self._runner = runner

    def run(self, work: Callable[[Session], T]) -> Deferred[T]:
        """Run ``work(session)`` in a transaction off the reactor thread."""

        def in_transaction() -> T:
            with self._sessions.begin() as session:
                return work(session)

        if self._runner is not None:
            return self._runner(in_transaction)
        if self._pool is None:
            self._pool = ThreadPool(minthreads=0, maxthreads=self._threads, name="database")
            self._pool.start()
            self._reactor.addSystemEventTrigger("during", "shutdown", self.close)
        return deferToThreadPool(self._reactor, self._pool, in_transaction)

    def close(self) -> None:
        """Stop the pool and dispose of pooled connections."""
        if self._pool is not None:
            self._pool.stop()
            self._pool = None
        self.engine.dispose()
