"""Migration 0016_report_indexes: the indexes the models declare, on both databases, and
a clean way back."""

from __future__ import annotations

from sqlalchemy import URL, inspect

from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine


def _indexes(url: URL, table: str) -> set[str]:
    engine = create_database_engine(url)
    try:
        return {i["name"] for i in inspect(engine).get_indexes(table) if i["name"]}
    finally:
        engine.dispose()


def test_the_report_indexes_come_and_go(database_url: URL) -> None:
    from alembic import command

    from switchboard.store.migrate import alembic_config

    upgrade_database(database_url)
    assert "ix_acd_call_visit_handled_at" in _indexes(database_url, "acd_call_visit")
    assert "ix_seat_disposition_at" in _indexes(database_url, "seat_disposition")
    command.downgrade(alembic_config(database_url), "0013_crm_tickets")
    assert "ix_acd_call_visit_handled_at" not in _indexes(database_url, "acd_call_visit")
    upgrade_database(database_url)
    assert "ix_acd_offer_offered_at" in _indexes(database_url, "acd_offer")


def _columns(url: URL, table: str) -> dict[str, list[str]]:
    engine = create_database_engine(url)
    try:
        found = inspect(engine).get_indexes(table)
        return {i["name"]: [str(c) for c in i["column_names"]] for i in found if i["name"]}
    finally:
        engine.dispose()


def test_migration_0020_puts_the_time_and_call_in_the_caller_indexes(database_url: URL) -> None:
    from alembic import command

    from switchboard.store.migrate import alembic_config

    upgrade_database(database_url)
    visit, session = _columns(database_url, "acd_call_visit"), _columns(database_url, "ivr_session")
    assert visit["ix_acd_call_visit_caller_number"] == ["caller_number", "entered_at", "call_id"]
    assert visit["ix_acd_call_visit_path_ref"] == ["path_ref", "entered_at", "call_id"]
    assert session["ix_ivr_session_customer_id"] == ["customer_id", "call_id"]
    command.downgrade(alembic_config(database_url), "0019_recording_disposition")
    visit, session = _columns(database_url, "acd_call_visit"), _columns(database_url, "ivr_session")
    assert visit["ix_acd_call_visit_caller_number"] == ["caller_number"]
    assert visit["ix_acd_call_visit_path_ref"] == ["path_ref"]
    assert session["ix_ivr_session_customer_id"] == ["customer_id"]
    upgrade_database(database_url)
    assert _columns(database_url, "ivr_session")["ix_ivr_session_customer_id"] == [
        "customer_id",
        "call_id",
    ]


def test_migration_0021_adds_the_roll_ups_and_takes_them_away(database_url: URL) -> None:
    from alembic import command

    from switchboard.store.migrate import alembic_config

    rollups = {"acd_agent_hour", "acd_agent_pause_hour", "seat_disposition_hour", "ivr_csat_hour"}
    upgrade_database(database_url)
    engine = create_database_engine(database_url)
    try:
        assert rollups <= set(inspect(engine).get_table_names())
        assert "ix_acd_agent_state_open" in _indexes(database_url, "acd_agent_state")
        command.downgrade(alembic_config(database_url), "0020_queue_report_speed")
        found = inspect(engine)
        assert rollups.isdisjoint(found.get_table_names())
        assert "superseded" not in {c["name"] for c in found.get_columns("seat_disposition")}
        assert "counted_agent" not in {c["name"] for c in found.get_columns("ivr_csat_response")}
        assert "ix_acd_call_visit_answered" not in _indexes(database_url, "acd_call_visit")
        upgrade_database(database_url)
        assert rollups <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
