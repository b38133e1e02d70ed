# -*- test-case-name: tests.ivr.test_store,tests.crm.test_search -*-
"""Find customers by any identifier; add them. Plain functions of a SQLAlchemy session.

Values are normalised before they are stored and searched (:mod:`.identifiers`), so
``+86 138-0013-8000``, ``008613800138000`` and ``13800138000`` are one phone number, and
``粤b 12345`` and ``粤B12345`` one plate. Run these through :meth:`switchboard.store.Database.run`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.crm.identifiers import DEFAULT_RULES, IdentifierRules
from switchboard.crm.models import Customer, CustomerIdentifier, CustomerTag

__all__ = ["KINDS", "add_customer", "find_customer", "normalize"]

# The kinds the seat's "new customer" form offers (every configured kind can be searched).
KINDS: Final = ("phone", "account", "id_card", "plate", "email", "order")


def normalize(kind: str, value: str, rules: IdentifierRules = DEFAULT_RULES) -> str:
    """The stored form of an identifier of this kind (``""`` when unusable)."""
    return rules.normalize(kind, value)


def add_customer(
    session: Session,
    name: str,
    identifiers: Mapping[str, str | Iterable[str]],
    *,
    vip_level: int = 0,
    language: str = "",
    attributes: Mapping[str, Any] | None = None,
    tags: Iterable[str] = (),
    notes: str = "",
    rules: IdentifierRules = DEFAULT_RULES,
) -> Customer:
    """Create a customer with identifiers (kind -> value or values)."""
    customer = Customer(
        name=name,
        vip_level=vip_level,
        language=language,
        attributes=dict(attributes or {}),
        notes=notes,
    )
    for kind, values in identifiers.items():
        for value in [values] if isinstance(values, str) else values:
            customer.identifiers.append(
                CustomerIdentifier(kind=kind, value=rules.normalize(kind, value))
            )
    customer.tags.extend(CustomerTag(tag=tag) for tag in dict.fromkeys(tags))
    session.add(customer)
    session.flush()
    return customer


def find_customer(
    session: Session, kind: str, value: str, rules: IdentifierRules = DEFAULT_RULES
) -> Customer | None:
    """The customer with this identifier; ``kind="any"`` searches every kind."""
    if kind == "any":
        candidates = {rules.normalize(k, value) for k in rules.kinds} - {""}
        query = select(CustomerIdentifier).where(CustomerIdentifier.value.in_(candidates))
    else:
        wanted = rules.normalize(kind, value) if kind in rules.kinds else ""
        if not wanted:
            return None
        query = select(CustomerIdentifier).where(
            CustomerIdentifier.kind == kind, CustomerIdentifier.value == wanted
        )
    match = session.scalars(query.order_by(CustomerIdentifier.id).limit(1)).first()
    return match.customer if match is not None else None
