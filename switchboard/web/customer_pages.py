# -*- test-case-name: tests.web.test_customer_pages -*-
"""The customer pages: ``/customers`` (search by any key, as the REST search) and
``/customers/{id}`` (one customer's history: identity, calls, tickets, CSAT).

Access as the REST API rules it: supervisors and administrators read every customer; an
agent those their seat's :class:`~switchboard.seat.access.CustomerAccess` allows, and a
search grants them its results. Every customer shown is a read logged through
:mod:`switchboard.crm.reads` (``web`` for a history page, ``web:search`` per result).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from twisted.web.server import Request

from switchboard.accounts.model import Role, User
from switchboard.crm.history import customer_history
from switchboard.crm.identifiers import DEFAULT_RULES, IdentifierRules
from switchboard.crm.reads import record_reads
from switchboard.crm.search import CustomerQuery, SearchError, search_customers
from switchboard.recorder.models import Recording
from switchboard.seat.access import CustomerAccess
from switchboard.store import Database
from switchboard.web.gate import arg

if TYPE_CHECKING:
    from switchboard.web.routes import WebApp

__all__ = ["customer_routes"]


def _supervises(user: User) -> bool:
    return user.role in (Role.SUPERVISOR, Role.ADMIN)


def _shown(epoch: float | None) -> str:
    if epoch is None:
        return "—"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M")


def _history(session: Session, customer_id: int, **read: Any) -> dict[str, Any] | None:
    """The crm's history with each call's recordings, logged as a read in the same work."""
    found = customer_history(session, customer_id, now=read["now"])
    if found is None:
        return None
    record_reads(session, [customer_id], **read)
    calls = [call["call_id"] for call in found["calls"]]
    recordings: dict[str, int] = {}
    for call_id, recording_id in session.execute(
        select(Recording.call_id, Recording.id).where(
            Recording.call_id.in_(calls), Recording.deleted_at.is_(None)
        )
    ):
        recordings.setdefault(call_id, recording_id)
    for call in found["calls"]:
        call["recording"] = recordings.get(call["call_id"])
    return found


def customer_routes(
    database: Database,
    access: CustomerAccess | None,
    now: Callable[[], float],
    rules: IdentifierRules = DEFAULT_RULES,
) -> Callable[[WebApp], None]:
    """What ``build_web(extra_routes=...)`` calls with the app: adds the customer pages."""

    def add(web: WebApp) -> None:
        def may_read(user: User, customer_id: int) -> bool:
            if _supervises(user):
                return True
            return (
                user.agent_id is not None
                and access is not None
                and access.allowed(user.agent_id, customer_id)
            )

        async def search_page(request: Request) -> bytes:
            session = await web._gate.session(request)
            if session is None:
                return web._redirect(request, "/login")
            user = session.user
            text = arg(request, "q") or ""
            tags = tuple(t.strip() for t in (arg(request, "tag") or "").split(",") if t.strip())
            problem, found, status = "", None, 200
            try:
                page_no = int(arg(request, "page") or "1")
            except ValueError:
                page_no, problem, status = 1, "page: a whole number", 400
            if not problem and (text or tags):
                wanted = CustomerQuery(text, tags, page=page_no)
                address = request.getClientAddress().host or ""
                stamp = now()

                def work(db: Session) -> Any:
                    page = search_customers(db, wanted, rules)
                    record_reads(
                        db,
                        [c["id"] for c in page.customers],
                        username=user.username,
                        via="web:search",
                        address=address,
                        now=stamp,
                    )
                    return page

                try:
                    found = await database.run(work)
                except SearchError as exc:
                    problem, status = str(exc), 400
                if found is not None and not _supervises(user) and user.agent_id and access:
                    for customer in found.customers:  # found by their search: theirs to open
                        access.grant(user.agent_id, customer["id"])
            return web._page(
                request,
                "customers.html",
                user.language,
                status=status,
                session=session,
                when=_shown,
                text=text,
                tags=",".join(tags),
                problem=problem,
                found=found,
            )

        async def history_page(request: Request, customer_id: int) -> bytes:
            session = await web._gate.session(request)
            if session is None:
                return web._redirect(request, "/login")
            user = session.user
            if not may_read(user, customer_id):
                return web._error_page(
                    request,
                    403,
                    "Not your customer",
                    "Search for the customer by an identifier first.",
                    session,
                )
            read = {
                "username": user.username,
                "via": "web",
                "address": request.getClientAddress().host or "",
                "now": now(),
            }
            found = await database.run(lambda db: _history(db, customer_id, **read))
            if found is None:
                return web._error_page(
                    request,
                    404,
                    "No such customer",
                    "There is no customer with this number.",
                    session,
                )
            return web._page(
                request,
                "customers_detail.html",
                user.language,
                session=session,
                when=_shown,
                found=found,
                supervises=_supervises(user),
            )

        route = web.app.route
        route("/customers", methods=["GET"], endpoint="customers_search")(search_page)
        route("/customers/<int:customer_id>", methods=["GET"], endpoint="customers_detail")(
            history_page
        )

    return add
