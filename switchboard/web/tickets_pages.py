# -*- test-case-name: tests.web.test_tickets_pages -*-
"""The tickets (工单) pages: ``/tickets`` (the list, with filters and the figures a
supervisor reports) and ``/tickets/{id}`` (one ticket: fields, SLA, status buttons,
comments, links, audit), with plain HTML forms that post back and are redirected.

Who sees what, as a call centre runs it: supervisors and administrators every ticket;
an agent the tickets they own or opened (their own follow-ups), which they may work, but
not reassign. A form carries the session's CSRF token as a hidden field (a form cannot
send the ``X-CSRF-Token`` header). Refusals re-show the page with the reason and the
status code (400, 403, 404, 409), never a 500; the crm functions run in ``Database.run``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session
from twisted.web.server import Request

from switchboard.accounts.model import Role, User
from switchboard.accounts.sessions import SessionInfo
from switchboard.crm.models import Customer
from switchboard.crm.ticket_machine import STATUSES, TYPES
from switchboard.crm.tickets import (
    TicketError,
    TicketPolicy,
    add_comment,
    ticket_detail,
    update_ticket,
)
from switchboard.recorder.models import Recording
from switchboard.store import Database
from switchboard.web.gate import arg
from switchboard.web.security import CSRF_HEADER, csrf_matches
from switchboard.web.tickets_query import ACTIVE, FilterError, TicketFilter, find_tickets

if TYPE_CHECKING:
    from switchboard.web.routes import WebApp

__all__ = ["ticket_routes"]

log = structlog.get_logger(__name__)
STATUS_OF: Final = {"bad_request": 400, "not_found": 404, "conflict": 409}
SAVED: Final = ("status", "comment", "fields")


def _supervises(user: User) -> bool:
    return user.role in (Role.SUPERVISOR, Role.ADMIN)


def _theirs(detail: dict[str, Any], user: User) -> bool:
    return _supervises(user) or user.username in (detail["owner"], detail["created_by"])


def _when(zone: ZoneInfo) -> Callable[[float | None], str]:
    def shown(epoch: float | None) -> str:
        if epoch is None:
            return "—"
        return datetime.fromtimestamp(epoch, zone).strftime("%Y-%m-%d %H:%M")

    return shown


def _when_text(shown: Callable[[float | None], str]) -> Callable[[str | None], str]:
    """A time as the audit stores it (ISO text), shown as the page shows times."""

    def text(value: str | None) -> str:
        try:
            return shown(datetime.fromisoformat(value).timestamp()) if value else "—"
        except ValueError:
            return value or "—"

    return text


def _detail(
    session: Session, ticket_id: int, *, now: float, policy: TicketPolicy
) -> dict[str, Any]:
    """The crm's ticket detail, with the customer's name and each linked call's recordings."""
    detail = ticket_detail(session, ticket_id, now=now, policy=policy)
    detail["due_soon"] = (
        detail["status"] in ACTIVE and now <= detail["due_at"] < now + policy.due_soon_s
    )
    customer = session.get(Customer, detail["customer_id"]) if detail["customer_id"] else None
    detail["customer"] = customer.name if customer is not None else None
    calls = [link["ref"] for link in detail["links"] if link["kind"] == "call"]
    recordings: dict[str, list[int]] = {}
    if calls:
        for call_id, recording_id in session.execute(
            select(Recording.call_id, Recording.id)
            .where(Recording.call_id.in_(calls), Recording.deleted_at.is_(None))
            .order_by(Recording.id)
        ):
            recordings.setdefault(call_id, []).append(recording_id)
    for link in detail["links"]:
        link["recordings"] = recordings.get(link["ref"], []) if link["kind"] == "call" else []
    return detail


