"""Shared fixtures: a database URL for each supported backend.

PostgreSQL is the production database, so every database test runs on it as
well as on SQLite. Each test run gets a throwaway PostgreSQL database. When
PostgreSQL cannot be reached the tests are skipped with the reason locally, and
fail under CI (``CI=true``), where a skip would hide a broken setup.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, make_url

PG_ADMIN_URL = os.environ.get(
    "SWITCHBOARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_unavailable(reason: str) -> None:
    message = f"PostgreSQL at {PG_ADMIN_URL} unavailable: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true requires it)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[URL]:
    """A fresh, empty PostgreSQL database for this test run, dropped afterwards."""
    import psycopg

    admin = make_url(PG_ADMIN_URL)
    name = f"switchboard_test_{os.getpid()}_{secrets.token_hex(3)}"
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        _pg_unavailable(str(exc).strip())
    yield admin.set(database=name)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """An empty database of each backend; PostgreSQL tests get a fresh schema each."""
    if request.param == "sqlite":
        yield make_url(f"sqlite:///{tmp_path / 'switchboard.sqlite'}")
        return
    server: URL = request.getfixturevalue("postgres_server_url")
    from sqlalchemy import create_engine, text

    schema = f"t_{secrets.token_hex(4)}"
    engine = create_engine(server)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    # Each test works in its own schema, found first on the search path.
    yield server.update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine(server)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()
