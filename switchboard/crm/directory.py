# -*- test-case-name: tests.ivr.test_store -*-
"""Find customers by any identifier; add them. Plain functions of a SQLAlchemy session.

Values are normalised before they are stored and searched, so ``+86 138-0013-8000``,
``008613800138000`` and ``13800138000`` are one phone number, and ``粤b 12345`` and
``粤B12345`` one plate. Run these through :meth:`switchboard.store.Database.run`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.crm.models import Customer, CustomerIdentifier

__all__ = ["KINDS", "add_customer", "find_customer", "normalize"]

KINDS: Final = ("phone", "account", "id_card", "plate", "email", "order")


def normalize(kind: str, value: str) -> str:
    """The stored form of an identifier of this kind."""
    text = value.strip()
    if kind == "phone":
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits.startswith("0086"):
            digits = digits[4:]
        elif digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        return digits
    if kind == "email":
        return text.lower()
    return "".join(ch for ch in text if ch not in " -").upper()


def add_customer(
    session: Session,
    name: str,
    identifiers: Mapping[str, str | Iterable[str]],
    *,
    vip_level: int = 0,
    language: str = "",
    attributes: Mapping[str, Any] | None = None,
) -> Customer:
    """Create a customer with identifiers (kind -> value or values)."""
    customer = Customer(
        name=name, vip_level=vip_level, language=language, attributes=dict(attributes or {})
    )
    for kind, values in identifiers.items():
        for value in [values] if isinstance(values, str) else values:
            customer.identifiers.append(CustomerIdentifier(kind=kind, value=normalize(kind, value)))
    session.add(customer)
    session.flush()
    return customer


def find_customer(session: Session, kind: str, value: str) -> Customer | None:
    """The customer with this identifier; ``kind="any"`` searches every kind."""
    if kind == "any":
        candidates = {normalize(k, value) for k in KINDS} - {""}
        query = select(CustomerIdentifier).where(CustomerIdentifier.value.in_(candidates))
    else:
        wanted = normalize(kind, value)
        if not wanted:
            return None
        query = select(CustomerIdentifier).where(
            CustomerIdentifier.kind == kind, CustomerIdentifier.value == wanted
        )
    match = session.scalars(query.order_by(CustomerIdentifier.id).limit(1)).first()
    return match.customer if match is not None else None
