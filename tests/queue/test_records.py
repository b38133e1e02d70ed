# -*- test-case-name: tests.queue.test_records -*-
"""The ACD's history on SQLite and PostgreSQL: stored as it happens, read back, and the
statistics recomputed from it equal the live ones."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import asdict

import pytest
from sqlalchemy import URL, select
from sqlalchemy.orm import Session

from switchboard.queue.core.history import HistoryBuilder, recompute
from switchboard.queue.core.stats import LiveStats
from switchboard.queue.store.records import (
    AgentSessionRow,
    CallbackAttemptRow,
    CallbackRow,
    OfferRow,
    load_history,
    record_facts,
)
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine
from tests.queue.driver import ALL_AGENTS, QUEUES, Shell, step
from tests.queue.test_properties import KINDS


@pytest.fixture
def session(database_url: URL) -> Iterator[Session]:
    upgrade_database(database_url)
    engine = create_database_engine(database_url)
    with Session(engine) as session, session.begin():
        yield session
    engine.dispose()


def _simulated(seed: int) -> Shell:
    rnd = random.Random(seed)
    shell = Shell.new(seed)
    for _ in range(250):
        step(shell, (rnd.choice(KINDS), rnd.randint(0, 50), rnd.randint(0, 50)))
    return shell


def test_stored_history_gives_the_live_statistics(session: Session) -> None:
    shell = _simulated(3)
    half = len(shell.facts) // 2
    record_facts(session, shell.facts[:half])  # in batches, as the shell will
    record_facts(session, shell.facts[half:])
    visits, periods = load_history(session)
    memory = HistoryBuilder()
    memory.apply(shell.facts)
    assert [asdict(v) for v in visits] == [asdict(v) for v in memory.visits]
    assert [asdict(p) for p in periods] == [asdict(p) for p in memory.periods]
    live = LiveStats(QUEUES, ALL_AGENTS)
    live.apply(shell.facts)
    for now in (shell.now, shell.now + 1200):
        queues, agents = recompute(visits, periods, QUEUES, ALL_AGENTS, now)
        assert [asdict(s) for s in live.queues(now)] == [asdict(s) for s in queues]
        assert [asdict(s) for s in live.agents(now)] == [asdict(s) for s in agents]


def test_offers_sessions_and_callbacks_are_kept(session: Session) -> None:
    shell = _simulated(5)
    shell.drain()
    record_facts(session, shell.facts)
    offers = session.scalars(select(OfferRow)).all()
    assert offers and all(o.result for o in offers)  # every offer ended, with its result
    sessions = session.scalars(select(AgentSessionRow)).all()
    assert sessions
    callbacks = session.scalars(select(CallbackRow)).all()
    attempts = session.scalars(select(CallbackAttemptRow)).all()
    assert callbacks and all(c.outcome for c in callbacks)
    assert {a.call_id for a in attempts} <= {c.call_id for c in callbacks}


def test_migration_matches_the_models(database_url: URL) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import switchboard.queue.store.records  # noqa: F401
    from switchboard.store.models import Base

    upgrade_database(database_url)
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert [d for d in diff if "acd_" in repr(d)] == []
