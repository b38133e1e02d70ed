"""Alembic, driven from code: ``switchboard db upgrade`` and the tests use this."""

# test-case-name: tests.integration.test_store

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import URL

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: URL) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Passed as an object, not through the ini text, so '%' in passwords is safe.
    config.attributes["url"] = url
    return config


def upgrade_database(url: URL, revision: str = "head") -> None:
    """Bring the schema at ``url`` up to ``revision`` (creating a SQLite file if needed)."""
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def current_revision(url: URL) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
