# -*- test-case-name: tests.crm.test_tag_copies -*-
"""Keep each tag row's copies of its customer's last contact and merge true.

A search by tag lists the tag's customers in contact order from one index of the tag rows
(0022_tag_contact_order), so every tag row carries its customer's ``last_contact_at`` and
``merged_into_id``. Two ways write them:

- ORM writes: before each flush, the tags of every customer whose last contact, merge or
  tags changed (and every new tag row) take the customer's values; the ORM then writes
  them with the rest of the flush.
- Plain SQL writes (the import's bulk upsert): :func:`copy_to_tags` after them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from switchboard.crm.models import Customer, CustomerTag

__all__ = ["copy_to_tags"]

_COPIED = ("last_contact_at", "merged_into_id")
_WATCHED = (*_COPIED, "tags")


def copy_to_tags(session: Session, customer_ids: Collection[int]) -> None:
    """Bring the tag rows of ``customer_ids`` up to their customers, in SQL (for writers
    that bypass the ORM)."""
    if not customer_ids:
        return
    owner = Customer.id == CustomerTag.customer_id  # correlated: each row's own customer
    session.execute(
        update(CustomerTag)
        .where(CustomerTag.customer_id.in_(sorted(customer_ids)))
        .values(
            last_contact_at=select(Customer.last_contact_at).where(owner).scalar_subquery(),
            merged_into_id=select(Customer.merged_into_id).where(owner).scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )


@event.listens_for(Session, "before_flush")
def _copy_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    reached: set[int] = set()  # the tag rows set from a customer walked below
    with session.no_autoflush:
        for customer in [*session.new, *session.dirty]:
            if isinstance(customer, Customer) and _copies_may_change(customer):
                for tag in customer.tags:
                    _copy(customer, tag)
                    reached.add(id(tag))
        for tag in session.new:
            if isinstance(tag, CustomerTag) and id(tag) not in reached:
                found = session.get(Customer, tag.customer_id) if tag.customer_id else None
                if found is not None:
                    _copy(found, tag)


def _copies_may_change(customer: Customer) -> bool:
    state = inspect(customer)
    if state.pending:
        return True
    return any(state.attrs[name].history.has_changes() for name in _WATCHED)


def _copy(customer: Customer, tag: CustomerTag) -> None:
    for column in _COPIED:
        value = getattr(customer, column)
        if getattr(tag, column) != value:
            setattr(tag, column, value)
