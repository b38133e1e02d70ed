"""A database that cannot serve calls is named with the reason, without importing Alembic."""

# test-case-name: tests.unit.test_store_ready

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import make_url

from switchboard.store.ready import head_revision, schema_problem


def test_head_is_the_newest_migration_as_alembic_sees_it() -> None:
    from alembic.script import ScriptDirectory

    from switchboard.store.migrate import MIGRATIONS

    assert head_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_missing_empty_old_and_current_databases(tmp_path: Path) -> None:
    from switchboard.store import upgrade_database

    missing = tmp_path / "missing.sqlite"
    problem = schema_problem(make_url(f"sqlite:///{missing}"))
    assert problem == f"{missing} does not exist" and not missing.exists()

    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    assert "no switchboard schema" in (schema_problem(make_url(f"sqlite:///{empty}")) or "")

    old = tmp_path / "old.sqlite"
    upgrade_database(make_url(f"sqlite:///{old}"), "0001_baseline")
    assert "at 0001_baseline" in (schema_problem(make_url(f"sqlite:///{old}")) or "")

    current = tmp_path / "current.sqlite"
    upgrade_database(make_url(f"sqlite:///{current}"))
    assert schema_problem(make_url(f"sqlite:///{current}")) is None
