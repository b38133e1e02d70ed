# -*- test-case-name: tests.crm.test_reads -*-
"""The log of people reading customer records (``crm_customer_read``, migration
``0014_crm_reads``): who, when, which customer, through what, from which address.

Append-only: switchboard inserts rows and never updates or deletes one (no foreign key
either, so a customer's deletion or merge cannot erase who read them). A read that cannot
be logged is not answered: callers log in the same transaction as the read, or first.

What counts as a person reading (the ``via`` of each row):

* ``rest`` / ``rest:history`` / ``rest:search``: ``GET /api/v1/customers/{id}``, its
  history, and each customer on a page of search results;
* ``seat`` / ``seat:search``: the seat's customer view and each search result it lists;
* ``web`` / ``web:search``: the ``/customers/{id}`` page and each search result listed;
* ``cli`` / ``cli:history`` / ``cli:search``: ``switchboard customers show``, ``history``
  and ``search`` (the login user, address ``local``).

The seat's screen pop is not logged here: the system fills it for the call it offers, and
the offer itself is recorded (who was offered which call, when) in the call records.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import DateTime, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from switchboard.store.models import Base

__all__ = ["VIAS", "CustomerRead", "reads_of", "record_reads"]

VIAS: Final = (
    "rest",
    "rest:history",
    "rest:search",
    "seat",
    "seat:search",
    "cli",
    "cli:history",
    "cli:search",
    "web",
    "web:search",
)


class CustomerRead(Base):
    __tablename__ = "crm_customer_read"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(64))  # or "token:<name>"
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    via: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))


def record_reads(
    session: Session,
    customer_ids: Iterable[int],
    *,
    username: str,
    via: str,
    address: str,
    now: float,
) -> None:
    """One row per customer (each once, in order) read by ``username`` through ``via``."""
    if via not in VIAS:
        raise ValueError(f"unknown read channel {via!r}; one of {', '.join(VIAS)}")
    at = datetime.fromtimestamp(now, UTC)
    session.add_all(
        CustomerRead(
            customer_id=customer_id,
            username=username[:64],
            at=at,
            via=via,
            address=address[:64],
        )
        for customer_id in dict.fromkeys(customer_ids)
    )
    session.flush()


def _epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def reads_of(
    session: Session, customer_id: int, *, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    """The reads of one customer, newest first: ``{total, reads: [{username, at, via,
    address}]}``."""
    where = CustomerRead.customer_id == customer_id
    total = session.scalar(select(func.count()).select_from(CustomerRead).where(where)) or 0
    rows = session.scalars(
        select(CustomerRead)
        .where(where)
        .order_by(CustomerRead.at.desc(), CustomerRead.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return {
        "total": total,
        "reads": [
            {"username": r.username, "at": _epoch(r.at), "via": r.via, "address": r.address}
            for r in rows
        ],
    }
