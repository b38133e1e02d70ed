"""CRM lookups and IVR records on SQLite and PostgreSQL, through the migrations."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from sqlalchemy import URL, select
from sqlalchemy.exc import IntegrityError
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.python.failure import Failure

from switchboard.crm.directory import add_customer, find_customer
from switchboard.ivr_flows.effects import CallbackRequest, SurveyAnswer
from switchboard.ivr_flows.engine import Engine
from switchboard.ivr_flows.load import load_flows
from switchboard.ivr_flows.records import (
    CallbackRequestRow,
    CsatResponse,
    session_record,
    sessions_for_call,
)
from switchboard.ivr_flows.services import DatabaseServices
from switchboard.ivr_flows.simulate import walk
from switchboard.ivr_flows.state import CallInfo
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM

T = TypeVar("T")


def _threadless(work: Callable[[], Any]) -> Deferred[Any]:
    return maybeDeferred(work)


def resolve(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never waits (threadless database) and return its result."""
    results: list[Any] = []
    Deferred.fromCoroutine(coroutine).addBoth(results.append)
    assert results, "the coroutine is still waiting"
    if isinstance(results[0], Failure):
        raise results[0].value
    return results[0]  # type: ignore[no-any-return]


@pytest.fixture
def database(database_url: URL) -> Iterator[Database]:
    upgrade_database(database_url)
    db = Database(create_database_engine(database_url), None, runner=_threadless)
    yield db
    db.close()


def test_customers_are_found_by_any_identifier(database: Database) -> None:
    def setup(session: Any) -> int:
        customer = add_customer(
            session,
            "李雷",
            {
                "phone": ["+86 138-0013-8000", "010-6666"],
                "account": "6222 0211",
                "plate": "粤b 12345",
            },
            vip_level=2,
            attributes={"balance": "1234.50"},
        )
        return customer.id

    customer_id = resolve(_run(database, setup))
    services = DatabaseServices(database)
    for kind, value in [
        ("phone", "13800138000"),
        ("phone", "008613800138000"),
        ("account", "62220211"),
        ("plate", "粤B12345"),
        ("any", "粤B-12345"),
    ]:
        found = resolve(services.lookup_customer(kind, value))
        assert found is not None and found.id == customer_id, (kind, value)
    found = resolve(services.lookup_customer("phone", "13800138000"))
    assert found is not None and found.variables()["customer.balance"] == "1234.50"
    assert resolve(services.lookup_customer("phone", "13900000000")) is None
    assert resolve(_run(database, lambda s: find_customer(s, "account", ""))) is None


async def _run(database: Database, work: Callable[[Any], T]) -> T:
    return await database.run(work)


def test_trace_callback_and_survey_are_stored(database: Database) -> None:
    engine = Engine(load_flows(EXAMPLES))
    call = CallInfo(call_id="1795369105.20", caller_number="13800138000", channel="SIP/1-1")
    walked = walk(engine, "main-menu", ["1", "4", "2"], call=call, now=TUESDAY_10AM)
    services = DatabaseServices(database)
    resolve(services.save_session(session_record(walked.state, call)))
    resolve(
        services.save_callback(
            CallbackRequest(
                call_id=call.call_id,
                number="13800138000",
                window_start=TUESDAY_10AM,
                window_end=TUESDAY_10AM + 7200,
                queue="support",
            )
        )
    )
    resolve(
        services.save_survey(
            SurveyAnswer(call_id=call.call_id, score=4, agent="agent1001", queue="support")
        )
    )
    stored = resolve(_run(database, lambda s: sessions_for_call(s, call.call_id)))
    assert len(stored) == 1
    assert stored[0]["outcome"] == "queued" and stored[0]["digits"] == "142"
    assert stored[0]["queue"] == "support"
    assert stored[0]["trace"][0]["event"] == "started"
    assert any(e["event"] == "invalid" for e in stored[0]["trace"])
    assert stored[0]["variables"]["language"] == "cmn"

    def rows(session: Any) -> tuple[Any, Any]:
        callback = session.scalars(select(CallbackRequestRow)).one()
        survey = session.scalars(select(CsatResponse)).one()
        return (callback.number, callback.status, callback.window_end.timestamp()), (
            survey.score,
            survey.agent,
        )

    callback, survey = resolve(_run(database, rows))
    assert callback == ("13800138000", "pending", TUESDAY_10AM + 7200)
    assert survey == (4, "agent1001")


def test_survey_score_out_of_range_is_refused(database: Database) -> None:
    services = DatabaseServices(database)
    with pytest.raises(IntegrityError):
        resolve(services.save_survey(SurveyAnswer(call_id="x", score=0)))


def test_migration_matches_the_models(database_url: URL) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import switchboard.crm.models
    import switchboard.crm.ticket_rows
    import switchboard.ivr_flows.records  # noqa: F401
    from switchboard.store.models import Base

    upgrade_database(database_url)
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    ours = [d for d in diff if any(name in repr(d) for name in ("crm_", "ivr_"))]
    assert ours == []
