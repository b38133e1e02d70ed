# -*- test-case-name: tests.recorder.test_ops -*-
"""The recordings' operations: reindex a spool, verify checksums, apply retention.

Blocking, for the CLI. ``reindex`` walks a folder once, and for each audio file not yet
indexed under that path looks for its call: first an index row whose file name (as
Asterisk reported it in ``MIXMONITOR_FILENAME``) is the same, then a queue call record
whose id (an Asterisk uniqueid) appears in the file name. It commits every ``batch``
files, so an interrupted run loses at most one batch and a rerun skips what is done.
Orphans are reported both ways: files without a call, and calls (index rows of that
folder) whose file the walk did not find.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from switchboard.crm.directory import normalize
from switchboard.crm.models import CustomerIdentifier
from switchboard.queue.store.records import CallVisitRow
from switchboard.recorder.audio_formats import AUDIO_SUFFIXES
from switchboard.recorder.filecheck import MISSING, FileCheck, check_file
from switchboard.recorder.lifecycle import Finished
from switchboard.recorder.models import Recording, RecordingHold, RecordingTicket
from switchboard.recorder.paths import PathMap
from switchboard.recorder.store import apply_check, file_dispositions, fill_row, moment

__all__ = ["Reindexed", "held_ids", "reindex", "retention", "verify"]

_UNIQUEID: Final = re.compile(r"\d{9,}\.\d+")
Progress = Callable[[int], None]


def audio_files(folder: Path) -> Iterator[Path]:
    """Every audio file under ``folder``, in a stable order (sorted per folder)."""
    with os.scandir(folder) as entries:
        found = sorted(entries, key=lambda e: e.name)
    for entry in found:
        if entry.is_dir(follow_symlinks=False):
            yield from audio_files(Path(entry.path))
        elif entry.is_file() and Path(entry.name).suffix.lower() in AUDIO_SUFFIXES:  # .WAV too
            yield Path(entry.path)


@dataclass
class Reindexed:
    scanned: int = 0
    already: int = 0
    by_filename: int = 0
    by_call: int = 0
    files_without_call: list[Path] = field(default_factory=list)
    calls_without_file: list[tuple[int, str]] = field(default_factory=list)  # id, path


def reindex(
    sessions: Callable[[], Session],
    folder: Path,
    paths: PathMap,
    now: float,
    *,
    files: list[Path] | None = None,
    progress: Progress = lambda _n: None,
    check: Callable[[Path], FileCheck] = check_file,
    batch: int = 500,
    workers: int = 4,
) -> Reindexed:
    files = list(audio_files(folder)) if files is None else files
    report = Reindexed()
    with sessions() as session:
        rows = session.execute(select(Recording.id, Recording.path)).all()
    local_of = {paths.local_text(path): row_id for row_id, path in rows}
    by_name: dict[str, int] = {}
    for row_id, named in rows:
        by_name.setdefault(named.rpartition("/")[2], row_id)
    with ThreadPoolExecutor(max_workers=workers) as pool:  # hashing releases the GIL
        for start in range(0, len(files), batch):
            with sessions() as session, session.begin():
                chunk = files[start : start + batch]
                _batch(session, chunk, report, local_of, by_name, check, now, pool)
            progress(min(start + batch, len(files)))
    # Calls without a file: rows of this spool whose file the walk did not see (no stat
    # per row: a million rows cost a set lookup each).
    seen = {str(path) for path in files}
    under = (str(folder).rstrip("/") + "/", str(folder.resolve()).rstrip("/") + "/")
    with sessions() as session:
        for row_id, named in session.execute(
            select(Recording.id, Recording.path).where(Recording.deleted_at.is_(None))
        ):
            local = paths.local_text(named)
            if local.startswith(under) and local not in seen:
                report.calls_without_file.append((row_id, named))
    return report


def _batch(
    session: Session,
    chunk: list[Path],
    report: Reindexed,
    local_of: dict[str, int],
    by_name: dict[str, int],
    check: Callable[[Path], FileCheck],
    now: float,
    pool: ThreadPoolExecutor,
) -> None:
    """Index one batch: a query for its calls and one for their customers, not one a file."""
    fresh: list[Path] = []
    for path in chunk:
        report.scanned += 1
        if str(path) in local_of:
            report.already += 1
        elif not _moved(session, path, report, local_of, by_name, check, now):
            fresh.append(path)
    ids = {path: _UNIQUEID.findall(path.name) for path in fresh}
    wanted = {call_id for found in ids.values() for call_id in found}
    visits: dict[str, CallVisitRow] = {}
    if wanted:
        for visit in session.scalars(
            select(CallVisitRow)
            .where(CallVisitRow.call_id.in_(wanted))
            .order_by(CallVisitRow.answered_at.is_(None), CallVisitRow.id.desc())
        ):
            visits.setdefault(visit.call_id, visit)  # the answered, latest visit first
    matched = [(p, next((visits[i] for i in ids[p] if i in visits), None)) for p in fresh]
    report.files_without_call += [path for path, visit in matched if visit is None]
    found = [(path, visit) for path, visit in matched if visit is not None]
    customers = _customers(session, {visit.caller_number for _, visit in found})
    checks = pool.map(check, [path for path, _ in found])
    rows = []
    for (path, visit), checked in zip(found, checks, strict=True):
        row = Recording(path=str(path), legal_hold=False)
        fill_row(
            row, _finished(path, visit), checked, customers.get(visit.caller_number), indexed_at=now
        )
        rows.append(row)
    session.add_all(rows)
    session.flush()
    file_dispositions(session, [row.call_id for row in rows])
    for row in rows:
        local_of[row.path] = row.id
    report.by_call += len(rows)


def _moved(
    session: Session,
    path: Path,
    report: Reindexed,
    local_of: dict[str, int],
    by_name: dict[str, int],
    check: Callable[[Path], FileCheck],
    now: float,
) -> bool:
    """The file Asterisk named, found in another place: its row (flagged missing) takes it."""
    row_id = by_name.get(path.name)
    row = session.get(Recording, row_id) if row_id is not None else None
    if row is None or row.status != MISSING:
        return False
    row.path = str(path)
    apply_check(row, check(path), indexed_at=now)
    local_of[str(path)] = row.id
    report.by_filename += 1
    return True


def _customers(session: Session, numbers: set[str]) -> dict[str, int]:
    """Customer ids by phone number (as the CRM stores phones)."""
    stored = {normalize("phone", n): n for n in numbers if n}
    if not stored:
        return {}
    pairs = session.execute(
        select(CustomerIdentifier.value, CustomerIdentifier.customer_id)
        .where(CustomerIdentifier.kind == "phone", CustomerIdentifier.value.in_(stored))
        .order_by(CustomerIdentifier.id.desc())
    )
    return {stored[value]: customer for value, customer in pairs}


def _finished(path: Path, visit: CallVisitRow) -> Finished:
    started = visit.answered_at or visit.entered_at
    ended = visit.ended_at or visit.handled_at or visit.left_at or started
    return Finished(
        linked_id=visit.call_id,
        call_id=visit.call_id,
        path=str(path),
        caller_number=visit.caller_number,
        agent_id=visit.agent_id,
        queue=visit.queue,
        started_at=_epoch(started),
        ended_at=_epoch(ended),
    )


def _epoch(moment_: datetime) -> float:
    """Epoch seconds of a stored time (SQLite gives it back without its zone: UTC)."""
    return (moment_ if moment_.tzinfo else moment_.replace(tzinfo=UTC)).timestamp()


def verify(
    session: Session,
    paths: PathMap,
    *,
    progress: Progress = lambda _n: None,
    check: Callable[[Path], FileCheck] = check_file,
) -> tuple[int, list[tuple[int, str, str]]]:
    """(how many were checked, every mismatch as (id, path, what is wrong))."""
    rows = session.scalars(
        select(Recording).where(Recording.deleted_at.is_(None)).order_by(Recording.id)
    ).all()
    wrong: list[tuple[int, str, str]] = []
    for n, row in enumerate(rows, 1):
        found = check(paths.local(row.path))
        if row.status == MISSING and found.status == MISSING:
            wrong.append((row.id, row.path, "missing (flagged when indexed)"))
        elif found.status == MISSING:
            wrong.append((row.id, row.path, "the file is gone"))
        elif found.sha256 != row.sha256:
            wrong.append((row.id, row.path, f"checksum {found.sha256[:12]}… ≠ {row.sha256[:12]}…"))
        progress(n)
    return len(rows), wrong


def held_ids(session: Session) -> set[int]:
    """Recordings under a legal hold: their own, their call's or a linked ticket's."""
    holds = session.execute(select(RecordingHold.kind, RecordingHold.value)).all()
    calls = [v for k, v in holds if k == "call"]
    tickets = [v for k, v in holds if k == "ticket"]
    held = set(session.scalars(select(Recording.id).where(Recording.legal_hold.is_(True))))
    if calls:
        held |= set(
            session.scalars(
                select(Recording.id).where(
                    or_(Recording.call_id.in_(calls), Recording.linked_id.in_(calls))
                )
            )
        )
    if tickets:
        held |= set(
            session.scalars(
                select(RecordingTicket.recording_id).where(RecordingTicket.ticket.in_(tickets))
            )
        )
    return held


def retention(
    session: Session,
    days_by_queue: dict[str, int],
    paths: PathMap,
    now: float,
    *,
    dry_run: bool,
) -> tuple[list[Recording], list[Recording]]:
    """(expired rows deleted, or that would be with ``dry_run``; expired rows kept by a
    hold). A deleted recording's file is removed and its row marked; the audit stays."""
    if not days_by_queue:
        return [], []
    held = held_ids(session)
    expired: list[Recording] = []
    kept: list[Recording] = []
    default = days_by_queue.get("*")
    rows = session.scalars(
        select(Recording).where(Recording.deleted_at.is_(None)).order_by(Recording.id)
    )
    for row in rows:
        days = days_by_queue.get(row.queue, default)
        if days is None:
            continue
        if moment(_epoch(row.started_at)) >= moment(now) - timedelta(days=days):
            continue
        (kept if row.id in held else expired).append(row)
    if not dry_run:
        for row in expired:
            paths.local(row.path).unlink(missing_ok=True)
            row.deleted_at = moment(now)
    return expired, kept
