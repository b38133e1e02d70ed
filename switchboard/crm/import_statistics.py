# -*- test-case-name: tests.crm.test_import -*-
"""Planner statistics kept fresh while an import grows the customer tables.

PostgreSQL plans each batch's look-up (``value = ANY(:values)``) from the table's
statistics. A bulk load makes them stale at once: planned on a table it believed empty, a
look-up of 1,000 identifiers scans the whole table, so every batch costs more than the
last and an import of 100,000 rows into a new database took 10 minutes instead of 30 s.
Autovacuum would analyze the tables, but it may be switched off, and it looks only once
a minute. So the import analyzes them itself each time it has doubled what it has
written since it started (from 10,000 rows: four times in 100,000), a fraction of a
second each. SQLite uses its indexes without statistics and needs none of this.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Engine, text

__all__ = ["FreshStatistics"]

GROWN_TABLES: Final = ("crm_customer", "crm_customer_identifier", "crm_customer_tag")
FIRST_ANALYZE_ROWS: Final = 10_000


class FreshStatistics:
    """Call :meth:`written` after each committed batch, from the thread that wrote it."""

    def __init__(self, first: int = FIRST_ANALYZE_ROWS) -> None:
        self._written = 0
        self._next = first

    def written(self, engine: Engine, rows: int) -> bool:
        """Count ``rows`` more; analyze the tables when due (True when it did). Only then
        is a connection taken: most batches cost nothing here."""
        self._written += rows
        if engine.dialect.name != "postgresql" or self._written < self._next:
            return False
        with engine.begin() as conn:  # after the batch's commit: ANALYZE sees it
            for table in GROWN_TABLES:
                conn.execute(text(f"ANALYZE {table}"))  # fixed names, no input
        self._next = self._written * 2
        return True
