# -*- test-case-name: tests.web.api.test_crm_customers,tests.web.api.test_crm_tickets -*-
"""``/api/v1/customers``, ``/merges`` and ``/tickets``: the customer file and tickets
(工单) over :mod:`switchboard.crm`, declared as :class:`~.spec.Endpoint` rows like the
other routes.

Who may: supervisors and admins (and tokens with the scopes) everything but undoing a
merge (admins); an agent's session reads a customer only if their seat was offered the
customer or found them (the seat's :class:`~switchboard.seat.access.CustomerAccess`,
which a search here grants too), and opens tickets and comments on the tickets of those
customers (or their own). Every customer record handed out is logged
(:mod:`switchboard.crm.reads`) in the transaction that reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy.orm import Session

from switchboard.config import Settings
from switchboard.crm.commands import rules_for
from switchboard.crm.history import customer_history
from switchboard.crm.identifiers import IdentifierRules
from switchboard.crm.merge import MergeError, merge_customers, undo_merge
from switchboard.crm.models import Customer
from switchboard.crm.reads import reads_of, record_reads
from switchboard.crm.search import CustomerQuery, SearchError, customer_json, search_customers
from switchboard.crm.ticket_machine import STATUSES, TYPES
from switchboard.crm.tickets import (
    TicketError,
    TicketPolicy,
    add_comment,
    add_link,
    category_figures,
    open_ticket,
    ticket_detail,
    update_ticket,
)
from switchboard.seat.access import CustomerAccess
from switchboard.store import Database
from switchboard.web.api import crm_models as c
from switchboard.web.api.access import Caller
from switchboard.web.api.crm_records import (
    TicketFilter,
    move_ticket,
    ticket_owners,
    ticket_page,
)
from switchboard.web.api.spec import Endpoint
from switchboard.web.gate import Refusal

__all__ = ["CrmBackends", "crm_backends", "crm_endpoints"]

Answer = TypeVar("Answer", bound=BaseModel)
REPORT_DAYS = 30


@dataclass(frozen=True)
class CrmBackends:
    """What the customers and tickets routes need beside the database and the clock."""

    policy: TicketPolicy
    rules: IdentifierRules
    timezone: ZoneInfo  # [crm] timezone: the days of a date filter
    access: CustomerAccess | None = None  # the seat's; None: agents read no customer here


def crm_backends(settings: Settings, access: CustomerAccess | None) -> CrmBackends:
    crm = settings.crm
    return CrmBackends(
        TicketPolicy.from_settings(crm, settings.flows.dir),
        rules_for(crm),
        ZoneInfo(crm.timezone),
        access,
    )


def _whole(value: str, name: str) -> int:
    if not value.isdigit() or len(value) > 12:
        raise Refusal("bad_request", f"a {name.replace('_', ' ')} is a whole number", name)
    return int(value)


# The crm's names for a ticket's fields where the request's differ.
_FIELDS = {
    "comment": "body",
    "link kind": "kind",
    "call reference": "call_id",
    "recording reference": "recording_id",
}


def _ticket_refusal(exc: TicketError, fields: dict[str, str] | None = None) -> Refusal:
    field = exc.field and {**_FIELDS, **(fields or {})}.get(exc.field, exc.field)
    return Refusal(exc.code, str(exc), field)


def _merge_refusal(exc: MergeError) -> Refusal:
    return Refusal(exc.code, str(exc), "duplicate_id" if exc.code == "bad_request" else None)


class CrmApi:
    def __init__(
        self, database: Callable[[], Database], now: Callable[[], float], parts: CrmBackends | None
    ) -> None:
        self._database = database
        self._now = now
        self._parts = parts

    def parts(self) -> CrmBackends:
        if self._parts is None:
            raise Refusal("unavailable", "the customer file is not served by this process")
        return self._parts

    async def _run(self, work: Callable[[Session], Any]) -> Any:
        return await self._database().run(work)

    # -- access ------------------------------------------------------------------------

    def _may_read(self, caller: Caller, customer_id: int) -> bool:
        if not caller.agent:
            return True
        access = self.parts().access
        return (
            caller.seat is not None
            and access is not None
            and access.allowed(caller.seat, customer_id)
        )

    def _check_read(self, caller: Caller, customer_id: int) -> None:
        if not self._may_read(caller, customer_id):
            raise Refusal(
                "forbidden",
                f"customer {customer_id} was not offered to you and not found by your search;"
                " search for them by an identifier first",
            )

    async def _check_ticket(self, caller: Caller, ticket_id: int) -> None:
        """An agent reaches a ticket of a customer they may read, or their own."""
        owners = await self._run(lambda s: ticket_owners(s, ticket_id))
        if owners is None:
            raise Refusal("not_found", f"no ticket {ticket_id}")
        if not caller.agent or caller.name in (owners.owner, owners.created_by):
            return
        if owners.customer_id is None or not self._may_read(caller, owners.customer_id):
            raise Refusal(
                "forbidden",
                f"ticket {ticket_id} is not yours and its customer was not offered to you"
                " or found by your search; search for the customer first",
            )

    # -- customers ---------------------------------------------------------------------

    def _day_start(self, day: date | None, days: int = 0) -> datetime | None:
        if day is None:
            return None
        return datetime.combine(day + timedelta(days=days), time(), self.parts().timezone)

    async def search(self, caller: Caller, query: c.CustomerSearch) -> c.CustomerPage:
        tags = tuple(dict.fromkeys(t.strip() for t in query.tag.split(",") if t.strip()))
        wanted = CustomerQuery(
            query.q,
            tags,
            self._day_start(query.contacted_from),
            self._day_start(query.contacted_to, 1),
            query.page,
            query.per_page,
        )
        rules, now = self.parts().rules, self._now()

        def work(session: Session) -> Any:
            page = search_customers(session, wanted, rules)
            ids = [found["id"] for found in page.customers]
            record_reads(
                session,
                ids,
                username=caller.name,
                via="rest:search",
                address=caller.address,
                now=now,
            )
            return page

        try:
            page = await self._run(work)
        except SearchError as exc:
            raise Refusal("bad_request", str(exc), _search_field(str(exc))) from None
        access = self.parts().access
        if caller.agent and caller.seat is not None and access is not None:
            for found in page.customers:  # found by their search: theirs to open
                access.grant(caller.seat, found["id"])
        return c.CustomerPage.model_validate(
            {
                "total": page.total,
                "more": page.more,
                "page": page.page,
                "per_page": page.per_page,
                "customers": page.customers,
            }
        )

    async def one(self, caller: Caller, customer_id: str) -> c.CustomerRecord:
        wanted = _whole(customer_id, "customer_id")
        self._check_read(caller, wanted)
        now = self._now()

        def work(session: Session) -> Any:
            customer = session.get(Customer, wanted)
            if customer is None:
                return None
            record_reads(
                session, [wanted], username=caller.name, via="rest", address=caller.address, now=now
            )
            return customer_json(customer)

        found = await self._run(work)
        if found is None:
            raise Refusal("not_found", f"no customer {wanted}")
        return c.CustomerRecord.model_validate(found)

    async def history(self, caller: Caller, customer_id: str) -> c.CustomerHistory:
        wanted = _whole(customer_id, "customer_id")
        self._check_read(caller, wanted)
        now = self._now()

        def work(session: Session) -> Any:
            found = customer_history(session, wanted, now=now)
            if found is not None:
                record_reads(
                    session,
                    [wanted],
                    username=caller.name,
                    via="rest:history",
                    address=caller.address,
                    now=now,
                )
            return found

        found = await self._run(work)
        if found is None:
            raise Refusal("not_found", f"no customer {wanted}")
        return c.CustomerHistory.model_validate(found)

    async def merge(self, caller: Caller, customer_id: str, body: c.MergeBody) -> c.Merge:
        survivor = _whole(customer_id, "customer_id")
        now = self._now()
        try:
            done = await self._run(
                lambda s: merge_customers(
                    s, survivor, body.duplicate_id, actor=caller.name, now=now
                )
            )
        except MergeError as exc:
            raise _merge_refusal(exc) from None
        return c.Merge.model_validate(done)

    async def undo(self, caller: Caller, merge_id: str) -> c.Merge:
        wanted = _whole(merge_id, "merge_id")
        now = self._now()
        try:
            done = await self._run(
                lambda s: undo_merge(s, wanted, actor=caller.name, now=now, is_admin=caller.admin)
            )
        except MergeError as exc:
            raise _merge_refusal(exc) from None
        return c.Merge.model_validate(done)

    async def reads(self, caller: Caller, customer_id: str, query: c.ReadsQuery) -> c.CustomerReads:
        wanted = _whole(customer_id, "customer_id")
        found = await self._run(
            lambda s: reads_of(s, wanted, limit=query.limit, offset=query.offset)
        )
        return c.CustomerReads.model_validate(found)

    # -- tickets -----------------------------------------------------------------------

    async def _ticket_work(
        self,
        work: Callable[[Session], Any],
        answer: type[Answer],
        fields: dict[str, str] | None = None,
    ) -> Answer:
        try:
            return answer.model_validate(await self._run(work))
        except TicketError as exc:
            raise _ticket_refusal(exc, fields) from None

    async def list_tickets(self, caller: Caller, query: c.TicketQuery) -> c.TicketList:
        statuses = tuple(s.strip() for s in query.status.split(",") if s.strip())
        for status in statuses:
            if status not in STATUSES:
                raise Refusal(
                    "bad_request",
                    f"status: unknown status {status[:20]!r}; use one of {', '.join(STATUSES)}",
                    "status",
                )
        if query.type and query.type not in TYPES:
            raise Refusal(
                "bad_request", f"type: unknown type; use one of {', '.join(TYPES)}", "type"
            )
        policy = self.parts().policy
        if query.category and query.category not in policy.categories:
            raise Refusal(
                "bad_request",
                f"category: unknown category; use one of {', '.join(policy.categories)}",
                "category",
            )
        if caller.agent:
            mine = query.owner == caller.name
            if not mine and (query.customer is None or not self._may_read(caller, query.customer)):
                raise Refusal(
                    "forbidden",
                    f"agents list tickets of one customer they may read (customer=ID) or their"
                    f" own (owner={caller.name})",
                )
        wanted = TicketFilter(
            statuses,
            query.type,
            query.category,
            query.owner,
            query.customer,
            query.overdue,
            query.due_soon,
            query.page,
            query.per_page,
        )
        now = self._now()
        return await self._ticket_work(
            lambda s: ticket_page(s, wanted, now=now, policy=policy), c.TicketList
        )

    async def open_new(self, caller: Caller, body: c.TicketBody) -> c.TicketDetail:
        if body.customer_id is not None:
            self._check_read(caller, body.customer_id)
        policy, now = self.parts().policy, self._now()
        fields = body.model_dump()
        return await self._ticket_work(
            lambda s: open_ticket(s, policy, actor=caller.name, now=now, **fields),
            c.TicketDetail,
        )

    async def one_ticket(self, caller: Caller, ticket_id: str) -> c.TicketDetail:
        wanted = _whole(ticket_id, "ticket_id")
        await self._check_ticket(caller, wanted)
        policy, now = self.parts().policy, self._now()
        return await self._ticket_work(
            lambda s: ticket_detail(s, wanted, now=now, policy=policy), c.TicketDetail
        )

    async def transition(
        self, caller: Caller, ticket_id: str, body: c.TransitionBody
    ) -> c.TicketDetail:
        wanted = _whole(ticket_id, "ticket_id")
        if body.to not in STATUSES:
            raise Refusal(
                "bad_request", f"to: unknown status; use one of {', '.join(STATUSES)}", "to"
            )
        policy, now = self.parts().policy, self._now()
        return await self._ticket_work(
            lambda s: move_ticket(s, policy, wanted, body.to, actor=caller.name, now=now),
            c.TicketDetail,
        )

    async def comment(self, caller: Caller, ticket_id: str, body: c.CommentBody) -> c.TicketDetail:
        wanted = _whole(ticket_id, "ticket_id")
        await self._check_ticket(caller, wanted)
        policy, now = self.parts().policy, self._now()

        def work(session: Session) -> Any:
            add_comment(session, wanted, actor=caller.name, now=now, body=body.body)
            return ticket_detail(session, wanted, now=now, policy=policy)

        return await self._ticket_work(work, c.TicketDetail)

    async def patch(self, caller: Caller, ticket_id: str, body: c.TicketPatch) -> c.TicketDetail:
        wanted = _whole(ticket_id, "ticket_id")
        given = body.model_dump(exclude_none=True)
        if not given:
            raise Refusal(
                "bad_request",
                "nothing to change: give owner, priority, category, subject or customer_id"
                " (the status moves by POST /tickets/{id}/transition)",
            )
        policy, now = self.parts().policy, self._now()
        return await self._ticket_work(
            lambda s: update_ticket(s, policy, wanted, actor=caller.name, now=now, **given),
            c.TicketDetail,
        )

    async def link(self, caller: Caller, ticket_id: str, body: c.LinkBody) -> c.TicketDetail:
        wanted = _whole(ticket_id, "ticket_id")
        policy, now = self.parts().policy, self._now()

        def work(session: Session) -> Any:
            add_link(session, wanted, actor=caller.name, now=now, kind=body.kind, ref=body.ref)
            return ticket_detail(session, wanted, now=now, policy=policy)

        refs = {"call reference": "ref", "recording reference": "ref"}
        return await self._ticket_work(work, c.TicketDetail, refs)

    async def report(self, caller: Caller, query: c.TicketReportQuery) -> c.TicketReport:
        if caller.agent:
            raise Refusal("forbidden", "the ticket figures are for supervisors and admins")
        parts, now = self.parts(), self._now()
        today = datetime.fromtimestamp(now, parts.timezone).date()
        last = query.end or today
        first = query.start or last - timedelta(days=REPORT_DAYS - 1)
        if last < first:
            raise Refusal("bad_request", "end: the period ends before it starts", "end")
        start = datetime.combine(first, time(), parts.timezone).timestamp()
        end = datetime.combine(last + timedelta(days=1), time(), parts.timezone).timestamp()
        figures = await self._run(lambda s: category_figures(s, parts.policy, start=start, end=end))
        return c.TicketReport(
            start=start,
            end=end,
            categories=[c.CategoryFigures.model_validate(f) for f in figures],
        )


def _search_field(message: str) -> str | None:
    """The query field a search refusal is about."""
    for words, name in (
        ("give search text", "q"),
        ("search text", "q"),
        ("per page", "per_page"),
        ("page:", "page"),
        ("tags", "tag"),
        ("range", "contacted_to"),
    ):
        if words in message:
            return name
    return None


def crm_endpoints(
    prefix: str,
    database: Callable[[], Database],
    now: Callable[[], float],
    parts: CrmBackends | None,
) -> list[Endpoint]:
    api = CrmApi(database, now, parts)
    customer = {"customer_id": "the customer's id"}
    ticket = {"ticket_id": "the ticket's id"}
    return [
        Endpoint(
            "GET",
            f"{prefix}/customers",
            "find_customers",
            "Search customers by any identifier, name, pinyin, tag or last contact",
            "read:customers",
            c.CustomerPage,
            api.search,
            query=c.CustomerSearch,
        ),
        Endpoint(
            "GET",
            f"{prefix}/customers/<customer_id>",
            "get_customer",
            "One customer (the read is logged)",
            "read:customers",
            c.CustomerRecord,
            api.one,
            path_params=customer,
        ),
        Endpoint(
            "GET",
            f"{prefix}/customers/<customer_id>/history",
            "customer_history",
            "A customer's calls, tickets and CSAT scores (the read is logged)",
            "read:customers",
            c.CustomerHistory,
            api.history,
            path_params=customer,
        ),
        Endpoint(
            "GET",
            f"{prefix}/customers/<customer_id>/reads",
            "customer_reads",
            "Who read this customer's record, when, how and from where",
            "admin:crm",
            c.CustomerReads,
            api.reads,
            query=c.ReadsQuery,
            path_params=customer,
        ),
        Endpoint(
            "POST",
            f"{prefix}/customers/<customer_id>/merge",
            "merge_customer",
            "Merge a duplicate into this customer",
            "write:customers",
            c.Merge,
            api.merge,
            body=c.MergeBody,
            path_params=customer,
        ),
        Endpoint(
            "POST",
            f"{prefix}/merges/<merge_id>/undo",
            "undo_merge",
            "Undo a merge (administrators)",
            "admin:crm",
            c.Merge,
            api.undo,
            path_params={"merge_id": "the merge's id"},
        ),
        Endpoint(
            "GET",
            f"{prefix}/tickets",
            "list_tickets",
            "Tickets by status, type, category, owner, customer, overdue or due soon",
            "read:tickets",
            c.TicketList,
            api.list_tickets,
            query=c.TicketQuery,
        ),
        Endpoint(
            "POST",
            f"{prefix}/tickets",
            "open_ticket",
            "Open a ticket (due by its category's SLA)",
            "write:tickets",
            c.TicketDetail,
            api.open_new,
            body=c.TicketBody,
        ),
        Endpoint(
            "GET",
            f"{prefix}/tickets/report",
            "ticket_report",
            "Per category: opened, resolved, resolved within SLA, closure rate",
            "read:tickets",
            c.TicketReport,
            api.report,
            query=c.TicketReportQuery,
        ),
        Endpoint(
            "GET",
            f"{prefix}/tickets/<ticket_id>",
            "get_ticket",
            "One ticket with its comments, links, audit and allowed moves",
            "read:tickets",
            c.TicketDetail,
            api.one_ticket,
            path_params=ticket,
        ),
        Endpoint(
            "POST",
            f"{prefix}/tickets/<ticket_id>/comments",
            "comment_ticket",
            "Comment on a ticket",
            "write:tickets",
            c.TicketDetail,
            api.comment,
            body=c.CommentBody,
            path_params=ticket,
        ),
        Endpoint(
            "POST",
            f"{prefix}/tickets/<ticket_id>/links",
            "link_ticket",
            "Link a call or a recording to a ticket",
            "manage:tickets",
            c.TicketDetail,
            api.link,
            body=c.LinkBody,
            path_params=ticket,
        ),
        Endpoint(
            "PATCH",
            f"{prefix}/tickets/<ticket_id>",
            "update_ticket",
            "Change a ticket's owner, priority, category, subject or customer",
            "manage:tickets",
            c.TicketDetail,
            api.patch,
            body=c.TicketPatch,
            path_params=ticket,
        ),
        Endpoint(
            "POST",
            f"{prefix}/tickets/<ticket_id>/transition",
            "transition_ticket",
            "Move a ticket to another status (409 names the allowed ones)",
            "manage:tickets",
            c.TicketDetail,
            api.transition,
            body=c.TransitionBody,
            path_params=ticket,
        ),
    ]
