# -*- test-case-name: tests.seat.test_service -*-
"""The seat domain as one service: its feed and actions, built from settings."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from twisted.application.service import Service

from switchboard.config import Settings
from switchboard.hub import Hub
from switchboard.seat.access import CustomerAccess
from switchboard.seat.actions import LiveSeatActions, SeatControl
from switchboard.seat.feed import LiveSeatFeed
from switchboard.seat.reveal import RevealableValues
from switchboard.seat.wrapup import PauseAfterWrapup
from switchboard.store import Database

__all__ = ["SeatService", "build_seat"]


class SeatService(Service):
    """Listens to the hub while running; ``feed`` for the websocket, ``actions`` for REST."""

    def __init__(
        self, feed: LiveSeatFeed, actions: LiveSeatActions, wrapup: PauseAfterWrapup | None
    ) -> None:
        self.feed = feed
        self.actions = actions
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
    settings: Settings, clock: Any, database: Database, hub: Hub, agent_control: SeatControl
) -> SeatService:
    """The seat of ``settings.seat`` over ``agent_control`` (the routing mode's)."""
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
    )
    actions = LiveSeatActions(agent_control, database, seat, clock, access, revealable)
    wrapup = None
    if not seat.wrapup_auto_ready:
        wrapup = PauseAfterWrapup(hub, agent_control, seat.wrapup_pause_reason, actions.finishing)
    service = SeatService(feed, actions, wrapup)
    service.setName("seat")
    return service
