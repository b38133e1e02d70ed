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
