# -*- test-case-name: tests.queue.test_agent_rows -*-
"""Agent sessions and state rows on SQLite and PostgreSQL: closed by a clean stop, closed
with a reason at the start after an unclean one, and never two open for one agent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import URL, select
from sqlalchemy.orm import Session
from twisted.internet.defer import Deferred, succeed
from twisted.internet.task import Clock

from switchboard.queue import AgentState, Queue
from switchboard.queue.config.queue_file import QueueConfig
from switchboard.queue.core.decisions import AgentStateChanged
from switchboard.queue.shell.service import AcdService
from switchboard.queue.store.records import (
    END_STOPPED,
    END_UNCLEAN,
    AgentSessionRow,
    AgentStateRow,
    record_facts,
)
from switchboard.store import upgrade_database
from switchboard.store.db import Database, create_database_engine
from tests.queue.helpers import START, agent

S = AgentState
CONFIG = QueueConfig(
    (Queue("sales"),), (agent("a1"), agent("a2"), agent("a3")), {"a1": "ready", "a2": "paused"}
)


@pytest.fixture
def database(database_url: URL) -> Iterator[Database]:
    upgrade_database(database_url)
    # Work runs at once on the test's thread: deterministic, and still the real SQL.
    runner: Callable[[Callable[[], Any]], Deferred[Any]] = lambda work: succeed(work())  # noqa: E731
    db = Database(create_database_engine(database_url), None, runner=runner)
    yield db
    db.engine.dispose()


def _rows(db: Database, model: Any) -> list[Any]:
    with Session(db.engine) as session:
        return list(session.scalars(select(model).order_by(model.id)))


def _epoch(value: Any) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _start(db: Database, at: float) -> tuple[AcdService, Clock]:
    clock = Clock()
    clock.advance(at)
    acd = AcdService(CONFIG, clock, database=db)
    acd.startService()
    return acd, clock


def test_a_clean_stop_closes_every_open_session_and_state(database: Database) -> None:
    acd, clock = _start(database, START)
    clock.advance(60)
    acd.ready("a2")
    clock.advance(30)
    stopped = acd.stopService()
    assert stopped.called  # serve's shutdown waits for this
    sessions = _rows(database, AgentSessionRow)
    assert [(r.agent_id, r.end_reason) for r in sessions] == [
        ("a1", END_STOPPED),
        ("a2", END_STOPPED),
    ]
    assert all(_epoch(r.logged_out_at) == START + 90 for r in sessions)
    states = _rows(database, AgentStateRow)
    assert [r.ended_at is not None for r in states] == [True] * len(states)
    assert [(r.agent_id, r.state, r.end_reason) for r in states] == [
        ("a1", "ready", END_STOPPED),
        ("a2", "not_ready", ""),
        ("a2", "ready", END_STOPPED),
    ]


def test_the_start_after_a_crash_closes_the_stale_rows_then_opens_new_ones(
    database: Database,
) -> None:
    first, clock = _start(database, START)
    clock.advance(120)
    first.not_ready("a1", "lunch")  # the last thing recorded before the crash
    # ... the process dies here: no stopService. An hour later serve starts again.
    second, _clock = _start(database, START + 3720)
    sessions = _rows(database, AgentSessionRow)
    assert [(r.agent_id, r.end_reason) for r in sessions] == [
        ("a1", END_UNCLEAN),
        ("a2", END_UNCLEAN),
        ("a1", ""),
        ("a2", ""),
    ]
    # closed at the last moment known, not at the restart
    assert [_epoch(r.logged_out_at) for r in sessions[:2]] == [START + 120] * 2
    open_sessions = [r.agent_id for r in sessions if r.logged_out_at is None]
    assert open_sessions == ["a1", "a2"]  # exactly one each: this run's
    open_states = [
        (r.agent_id, r.state) for r in _rows(database, AgentStateRow) if r.ended_at is None
    ]
    assert open_states == [("a1", "ready"), ("a2", "not_ready")]
    second.stopService()
    assert all(r.logged_out_at is not None for r in _rows(database, AgentSessionRow))


def test_a_log_in_never_leaves_a_second_session_open(database: Database) -> None:
    def login(at: float) -> AgentStateChanged:
        return AgentStateChanged("a1", at, S.READY, S.LOGGED_OUT)

    with Session(database.engine) as session, session.begin():
        record_facts(session, [login(START), login(START + 10)])  # a lost log-out between
    sessions = _rows(database, AgentSessionRow)
    assert [(r.logged_out_at is None, r.end_reason) for r in sessions] == [
        (False, "superseded"),
        (True, ""),
    ]


def test_a_log_out_says_so(database: Database) -> None:
    with Session(database.engine) as session, session.begin():
        record_facts(
            session,
            [
                AgentStateChanged("a1", START, S.READY, S.LOGGED_OUT),
                AgentStateChanged("a1", START + 5, S.LOGGED_OUT, S.READY),
            ],
        )
    (row,) = _rows(database, AgentSessionRow)
    assert (row.end_reason, _epoch(row.logged_out_at)) == ("logged_out", START + 5)
