# -*- test-case-name: tests.crm.test_contact,tests.crm.test_contact_both_modes -*-
"""Calls move a known customer's ``last_contact_at`` forward, from the hub alone.

The caller is remembered from what the queue publishes (``CallQueued`` and the pop,
``Offered``: the number and the IVR session, the same in both routing modes; a callback's
number from ``CallbackScheduled``). When the call is answered, and again when it ends
(``CallFinished``, whatever its outcome: a caller who gave up still called), the customer
is found in the database — the one the IVR identified (by account, ID card ...) first,
else the owner of the caller's number, following a merge to the surviving record — and
their last contact set to the fact's time, never moved back.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session
from twisted.application.service import Service

from switchboard.config import CrmSettings
from switchboard.crm.commands import rules_for
from switchboard.crm.directory import find_customer
from switchboard.crm.identifiers import IdentifierRules
from switchboard.crm.models import Customer
from switchboard.hub import FACT, OFFERED, Hub, Offered
from switchboard.ivr_flows.records import IvrSession
from switchboard.queue.core.decisions import (
    CallAnswered,
    CallbackScheduled,
    CallFinished,
    CallQueued,
)
from switchboard.store import Database

__all__ = ["LastContact", "build_contact_tracker", "touch_last_contact"]

log = structlog.get_logger(__name__)
REMEMBERED: Final = 10_000  # calls in progress; the oldest are forgotten beyond this


def _customer_of(
    session: Session, caller_number: str, ivr_ref: str, rules: IdentifierRules
) -> Customer | None:
    found: Customer | None = None
    if ivr_ref:
        customer_id = session.scalars(
            select(IvrSession.customer_id)
            .where(IvrSession.call_id == ivr_ref, IvrSession.customer_id.is_not(None))
            .order_by(IvrSession.id.desc())
            .limit(1)
        ).first()
        found = session.get(Customer, customer_id) if customer_id is not None else None
    if found is None and caller_number:
        found = find_customer(session, "phone", caller_number, rules)
    for _ in range(10):  # a merge chain is short; a cycle would be a bug, not a reason to hang
        if found is None or found.merged_into_id is None:
            break
        found = session.get(Customer, found.merged_into_id)
    return found


def touch_last_contact(
    session: Session, *, caller_number: str, ivr_ref: str, at: float, rules: IdentifierRules
) -> int | None:
    """Set the caller's customer's last contact to ``at`` unless it is later already; the
    customer's id, or None for an unknown caller."""
    customer = _customer_of(session, caller_number, ivr_ref, rules)
    if customer is None:
        return None
    when = datetime.fromtimestamp(at, UTC)
    last = customer.last_contact_at
    if last is not None and last.tzinfo is None:  # SQLite hands back naive UTC values
        last = last.replace(tzinfo=UTC)
    if last is None or last < when:
        customer.last_contact_at = when
    return customer.id


class LastContact(Service):
    """The hub subscriber, listening while the service runs."""

    def __init__(self, hub: Hub, database: Database, rules: IdentifierRules) -> None:
        self._hub = hub
        self._database = database
        self._rules = rules
        self._callers: OrderedDict[str, tuple[str, str]] = OrderedDict()  # number, ivr_ref
        self._unsubscribe: list[Callable[[], None]] = []

    def startService(self) -> None:
        super().startService()
        self._unsubscribe = [
            self._hub.subscribe(FACT, self.on_fact),
            self._hub.subscribe(OFFERED, self.on_offered),
        ]

    def stopService(self) -> Any:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        return super().stopService()

    def _remember(self, call_id: str, number: str, ivr_ref: str) -> None:
        known = self._callers.get(call_id, ("", ""))
        self._callers[call_id] = (number or known[0], ivr_ref or known[1])
        self._callers.move_to_end(call_id)
        while len(self._callers) > REMEMBERED:
            self._callers.popitem(last=False)

    def on_offered(self, offered: Offered) -> None:
        self._remember(offered.call_id, offered.caller_number, offered.ivr_ref)

    def on_fact(self, fact: object) -> None:
        if isinstance(fact, CallQueued):
            self._remember(fact.call_id, fact.caller_number, fact.ivr_ref)
        elif isinstance(fact, CallbackScheduled):
            self._remember(fact.call_id, fact.number, "")
        elif isinstance(fact, CallAnswered):
            self._touch(fact.call_id, fact.at)
        elif isinstance(fact, CallFinished):
            self._touch(fact.call_id, fact.at)
            self._callers.pop(fact.call_id, None)

    def _touch(self, call_id: str, at: float) -> None:
        number, ivr_ref = self._callers.get(call_id, ("", ""))
        if not (number or ivr_ref):
            return
        work = partial(
            touch_last_contact, caller_number=number, ivr_ref=ivr_ref, at=at, rules=self._rules
        )
        self._database.run(work).addErrback(
            lambda failure: log.error(
                "crm_last_contact_failed", call_id=call_id, error=str(failure.value)
            )
        )


def build_contact_tracker(crm: CrmSettings, database: Database, hub: Hub) -> LastContact:
    """The subscriber that keeps customers' last contact from calls (both routing modes)."""
    tracker = LastContact(hub, database, rules_for(crm))
    tracker.setName("crm-last-contact")
    return tracker