def ticket_routes(
    database: Database, policy: TicketPolicy, now: Callable[[], float]
) -> Callable[[WebApp], None]:
    """What ``build_web(extra_routes=...)`` calls with the app: adds the tickets pages.
    ``now``: the time tickets are due on (the ACD's clock, as the seat's)."""
    zone = ZoneInfo(policy.calendar.timezone)
    when = _when(zone)
    when_text = _when_text(when)

    def add(web: WebApp) -> None:
        def page(
            request: Request,
            session: SessionInfo,
            template: str,
            *,
            status: int = 200,
            **context: Any,
        ) -> bytes:
            return web._page(
                request,
                template,
                session.user.language,
                status=status,
                session=session,
                when=when,
                when_text=when_text,
                categories=policy.categories,
                priorities=policy.priorities,
                types=TYPES,
                statuses=STATUSES,
                supervises=_supervises(session.user),
                **context,
            )

        async def ticket_list(request: Request) -> bytes:
            session = await web._gate.session(request)
            if session is None:
                return web._redirect(request, "/login")
            viewer = None if _supervises(session.user) else session.user.username
            try:
                wanted = TicketFilter.read(partial(arg, request), policy)
            except FilterError as problem:
                return page(
                    request,
                    session,
                    "tickets.html",
                    status=400,
                    wanted=TicketFilter(),
                    problem=str(problem),
                    problem_field=problem.field,
                    found=None,
                )
            found = await database.run(
                partial(find_tickets, policy=policy, wanted=wanted, now=now(), viewer=viewer)
            )
            return page(
                request,
                session,
                "tickets.html",
                wanted=wanted,
                problem="",
                problem_field="",
                found=found,
            )

        async def show(
            request: Request,
            session: SessionInfo,
            ticket_id: int,
            *,
            status: int = 200,
            refusal: dict[str, Any] | None = None,
        ) -> bytes:
            try:
                detail = await database.run(
                    partial(_detail, ticket_id=ticket_id, now=now(), policy=policy)
                )
            except TicketError:
                return web._error_page(
                    request, 404, "No such ticket", "There is no ticket with this number.", session
                )
            if not _theirs(detail, session.user):
                return web._error_page(
                    request,
                    403,
                    "Not your ticket",
                    "You see the tickets you own or opened; ask a supervisor for this one.",
                    session,
                )
            saved = arg(request, "saved")
            return page(
                request,
                session,
                "tickets_detail.html",
                status=status,
                ticket=detail,
                refusal=refusal,
                saved=saved if saved in SAVED and refusal is None else "",
                now=now(),
            )

        async def ticket_page(request: Request, ticket_id: int) -> bytes:
            session = await web._gate.session(request)
            if session is None:
                return web._redirect(request, "/login")
            return await show(request, session, ticket_id)

        async def change(
            request: Request,
            ticket_id: int,
            what: str,
            work: Callable[[Session, User], Any],
            *,
            supervisors_only: bool = False,
        ) -> bytes:
            session = await web._gate.session(request)
            if session is None:
                return web._redirect(request, "/login")
            sent = request.getHeader(CSRF_HEADER) or arg(request, "csrf_token")
            if not csrf_matches(sent, session.csrf_token):
                return web._error_page(
                    request,
                    403,
                    "Form expired",
                    "This form is from an older page or another site: reload the ticket "
                    "and try again.",
                    session,
                )
            user = session.user
            if supervisors_only and not _supervises(user):
                return await show(
                    request, session, ticket_id, status=403, refusal={"kind": "supervisors"}
                )

            def checked(db: Session) -> Any:
                detail = ticket_detail(db, ticket_id, now=now(), policy=policy)
                if not _theirs(detail, user):
                    return "not_theirs"
                return work(db, user)

            try:
                done = await database.run(checked)
            except TicketError as error:
                log.info(
                    "ticket_change_refused",
                    ticket_id=ticket_id,
                    user=user.username,
                    code=error.code,
                    error=str(error),
                )
                refusal = {"kind": error.code, "field": error.field, "message": str(error)}
                if error.code == "conflict" and error.field == "status":
                    refusal["kind"] = "transition"
                    refusal["wanted"] = arg(request, "status")
                return await show(
                    request, session, ticket_id, status=STATUS_OF[error.code], refusal=refusal
                )
            if done == "not_theirs":
                return await show(request, session, ticket_id)  # its 403 page
            log.info("ticket_changed", ticket_id=ticket_id, user=user.username, what=what)
            return web._redirect(request, f"/tickets/{ticket_id}?saved={what}")

        async def set_status(request: Request, ticket_id: int) -> bytes:
            wanted = arg(request, "status").strip()[:32]

            def work(db: Session, user: User) -> Any:
                if not wanted:
                    raise TicketError("bad_request", "choose the status to move to", "status")
                return update_ticket(
                    db, policy, ticket_id, actor=user.username, now=now(), status=wanted
                )

            return await change(request, ticket_id, "status", work)

        async def comment(request: Request, ticket_id: int) -> bytes:
            body = arg(request, "body")

            def work(db: Session, user: User) -> Any:
                return add_comment(db, ticket_id, actor=user.username, now=now(), body=body)

            return await change(request, ticket_id, "comment", work)

        async def set_fields(request: Request, ticket_id: int) -> bytes:
            owner, priority = arg(request, "owner").strip(), arg(request, "priority").strip()

            def work(db: Session, user: User) -> Any:
                return update_ticket(
                    db,
                    policy,
                    ticket_id,
                    actor=user.username,
                    now=now(),
                    owner=owner or None,
                    priority=priority or None,
                )

            return await change(request, ticket_id, "fields", work, supervisors_only=True)

        route = web.app.route
        route("/tickets", methods=["GET"], endpoint="tickets_list")(ticket_list)
        route("/tickets/<int:ticket_id>", methods=["GET"], endpoint="tickets_detail")(ticket_page)
        for path, handler in (
            ("status", set_status),
            ("comments", comment),
            ("fields", set_fields),
        ):
            route(f"/tickets/<int:ticket_id>/{path}", methods=["POST"], endpoint=f"tickets_{path}")(
                handler
            )

    return add
