"""Is a database ready to serve calls? Answered without Alembic, which a process AGI
(one Python start per call) cannot afford to import.

A missing file or an unmigrated schema must be a loud error at the first call, naming the
file: otherwise every lookup fails with ``no such table`` where nobody looks.
"""

# test-case-name: tests.unit.test_store_ready

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import URL

VERSIONS = Path(__file__).parent / "migrations" / "versions"
_ASSIGNMENT = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def head_revision(versions: Path = VERSIONS) -> str | None:
    """The newest migration: the one no other migration names as its ``down_revision``."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in versions.glob("*.py"):
        for name, value in _ASSIGNMENT.findall(script.read_text(encoding="utf-8")):
            found = re.findall(r"[\"']([^\"']+)[\"']", value)
            (revisions if name == "revision" else parents).update(found)
    heads = revisions - parents
    return min(heads) if len(heads) == 1 else None


_SQLITE_FILE = re.compile(r"^sqlite(?:\+\w+)?:///([^?]+)(?:\?.*)?$")


def sqlite_schema_problem(url: str) -> str | None:
    """:func:`schema_problem` for a ``sqlite:///FILE`` URL with the standard library alone
    (SQLAlchemy costs a process AGI a tenth of a second before its first command)."""
    found = _SQLITE_FILE.match(url)
    if found is None or found.group(1) == ":memory:":
        raise ValueError(f"not a SQLite file URL: {url!r}")
    path = Path(found.group(1))
    if not path.is_file():
        return f"{path} does not exist"
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as exc:
        if "alembic_version" in str(exc):
            return "it has no switchboard schema (no alembic_version table)"
        return f"it cannot be read: {exc}"
    return _compare(row[0] if row else None)


def schema_problem(url: URL) -> str | None:
    """Why the database at ``url`` cannot serve calls, or ``None`` when it is at head."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        if not path.is_file():
            return f"{path} does not exist"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    except SQLAlchemyError as exc:
        if "alembic_version" in str(exc):
            return "it has no switchboard schema (no alembic_version table)"
        return f"it cannot be read: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()
    return _compare(row[0] if row else None)


def _compare(current: str | None) -> str | None:
    head = head_revision()
    if current != head:
        return f"its schema is at {current or 'no revision'}, this switchboard needs {head}"
    return None
