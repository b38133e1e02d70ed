# -*- test-case-name: tests.ivr.test_store,tests.ivr.test_runner -*-
"""What the runner needs from outside the call: customer lookups and durable records.

:class:`DatabaseServices` does it through :meth:`switchboard.store.Database.run` (off the
reactor thread); :class:`MemoryServices` keeps everything in lists, for tests and demos.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from switchboard.ivr_flows.effects import CallbackRequest, CustomerView, SurveyAnswer
from switchboard.ivr_flows.summary import SessionRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from switchboard.crm.models import Customer
    from switchboard.store.db import Database

# The ORM (crm, records) is imported where a row is read or written, not at load: a
# process AGI runs a flow's first commands before it needs the database.

__all__ = ["DatabaseServices", "FlowServices", "MemoryServices", "customer_view"]


class FlowServices(Protocol):
    async def lookup_customer(self, kind: str, value: str) -> CustomerView | None: ...

    async def save_callback(self, request: CallbackRequest) -> None: ...

    async def save_survey(self, answer: SurveyAnswer) -> None: ...

    async def save_session(self, record: SessionRecord) -> None: ...


def customer_view(customer: Customer) -> CustomerView:
    attributes = {str(k): str(v) for k, v in (customer.attributes or {}).items()}
    return CustomerView(
        id=customer.id,
        name=customer.name,
        vip_level=customer.vip_level,
        language=customer.language,
        attributes=MappingProxyType(attributes),
    )


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class DatabaseServices:
    """The production services: every call goes through ``database.run``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def lookup_customer(self, kind: str, value: str) -> CustomerView | None:
        from switchboard.crm.directory import find_customer

        def work(session: Session) -> CustomerView | None:
            customer = find_customer(session, kind, value)
            return customer_view(customer) if customer is not None else None

        return await self._database.run(work)

    async def save_callback(self, request: CallbackRequest) -> None:
        from switchboard.ivr_flows.records import CallbackRequestRow

        def work(session: Session) -> None:
            session.add(
                CallbackRequestRow(
                    call_id=request.call_id,
                    number=request.number,
                    window_start=_at(request.window_start),
                    window_end=_at(request.window_end),
                    queue=request.queue,
                    flow=request.flow,
                    customer_id=request.customer_id,
                )
            )

        await self._database.run(work)

    async def save_survey(self, answer: SurveyAnswer) -> None:
        from switchboard.ivr_flows.csat_hours import count_csat
        from switchboard.ivr_flows.records import CsatResponse

        def work(session: Session) -> None:
            row = CsatResponse(
                call_id=answer.call_id,
                agent=answer.agent,
                queue=answer.queue,
                flow=answer.flow,
                score=answer.score,
            )
            if answer.at is not None:  # the call's time, which the reports bucket by
                row.created_at = _at(answer.at)
            session.add(row)
            count_csat(session, row.call_id)  # for the agent report's hourly counts

        await self._database.run(work)

    async def save_session(self, record: SessionRecord) -> None:
        def work(session: Session) -> None:
            session.add(record.to_row())

        await self._database.run(work)


@dataclass
class MemoryServices:
    """Everything in memory; ``customers`` maps (kind, normalised value) to a customer."""

    customers: dict[tuple[str, str], CustomerView] = field(default_factory=dict)
    callbacks: list[CallbackRequest] = field(default_factory=list)
    surveys: list[SurveyAnswer] = field(default_factory=list)
    sessions: list[SessionRecord] = field(default_factory=list)

    def add_customer(self, customer: CustomerView, **identifiers: str) -> None:
        from switchboard.crm.directory import normalize

        for kind, value in identifiers.items():
            self.customers[(kind, normalize(kind, value))] = customer

    async def lookup_customer(self, kind: str, value: str) -> CustomerView | None:
        from switchboard.crm.directory import normalize

        for (known_kind, known), customer in self.customers.items():
            if (kind in ("any", known_kind)) and normalize(known_kind, value) == known:
                return customer
        return None

    async def save_callback(self, request: CallbackRequest) -> None:
        self.callbacks.append(request)

    async def save_survey(self, answer: SurveyAnswer) -> None:
        self.surveys.append(answer)

    async def save_session(self, record: SessionRecord) -> None:
        self.sessions.append(record)
