# -*- test-case-name: tests.wallboard.test_feed -*-
"""The wallboard as a service of ``switchboard serve``: its feed listens while running."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from twisted.application.service import Service

from switchboard.config import Settings
from switchboard.hub import Hub
from switchboard.store import Database
from switchboard.wallboard.feed import ConfigSource, WallboardFeed

__all__ = ["WallboardService", "build_wallboard"]


class WallboardService(Service):
    def __init__(self, feed: WallboardFeed) -> None:
        self.feed = feed

    def startService(self) -> None:
        super().startService()
        self.feed.start()

    def stopService(self) -> Any:
        self.feed.stop()
        return super().stopService()


def build_wallboard(
    settings: Settings, clock: Any, database: Database, hub: Hub, config: ConfigSource
) -> WallboardService:
    """The wallboard of ``settings.wallboard``; ``config``: the queues and agents of both
    routing modes as they are now."""
    feed = WallboardFeed(
        hub,
        clock,
        database,
        settings.wallboard,
        timezone=ZoneInfo(settings.queues.timezone),
        config=config,
    )
    service = WallboardService(feed)
    service.setName("wallboard")
    return service
