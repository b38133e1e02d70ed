# -*- test-case-name: tests.seat.test_service -*-
"""``build_seat`` from settings: the service listens while it runs, ``[seat]`` is checked
at load, a wrap-up that runs out pauses the agent when the centre asks for it, and the
migration makes the table the model describes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import URL

from switchboard.config import SeatSettings, Settings
from switchboard.config.model import QueuesSettings
from switchboard.hub import FACT
from switchboard.queue.core.decisions import AgentStateChanged
from switchboard.queue.core.model import AgentState
from switchboard.queue.shell.control import AgentView
from switchboard.seat import build_seat
from switchboard.seat.service import wrap_up_lengths
from switchboard.store import upgrade_database
from switchboard.store.db import Database, create_database_engine
from tests.seat.helpers import NOON, HeldWork, Sink, make_seat, migrated, user
from tests.seat.test_actions import run

S = AgentState


@pytest.fixture
def database(database_url: URL) -> Iterator[Database]:
    yield from migrated(database_url, HeldWork())


def test_the_service_listens_only_while_it_runs(database: Database) -> None:
    seat = make_seat(database, HeldWork())
    service = build_seat(Settings(), seat.clock, database, seat.hub, seat.control)
    sink = Sink()
    service.feed.subscribe("1001", sink.append)

    service.startService()
    seat.hub.publish(FACT, AgentStateChanged("1001", NOON, S.READY, S.NOT_READY))
    service.stopService()
    seat.hub.publish(FACT, AgentStateChanged("1001", NOON + 1, S.NOT_READY, S.READY, "break"))

    assert [m["state"] for m in sink.of("state")] == ["ready"]


def test_a_wrap_up_that_runs_out_pauses_the_agent_when_asked(database: Database) -> None:
    seat = make_seat(database, HeldWork())
    settings = Settings(seat=SeatSettings(wrapup_auto_ready=False))
    service = build_seat(settings, seat.clock, database, seat.hub, seat.control)
    service.startService()
    seat.control.states["1001"] = S.READY

    # The ACD ended the wrap-up by itself: the seat pauses the agent.
    seat.hub.publish(FACT, AgentStateChanged("1001", NOON, S.READY, S.WRAP_UP))
    # The agent ended it from the seat (the ACD tells it at once): they stay ready.
    finish = seat.control.finish_wrapup

    async def finish_as_the_acd_does(agent_id: str) -> AgentView:
        seat.hub.publish(FACT, AgentStateChanged(agent_id, NOON + 5, S.READY, S.WRAP_UP))
        return await finish(agent_id)

    seat.control.finish_wrapup = finish_as_the_acd_does  # type: ignore[method-assign]
    run(service.actions.finish_wrapup(user("1001")))
    service.stopService()

    assert seat.control.commands == [
        ("pause", "after_call_work", "1001"),
        ("finish_wrapup", "1001"),
    ]


def test_by_default_a_wrap_up_that_runs_out_leaves_the_agent_ready(database: Database) -> None:
    seat = make_seat(database, HeldWork())
    service = build_seat(Settings(), seat.clock, database, seat.hub, seat.control)
    service.startService()
    seat.hub.publish(FACT, AgentStateChanged("1001", NOON, S.READY, S.WRAP_UP))
    service.stopService()
    assert seat.control.commands == []


def test_seat_settings_name_the_bad_code_and_the_fix() -> None:
    with pytest.raises(ValidationError, match="'Follow Up' is not a short lower-case word"):
        SeatSettings(dispositions=("resolved", "Follow Up"))
    with pytest.raises(ValidationError, match="support: a disposition code is listed twice"):
        SeatSettings(queue_dispositions={"support": ("resolved", "resolved")})
    with pytest.raises(ValidationError, match="name at least one disposition code"):
        SeatSettings(dispositions=())
    settings = SeatSettings(queue_dispositions={"support": ("escalated",)})
    assert settings.dispositions_for("support") == ("escalated",)
    assert settings.dispositions_for("sales") == settings.dispositions


def test_migration_matches_the_model(database_url: URL) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import switchboard.seat.models  # noqa: F401
    from switchboard.store.models import Base

    upgrade_database(database_url)
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert [d for d in diff if "seat_" in repr(d)] == []


def test_the_wrap_up_pause_reason_must_be_a_configured_pause_reason() -> None:
    with pytest.raises(ValidationError, match=r"'acw' is not one of \[queues\] pause_reasons"):
        Settings.model_validate(
            {"seat": {"wrapup_auto_ready": False, "wrapup_pause_reason": "acw"}}
        )
    Settings.model_validate({"seat": {"wrapup_auto_ready": True, "wrapup_pause_reason": "acw"}})


def test_wrap_up_lengths_come_from_the_queue_file(tmp_path: Path) -> None:
    queues = tmp_path / "queues.yaml"
    queues.write_text(
        "queues:\n  sales: {wrap_up_s: 45}\n  support: {}\n"
        'agents:\n  "1001": {device: PJSIP/1001, queues: [sales]}\n'
    )
    lengths = wrap_up_lengths(Settings(queues=QueuesSettings(file=queues)))
    assert (lengths("sales"), lengths("support"), lengths("nowhere")) == (45.0, 10.0, None)
    assert wrap_up_lengths(Settings())("sales") is None


def test_an_unreadable_queue_file_leaves_the_wrap_up_length_unknown(tmp_path: Path) -> None:
    queues = tmp_path / "queues.yaml"
    queues.write_text("queues:\n  sales: {wrap_up_s: -1}\n")
    assert wrap_up_lengths(Settings(queues=QueuesSettings(file=queues)))("sales") is None
