# -*- test-case-name: tests.seat.test_actions -*-
""":class:`LiveSeatActions`: what an agent does from the seat, checked and carried out.

State changes go through agent control (the same API the ``switchboard agents`` command
uses, in both routing modes); dispositions and customer records through the database, off
the reactor thread. Each refusal is a :class:`~switchboard.seat.ports.SeatActionError`
whose message says what to do instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any, Final, Protocol

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from switchboard.accounts.model import User
from switchboard.config import SeatSettings
from switchboard.crm.directory import KINDS, normalize
from switchboard.crm.reads import record_reads
from switchboard.hub import DISPOSITION, DispositionSaved, Hub
from switchboard.queue.shell.control import AgentControl, AgentControlError, AgentView
from switchboard.seat.access import CustomerAccess
from switchboard.seat.lookup import (
    call_of_agent,
    create_customer,
    customer_by_id,
    customers_matching,
    record_reveal,
    save_disposition,
)
from switchboard.seat.messages import message, state_message
from switchboard.seat.ports import RECORDING_ACTIONS, ErrorCode, RecordingControl, SeatActionError
from switchboard.seat.reveal import RevealableValues
from switchboard.store import Database

__all__ = ["LiveSeatActions", "SeatControl"]

log = structlog.get_logger(__name__)
NOTE_LIMIT: Final = 2000
QUERY_LIMIT: Final = 100
CUSTOMER_FIELDS: Final = ("name", "language", *KINDS)
_CODES: Final[dict[str, ErrorCode]] = {
    "unknown_agent": "not_found",
    "refused": "conflict",
    "bad_request": "bad_request",
    "unavailable": "unavailable",
}


class SeatControl(AgentControl, Protocol):
    """Agent control with the seat's "finish wrap-up" (the agent is ready at once)."""

    async def finish_wrapup(self, agent_id: str) -> AgentView: ...


