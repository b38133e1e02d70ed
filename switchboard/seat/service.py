# -*- test-case-name: tests.seat.test_service -*-
"""The seat domain as one service: its feed and actions, built from settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from twisted.application.service import Service

from switchboard.config import Settings
from switchboard.crm.tickets import TicketPolicy
from switchboard.hub import Hub
from switchboard.queue.config.queue_file import QueueConfigError, load_queue_config
from switchboard.seat.access import CustomerAccess
from switchboard.seat.actions import LiveSeatActions, SeatControl
from switchboard.seat.feed import LiveSeatFeed
from switchboard.seat.ports import RecordingControl
from switchboard.seat.reveal import RevealableValues
from switchboard.seat.tickets import SeatTickets
from switchboard.seat.wrapup import PauseAfterWrapup
from switchboard.store import Database

__all__ = ["SeatService", "build_seat", "wrap_up_lengths"]

log = structlog.get_logger(__name__)


class SeatService(Service):
    """Listens to the hub while running; ``feed`` for the websocket, ``actions`` for REST."""

    def __init__(
        self,
        feed: LiveSeatFeed,
        actions: LiveSeatActions,
        wrapup: PauseAfterWrapup | None,
        tickets: SeatTickets | None = None,
    ) -> None:
        self.feed = feed
        self.actions = actions
        self.tickets = tickets  # tickets from the card; None when [crm]'s SLA is unusable
        self._wrapup = wrapup

    def startService(self) -> None:
        super().startService()
        self.feed.start()
        if self._wrapup is not None:
            self._wrapup.start()

    def stopService(self) -> Any:
        self.feed.stop()
        if self._wrapup is not None:
            self._wrapup.stop()
        return super().stopService()


def build_seat(
    settings: Settings,
    clock: Any,
    database: Database,
    hub: Hub,
    agent_control: SeatControl,
    recording: RecordingControl | None = None,
) -> SeatService:
    """The seat of ``settings.seat`` over ``agent_control`` (the routing mode's);
    ``recording``: the recorder's controls for the agent's own call, where it runs."""
    access = CustomerAccess()  # shared: the feed grants on a pop, the actions check
    revealable = RevealableValues()  # shared: the feed hides values, the actions reveal
    seat = settings.seat
    feed = LiveSeatFeed(
        hub,
        clock,
        database,
        seat,
        timezone=ZoneInfo(settings.queues.timezone),
        pause_reasons=settings.queues.pause_reasons,
        access=access,
        agents=agent_control,
        revealable=revealable,
        wrap_up_s=wrap_up_lengths(settings),
    )
    actions = LiveSeatActions(
        agent_control, database, seat, clock, access, revealable, recording=recording, hub=hub
    )
    wrapup = None
    if not seat.wrapup_auto_ready:
        wrapup = PauseAfterWrapup(hub, agent_control, seat.wrapup_pause_reason, actions.finishing)
    tickets = None
    try:
        policy = TicketPolicy.from_settings(settings.crm, settings.flows.dir)
    except ValueError as exc:  # a calendar the flows do not have: calls go on, no tickets
        log.error("seat_tickets_unavailable", error=str(exc))
    else:
        tickets = SeatTickets(
            database, policy, clock, access, revealable.offered, feed.ticket_opened
        )
    service = SeatService(feed, actions, wrapup, tickets)
    service.setName("seat")
    return service


def wrap_up_lengths(settings: Settings) -> Callable[[str], float | None]:
    """Each queue's ``wrap_up_s`` from ``[queues] file`` as it reads at start (a queue the
    file does not describe, or no file: None, and the page shows the elapsed time only).
    An edit the hot reload takes is seen here after a restart."""
    if settings.queues.file is None:
        return lambda queue: None
    try:
        config = load_queue_config(settings.queues.file)
    except (QueueConfigError, OSError) as exc:  # the ACD reports it; the seat does without
        log.warning("seat_wrap_up_lengths_unread", file=str(settings.queues.file), error=str(exc))
        return lambda queue: None
    lengths = {queue.name: queue.wrap_up_s for queue in config.queues}
    return lengths.get
