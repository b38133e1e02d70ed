# -*- test-case-name: tests.crm.test_import -*-
"""Import customers from a file: upsert by identifier, in committed batches, resumable.

Every row ends up counted as created, updated, unchanged or rejected; a rejected row is
written to ``<file>.rejects.csv`` beside the input with its line, column and reason (and
its cells, so it can be fixed and imported again). A row whose identifiers belong to two
different customers is rejected, never merged by accident.

After each committed batch the line reached is saved in ``<file>.import-state.json``;
run again after an interruption and the import goes on from there (a changed file
starts over). Re-running a finished import changes nothing: every row is ``unchanged``.

Rows are checked and normalised (phone numbers, IDs, dates) outside any transaction: while one
batch is written on a worker thread, the next is checked here, so the database's time and
ours overlap. One batch at most is in flight, and its outcome (counts, rejects, the line
saved for a resume) is recorded only once it is committed, in file order. On PostgreSQL
the grown tables are analyzed as the import goes (``import_statistics``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from switchboard.crm.identifiers import IdentifierRules
from switchboard.crm.import_statistics import FIRST_ANALYZE_ROWS, FreshStatistics
from switchboard.crm.reading import SourceFile
from switchboard.crm.rows import ColumnPlan, Problem, Row, check_row
from switchboard.crm.upsert import Outcome, upsert_rows

__all__ = ["ImportCounts", "import_customers", "rejects_path", "state_path"]

BATCH: Final = 1000


@dataclass(slots=True)
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    resumed_from_line: int = 0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected


def rejects_path(source: Path) -> Path:
    return source.with_name(source.name + ".rejects.csv")


def state_path(source: Path) -> Path:
    return source.with_name(source.name + ".import-state.json")


@dataclass(frozen=True, slots=True)
class _Checked:
    line: int
    cells: tuple[str, ...]
    row: Row | None
    problems: list[Problem]


def import_customers(
    engine: Engine,
    source: SourceFile,
    plan: ColumnPlan,
    *,
    rules: IdentifierRules,
    vip_tiers: Sequence[str],
    zone: tzinfo = UTC,
    batch: int = BATCH,
    progress: Callable[[int], None] = lambda _rows: None,
    analyze_from: int = FIRST_ANALYZE_ROWS,
) -> ImportCounts:
    """Import ``source``; ``progress`` gets the number of rows done after each batch."""
    fingerprint = _fingerprint(source.path)
    counts, after_line = _resume(source.path, fingerprint)
    rejects = rejects_path(source.path)
    with (
        rejects.open("a" if after_line else "w", encoding="utf-8-sig", newline="") as out,
        ThreadPoolExecutor(1, thread_name_prefix="crm-import") as writer_thread,
    ):
        writer = csv.writer(out)
        if not after_line:
            writer.writerow(["line", "column", "reason", *source.headers])
        in_flight: tuple[list[_Checked], Future[list[Outcome]]] | None = None
        statistics = FreshStatistics(analyze_from)

        def record_in_flight() -> None:
            """Wait for the batch being written; count it, report its rejects, save the line."""
            nonlocal in_flight
            if in_flight is None:
                return
            written, outcomes = in_flight
            in_flight = None
            _record(written, outcomes.result(), counts, writer, out)
            _save_state(source.path, fingerprint, written[-1].line, counts)
            progress(counts.rows)

        try:
            for pending in _batches(source, after_line, batch, plan, rules, vip_tiers, zone):
                record_in_flight()
                in_flight = pending, writer_thread.submit(_commit, engine, pending, statistics)
            record_in_flight()
        except BaseException:
            # Stopped while a batch was being written: let it finish and record it, or a
            # resume would count its rows again, as unchanged.
            with suppress(Exception):  # it failed: the batch is redone on resume
                record_in_flight()
            raise
    state_path(source.path).unlink(missing_ok=True)
    return counts


def _batches(
    source: SourceFile,
    after_line: int,
    size: int,
    plan: ColumnPlan,
    rules: IdentifierRules,
    vip_tiers: Sequence[str],
    zone: tzinfo,
) -> Iterator[list[_Checked]]:
    """The rows after ``after_line``, checked, ``size`` at a time."""
    pending: list[_Checked] = []
    for line, cells in source.rows():
        if line <= after_line:
            continue
        checked = check_row(cells, plan, rules, vip_tiers, zone)
        if isinstance(checked, Row):
            pending.append(_Checked(line, cells, checked, []))
        else:
            pending.append(_Checked(line, cells, None, checked))
        if len(pending) >= size:
            yield pending
            pending = []
    if pending:
        yield pending


def _commit(engine: Engine, checked: list[_Checked], statistics: FreshStatistics) -> list[Outcome]:
    rows = [(c.line, c.row) for c in checked if c.row is not None]
    with Session(engine) as session, session.begin():
        outcomes = upsert_rows(session, rows)
    statistics.written(engine, len(rows))
    return outcomes


def _record(
    checked: list[_Checked], outcomes: list[Outcome], counts: ImportCounts, writer: Any, out: Any
) -> None:
    found = iter(outcomes)
    for item in checked:
        problems = item.problems if item.row is None else next(found)
        if isinstance(problems, str):
            setattr(counts, problems, getattr(counts, problems) + 1)
            continue
        counts.rejected += 1
        for problem in problems:
            writer.writerow([item.line, problem.column, problem.reason, *item.cells])
    out.flush()


def _fingerprint(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _resume(path: Path, fingerprint: dict[str, int]) -> tuple[ImportCounts, int]:
    try:
        state = json.loads(state_path(path).read_text(encoding="utf-8"))
        if state["file"] == fingerprint:
            counts = ImportCounts(**state["counts"])
            counts.resumed_from_line = int(state["line"])
            return counts, int(state["line"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return ImportCounts(), 0


def _save_state(path: Path, fingerprint: dict[str, int], line: int, counts: ImportCounts) -> None:
    saved = {k: v for k, v in asdict(counts).items() if k != "resumed_from_line"}
    temporary = state_path(path).with_suffix(".tmp")
    temporary.write_text(
        json.dumps({"file": fingerprint, "line": line, "counts": saved}),
        encoding="utf-8",
    )
    temporary.replace(state_path(path))