class LiveSeatActions:
    """The :class:`~switchboard.seat.ports.SeatActions` of a running switchboard."""

    def __init__(
        self,
        control: SeatControl,
        database: Database,
        settings: SeatSettings,
        clock: Any,
        access: CustomerAccess,
        revealable: RevealableValues | None = None,
        recording: RecordingControl | None = None,
        hub: Hub | None = None,
    ) -> None:
        self._control = control
        self._hub = hub  # told of each saved disposition, for the areas that file by it
        self._recording = recording
        self._revealable = revealable if revealable is not None else RevealableValues()
        self._database = database
        self._settings = settings
        self._clock = clock
        self._access = access
        self.finishing: set[str] = set()  # agents whose wrap-up the seat itself ends

    @property
    def access(self) -> CustomerAccess:
        """Who may read which customer (the REST API's customer routes check it too)."""
        return self._access

    # -- agent state ----------------------------------------------------------------------
    async def log_in(self, user: User) -> dict[str, Any]:
        return await self._state(user, lambda agent: self._control.log_in(agent))

    async def ready(self, user: User) -> dict[str, Any]:
        return await self._state(user, self._control.ready)

    async def pause(self, user: User, reason: str) -> dict[str, Any]:
        return await self._state(user, lambda agent: self._control.pause(agent, reason), "reason")

    async def log_out(self, user: User) -> dict[str, Any]:
        return await self._state(user, self._control.log_out)

    async def finish_wrapup(self, user: User) -> dict[str, Any]:
        agent_id = _seat_of(user)
        self.finishing.add(agent_id)
        try:
            return await self._state(user, self._control.finish_wrapup)
        finally:
            self.finishing.discard(agent_id)

    async def _state(
        self,
        user: User,
        command: Callable[[str], Awaitable[AgentView]],
        field: str | None = None,
    ) -> dict[str, Any]:
        agent_id = _seat_of(user)
        try:
            view = await command(agent_id)
        except AgentControlError as exc:
            raise SeatActionError(
                _CODES.get(exc.code, "bad_request"),
                exc.message,
                field if exc.code == "bad_request" else None,
            ) from exc
        return state_message(agent_id, view.state.value, view.reason, view.since)

    # -- dispositions ---------------------------------------------------------------------
    async def save_disposition(
        self, user: User, call_id: str, code: str, note: str
    ) -> dict[str, Any]:
        agent_id = _seat_of(user)
        if len(note) > NOTE_LIMIT:
            raise SeatActionError(
                "bad_request", f"the note has {len(note)} characters; at most {NOTE_LIMIT}", "note"
            )
        found = await self._database.run(partial(call_of_agent, call_id=call_id, agent_id=agent_id))
        if found is None:
            raise SeatActionError("not_found", f"no call {call_id!r} is on record", "call_id")
        queue, offered = found
        if not offered:
            raise SeatActionError(
                "forbidden", f"call {call_id!r} was not offered to you ({agent_id})", "call_id"
            )
        valid = self._settings.dispositions_for(queue)
        if code not in valid:
            raise SeatActionError(
                "bad_request",
                f"unknown disposition {code!r} for queue {queue!r}; use one of: "
                + ", ".join(valid)
                + " (the list is [seat] dispositions / queue_dispositions in the settings)",
                "code",
            )
        at = self._clock.seconds()
        await self._database.run(
            partial(
                save_disposition,
                call_id=call_id,
                agent_id=agent_id,
                queue=queue,
                code=code,
                note=note,
                when=at,
            )
        )
        log.info("seat_disposition_saved", call_id=call_id, agent=agent_id, code=code)
        if self._hub is not None:
            saved = DispositionSaved(call_id, agent_id, queue, code, at)
            self._hub.publish(DISPOSITION, saved)
        return message(
            "disposition", call_id=call_id, agent_id=agent_id, code=code, note=note, at=at
        )

    # -- customers ------------------------------------------------------------------------
    async def customer(self, user: User, customer_id: int, address: str = "") -> dict[str, Any]:
        agent_id = _seat_of(user)
        if not self._access.allowed(agent_id, customer_id):
            raise SeatActionError(
                "forbidden",
                f"customer {customer_id} was not offered to you and not found by your search;"
                " search for them by an identifier first",
            )
        now, username = self._clock.seconds(), user.username

        def read(session: Session) -> dict[str, Any] | None:  # the log in the same transaction
            found = customer_by_id(session, customer_id)
            if found is not None:
                record_reads(
                    session, [customer_id], username=username, via="seat", address=address, now=now
                )
            return found

        found = await self._database.run(read)
        if found is None:
            raise SeatActionError("not_found", f"no customer {customer_id}")
        return found

    async def search_customers(
        self, user: User, query: str, address: str = ""
    ) -> list[dict[str, Any]]:
        agent_id = _seat_of(user)
        text = query.strip()
        if not text or len(text) > QUERY_LIMIT:
            raise SeatActionError(
                "bad_request",
                "search by an identifier (phone number or its last digits, account, ID card,"
                f" plate, e-mail, order), a name or its pinyin, of 1 to {QUERY_LIMIT} characters",
                "q",
            )
        now, username = self._clock.seconds(), user.username

        def search(session: Session) -> list[dict[str, Any]]:
            listed = customers_matching(session, text)
            ids = [customer["id"] for customer in listed]
            record_reads(
                session, ids, username=username, via="seat:search", address=address, now=now
            )
            return listed

        found = await self._database.run(search)
        for customer in found:
            self._access.grant(agent_id, customer["id"])
        return found

    async def create_customer(self, user: User, fields: Mapping[str, str]) -> dict[str, Any]:
        agent_id = _seat_of(user)
        unknown = sorted(set(fields) - set(CUSTOMER_FIELDS))
        if unknown:
            raise SeatActionError(
                "bad_request",
                f"unknown field {unknown[0]!r}; a customer has: {', '.join(CUSTOMER_FIELDS)}",
                unknown[0],
            )
        name = (fields.get("name") or "").strip()
        if not name or len(name) > 200:
            raise SeatActionError(
                "bad_request", "give the customer a name (1 to 200 characters)", "name"
            )
        identifiers = {k: v for k in KINDS if (v := (fields.get(k) or "").strip())}
        for kind, value in identifiers.items():
            if not normalize(kind, value) or len(value) > 128:
                raise SeatActionError("bad_request", f"{value!r} is not a usable {kind}", kind)
        if not identifiers:
            raise SeatActionError(
                "bad_request",
                "give at least one identifier to find the customer by: " + ", ".join(KINDS),
                "phone",
            )
        language = (fields.get("language") or "").strip()[:16]
        try:
            created = await self._database.run(
                partial(create_customer, name=name, identifiers=identifiers, language=language)
            )
        except IntegrityError as exc:
            raise SeatActionError(
                "conflict",
                "another customer already has one of these identifiers; search for it instead",
                next(iter(identifiers)),
            ) from exc
        self._access.grant(agent_id, created["id"])
        log.info("seat_customer_created", agent=agent_id, customer_id=created["id"])
        return created

    # -- masked values --------------------------------------------------------------------
    async def reveal(self, user: User, call_id: str, field: str, address: str) -> dict[str, Any]:
        agent_id = _seat_of(user)
        if not self._revealable.offered(agent_id, call_id):
            raise SeatActionError(
                "forbidden",
                f"call {call_id!r} was not offered to you ({agent_id}) or is too old to reveal;"
                " search for the customer instead",
                "call_id",
            )
        value = self._revealable.value(agent_id, call_id, field)
        if value is None:
            fields = self._revealable.fields(agent_id, call_id)
            raise SeatActionError(
                "bad_request",
                f"the card of call {call_id!r} has no masked field {field!r}; it has: "
                + (", ".join(fields) or "none"),
                "field",
            )
        # The audit row first: a look that cannot be logged is not given.
        await self._database.run(
            partial(
                record_reveal,
                user_id=user.id,
                username=user.username,
                agent_id=agent_id,
                call_id=call_id,
                field=field,
                address=address,
                when=self._clock.seconds(),
            )
        )
        log.info("seat_value_revealed", call_id=call_id, agent=agent_id, field=field)
        return {"call_id": call_id, "field": field, "value": value}

    # -- the call's recording (start on demand, pause for sensitive input) ----------------
    async def recording(self, user: User, call_id: str, action: str) -> dict[str, Any]:
        agent_id = _seat_of(user)
        if action not in RECORDING_ACTIONS:
            raise SeatActionError(
                "bad_request",
                f"unknown recording action {action!r}; use {', '.join(RECORDING_ACTIONS)}",
                "action",
            )
        if self._recording is None:
            raise SeatActionError("unavailable", "the recorder is not running in this process")
        if self._recording.agent_of(call_id) != agent_id:
            raise SeatActionError(
                "forbidden", f"call {call_id} is not a call you have answered and are on now"
            )
        await self._recording.change(call_id, action, user.username)
        log.info("seat_recording_asked", agent=agent_id, call_id=call_id, action=action)
        return {"call_id": call_id, "action": action}


def _seat_of(user: User) -> str:
    if user.agent_id is None or user.disabled:
        raise SeatActionError(
            "forbidden", f"user {user.username!r} has no agent seat; ask an administrator"
        )
    return user.agent_id
