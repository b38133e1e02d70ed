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
from switchboard.crm.merge import MergeError, merge_customers, undo_merge
from switchboard.crm.models import Customer, CustomerMerge
from switchboard.crm.reads import record_reads
from switchboard.crm.search import CustomerQuery, SearchError, search_customers
from switchboard.recorder.models import Recording
from switchboard.seat.access import CustomerAccess
from switchboard.seat.card import mask
from switchboard.store import Database
from switchboard.web.gate import arg
from switchboard.web.security import CSRF_HEADER, csrf_matches

if TYPE_CHECKING:
    from switchboard.web.routes import WebApp

__all__ = ["customer_routes"]

# The refusals these pages give: status, title and what to do (msgids in customers.po).
NOT_YOURS = (403, "Not your customer", "Search for the customer by an identifier first.")
NO_SUCH = (404, "No such customer", "There is no customer with this number.")
EXPIRED = (403, "Form expired", "Reload the page and try again.")
NOT_A_DUPLICATE = (400, "Not a duplicate", "Enter another customer's number.")


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
    found["merge_id"] = session.scalar(
        select(CustomerMerge.id)
        .where(CustomerMerge.merged_id == customer_id, CustomerMerge.undone_at.is_(None))
        .order_by(CustomerMerge.id.desc())
        .limit(1)
    )
    return found


MERGE_STATUS = {"bad_request": 400, "not_found": 404, "conflict": 409, "forbidden": 403}


def customer_routes(
    database: Database,
    access: CustomerAccess | None,
    now: Callable[[], float],
    rules: IdentifierRules = DEFAULT_RULES,
) -> Callable[[WebApp], None]:
    """What ``build_web(extra_routes=...)`` calls with the app: adds the customer pages."""

    def add(web: WebApp) -> None:
        def refuse(request: Request, why: tuple[int, str, str], session: Any) -> bytes:
            return web._error_page(request, *why, session)

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
                return refuse(request, NOT_YOURS, session)
            read = {
                "username": user.username,
                "via": "web",
                "address": request.getClientAddress().host or "",
                "now": now(),
            }
            found = await database.run(lambda db: _history(db, customer_id, **read))
            if found is None:
                return refuse(request, NO_SUCH, session)
            return web._page(
                request,
                "customers_detail.html",
                user.language,
                session=session,
                when=_shown,
                found=found,
                supervises=_supervises(user),
                admin=user.role is Role.ADMIN,
                # An agent sees identifiers masked, as on the seat's card, whose audited
                # reveal is the one way to their full values.
                shown_id=(lambda value: value) if _supervises(user) else mask,
            )

        def duplicate_of(request: Request) -> int | None:
            try:
                return int(arg(request, "duplicate"))
            except ValueError:
                return None

        async def merge_confirm(request: Request, customer_id: int) -> bytes:
            """Both records side by side before the merge (agents: customers they may read)."""
            session = await web._gate.session(request)
            if session is None:
                return web._redirect(request, "/login")
            duplicate = duplicate_of(request)
            if duplicate is None or duplicate == customer_id:
                return refuse(request, NOT_A_DUPLICATE, session)
            if not (may_read(session.user, customer_id) and may_read(session.user, duplicate)):
                return refuse(request, NOT_YOURS, session)
            pair = await database.run(
                lambda db: (db.get(Customer, customer_id), db.get(Customer, duplicate))
            )
            if pair[0] is None or pair[1] is None:
                return refuse(request, NO_SUCH, session)
            return web._page(
                request,
                "customers_merge.html",
                session.user.language,
                session=session,
                survivor=pair[0],
                duplicate=pair[1],
            )

        async def merge_done(request: Request, customer_id: int) -> bytes:
            session = await web._gate.session(request)
            if session is None:
                return web._redirect(request, "/login")
            sent = request.getHeader(CSRF_HEADER) or arg(request, "csrf_token")
            if not csrf_matches(sent, session.csrf_token):
                return refuse(request, EXPIRED, session)
            user, duplicate = session.user, duplicate_of(request)
            if duplicate is None:
                return refuse(request, NOT_A_DUPLICATE, session)
            if not (may_read(user, customer_id) and may_read(user, duplicate)):
                return refuse(request, NOT_YOURS, session)
            stamp = now()
            try:
                await database.run(
                    lambda db: merge_customers(
                        db, customer_id, duplicate, actor=user.username, now=stamp
                    )
                )
            except MergeError as error:
                return web._error_page(
                    request, MERGE_STATUS[error.code], "Not merged", str(error), session
                )
            return web._redirect(request, f"/customers/{customer_id}")

        async def undo_done(request: Request, merge_id: int) -> bytes:
            session = await web._gate.session(request)
            if session is None:
                return web._redirect(request, "/login")
            sent = request.getHeader(CSRF_HEADER) or arg(request, "csrf_token")
            if not csrf_matches(sent, session.csrf_token):
                return refuse(request, EXPIRED, session)
            user, stamp = session.user, now()
            try:
                undone = await database.run(
                    lambda db: undo_merge(
                        db,
                        merge_id,
                        actor=user.username,
                        now=stamp,
                        is_admin=user.role is Role.ADMIN,
                    )
                )
            except MergeError as error:
                return web._error_page(
                    request, MERGE_STATUS[error.code], "Not undone", str(error), session
                )
            return web._redirect(request, f"/customers/{undone['merged_id']}")

        route = web.app.route
        route("/customers", methods=["GET"], endpoint="customers_search")(search_page)
        route("/customers/<int:customer_id>", methods=["GET"], endpoint="customers_detail")(
            history_page
        )
        route("/customers/<int:customer_id>/merge", methods=["GET"], endpoint="customers_merge")(
            merge_confirm
        )
        route(
            "/customers/<int:customer_id>/merge", methods=["POST"], endpoint="customers_merge_post"
        )(merge_done)
        route("/customers/merges/<int:merge_id>/undo", methods=["POST"], endpoint="customers_undo")(
            undo_done
        )

    return add
