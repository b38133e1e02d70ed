"""The reports tests' database: migrated to head, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import URL, Engine

from tests.reports.seed import migrated_engine


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    with migrated_engine(database_url) as engine:
        yield engine
