# -*- test-case-name: tests.crm.test_import -*-
"""Write a batch of checked rows: upsert by identifier with a handful of set-based
statements per batch (not an ORM object per row: 100,000 rows must load in seconds).

The batch's existing customers are read once (on PostgreSQL with ``= ANY(array)``: one
bound parameter, so the statement is compiled and planned once, not per list length),
decided here, then written: on PostgreSQL new customers, identifiers and tags go in by
``COPY`` (ids taken from the sequence first), elsewhere by one executemany each. Not
``INSERT ... ON CONFLICT``: a row whose identifiers belong to two customers must be refused
by name, which needs the owners read anyway, and a conflict with a concurrent writer must
fail the batch (it is then redone on the next run) rather than be skipped silently.

A row whose identifiers are all unknown creates a customer; a row whose identifiers
lead to one customer updates it (name, and any non-empty field; tags and identifiers are
added, never removed; free fields merged; the last contact only moves forward); a row
whose identifiers lead to two customers is refused, naming both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Integer, String, any_, bindparam, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session

from switchboard.crm.models import Customer, CustomerIdentifier, CustomerTag, digits_tail
from switchboard.crm.names import pinyin_forms
from switchboard.crm.rows import Problem, Row
from switchboard.crm.tag_copies import copy_to_tags

__all__ = ["Outcome", "upsert_rows"]

Outcome = str | list[Problem]  # "created" | "updated" | "unchanged" | the problems
_CHUNK: Final = 2000


@dataclass(slots=True, eq=False)
class _Record:
    """A customer as this batch sees it: loaded, or created by an earlier row."""

    id: int | None
    line: int | None
    name: str
    language: str = ""
    vip_level: int = 0
    notes: str = ""
    last_contact: datetime | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    identifiers: set[tuple[str, str]] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    new_identifiers: list[tuple[str, str]] = field(default_factory=list)
    new_tags: list[str] = field(default_factory=list)
    changed: bool = False
    merged_into: int | None = None  # copied onto its tag rows, as is the last contact
    contact_moved: bool = False  # its existing tag rows need the new last contact

    def described(self) -> str:
        where = (
            f"customer {self.id}" if self.id is not None else f"the customer of line {self.line}"
        )
        return f"{where} ({self.name})"


def upsert_rows(session: Session, rows: Sequence[tuple[int, Row]]) -> list[Outcome]:
    """Per row, in order: what became of it."""
    owners = _owners(session, {v for _line, row in rows for _k, v, _c in row.identifiers})
    outcomes: list[Outcome] = []
    created: list[_Record] = []
    for line, row in rows:
        found = list(dict.fromkeys(r for k, v, _c in row.identifiers if (r := owners.get((k, v)))))
        if len(found) > 1:
            outcomes.append(_refusal(row, owners, found[0]))
            continue
        if found:
            record = found[0]
            outcomes.append("updated" if _apply(record, row) else "unchanged")
        else:
            record = _Record(None, line, row.name)
            _apply(record, row)
            created.append(record)
            outcomes.append("created")
        for kind, value, _column in row.identifiers:
            owners[(kind, value)] = record
    _write(session, created, {id(r): r for r in owners.values() if r.id is not None}.values())
    return outcomes


def _owners(session: Session, values: set[str]) -> dict[tuple[str, str], _Record]:
    ordered = sorted(values)
    owners: dict[tuple[str, str], _Record] = {}
    loaded: dict[int, _Record] = {}  # one record per customer, whichever chunk finds it
    for start in range(0, len(ordered), _CHUNK):
        keys = session.execute(
            select(
                CustomerIdentifier.kind, CustomerIdentifier.value, CustomerIdentifier.customer_id
            ).where(_among(session, CustomerIdentifier.value, ordered[start : start + _CHUNK]))
        ).all()
        loaded.update(_load(session, {k.customer_id for k in keys} - set(loaded)))
        for kind, value, customer_id in keys:
            owners[(kind, value)] = loaded[customer_id]
    return owners


def _load(session: Session, ids: set[int]) -> dict[int, _Record]:
    """The customers ``ids`` with their identifiers and tags, in three queries."""
    if not ids:
        return {}
    records = {
        c.id: _Record(
            c.id,
            None,
            c.name,
            c.language,
            c.vip_level,
            c.notes,
            _aware(c.last_contact_at),
            dict(c.attributes or {}),
            merged_into=c.merged_into_id,
        )
        for c in session.execute(
            select(
                Customer.id,
                Customer.name,
                Customer.language,
                Customer.vip_level,
                Customer.notes,
                Customer.last_contact_at,
                Customer.attributes,
                Customer.merged_into_id,
            ).where(_among(session, Customer.id, ids))
        )
    }
    for customer_id, kind, value in session.execute(
        select(
            CustomerIdentifier.customer_id, CustomerIdentifier.kind, CustomerIdentifier.value
        ).where(_among(session, CustomerIdentifier.customer_id, ids))
    ):
        records[customer_id].identifiers.add((kind, value))
    for customer_id, tag in session.execute(
        select(CustomerTag.customer_id, CustomerTag.tag).where(
            _among(session, CustomerTag.customer_id, ids)
        )
    ):
        records[customer_id].tags.add(tag)
    return records


def _among(
    session: Session, column: InstrumentedAttribute[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``column = ANY(:array)``, one parameter whatever
    the number of values (an IN list is compiled, converted and planned anew per length)."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(list(values))
    item = Integer() if isinstance(column.type, Integer) else String()
    return column == any_(bindparam("among", list(values), type_=ARRAY(item)))


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite: stored as UTC
        return value.replace(tzinfo=UTC)
    return value


def _apply(record: _Record, row: Row) -> bool:
    """Bring ``record`` up to ``row``; True when that changed anything."""
    before = record.changed
    record.changed = False
    changes = {"name": row.name}
    if row.language:
        changes["language"] = row.language
    if row.notes:
        changes["notes"] = row.notes
    for attribute, value in changes.items():
        if getattr(record, attribute) != value:
            setattr(record, attribute, value)
            record.changed = True
    if row.vip_level is not None and row.vip_level != record.vip_level:
        record.vip_level = row.vip_level
        record.changed = True
    if row.last_contact is not None and (
        record.last_contact is None or row.last_contact > record.last_contact
    ):
        record.last_contact = row.last_contact
        record.contact_moved = record.id is not None and bool(record.tags)
        record.changed = True
    if any(record.attributes.get(k) != v for k, v in row.attributes.items()):
        record.attributes = {**record.attributes, **row.attributes}
        record.changed = True
    for kind, value, _column in row.identifiers:
        if (kind, value) not in record.identifiers:
            record.identifiers.add((kind, value))
            record.new_identifiers.append((kind, value))
            record.changed = True
    for tag in row.tags:
        if tag not in record.tags:
            record.tags.add(tag)
            record.new_tags.append(tag)
            record.changed = True
    changed = record.changed
    record.changed = before or changed
    return changed


def _refusal(row: Row, owners: dict[tuple[str, str], _Record], first: _Record) -> list[Problem]:
    for kind, value, column in row.identifiers:
        other = owners.get((kind, value))
        if other is not None and other is not first:
            return [
                Problem(
                    column,
                    f"{kind} {value} already belongs to {other.described()}, while other "
                    f"identifiers of this row belong to {first.described()}; merge them first",
                )
            ]
    raise AssertionError("two owners were found")


def _columns(record: _Record) -> dict[str, Any]:
    pinyin, initials = pinyin_forms(record.name)
    return {
        "name": record.name,
        "name_pinyin": pinyin,
        "name_initials": initials,
        "language": record.language,
        "vip_level": record.vip_level,
        "notes": record.notes,
        "last_contact_at": record.last_contact,
        "attributes": record.attributes,
    }


def _write(session: Session, created: list[_Record], loaded: Iterable[_Record]) -> None:
    copying = session.get_bind().dialect.name == "postgresql"
    if created:
        if copying:
            _copy_customers(session, created)
        else:
            ids = session.scalars(
                insert(Customer).returning(Customer.id, sort_by_parameter_order=True),
                [_columns(r) for r in created],
            ).all()
            for record, customer_id in zip(created, ids, strict=True):
                record.id = customer_id
    changed = [r for r in loaded if r.changed]
    if changed:
        session.execute(update(Customer), [{"id": r.id, **_columns(r)} for r in changed])
    touched = [*created, *changed]
    identifiers = [
        {"customer_id": r.id, "kind": k, "value": v, "tail": digits_tail(v)}
        for r in touched
        for k, v in r.new_identifiers
    ]
    tags = [
        {
            "customer_id": r.id,
            "tag": t,
            "last_contact_at": r.last_contact,
            "merged_into_id": r.merged_into,
        }
        for r in touched
        for t in r.new_tags
    ]
    for table, values in ((CustomerIdentifier, identifiers), (CustomerTag, tags)):
        if not values:
            continue
        if copying:
            _copy(session, table.__tablename__, [tuple(v.values()) for v in values], *values[0])
        else:  # an executemany of one cached statement (a multi-row VALUES compiles anew)
            session.execute(insert(table), values)
    # The tag rows written before this batch, of customers whose last contact moved.
    copy_to_tags(session, {r.id for r in changed if r.contact_moved and r.id is not None})


def _copy_customers(session: Session, created: list[_Record]) -> None:
    """New customers by COPY, their ids taken from the table's sequence beforehand."""
    ids = sorted(
        session.scalars(
            text(
                "SELECT nextval(pg_get_serial_sequence('crm_customer', 'id'))"
                " FROM generate_series(1, :n)"
            ),
            {"n": len(created)},
        )
    )
    for record, customer_id in zip(created, ids, strict=True):
        record.id = customer_id
    from psycopg.types.json import Json

    rows = []
    for record in created:
        columns = _columns(record)
        columns["attributes"] = Json(columns["attributes"])
        rows.append((record.id, *columns.values()))
    _copy(session, "crm_customer", rows, "id", *_columns(created[0]))


def _copy(session: Session, table: str, rows: list[tuple[Any, ...]], *columns: str) -> None:
    """``rows`` into ``table`` by COPY, in the session's transaction (psycopg escapes)."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
