"""The supervisors' wallboard: live queue, agent and caller figures from the hub's facts
over today's stored records, pushed to ``/ws/wallboard`` (see docs/websocket-api.md)."""

from switchboard.wallboard.feed import WallboardFeed, viewer_key
from switchboard.wallboard.service import WallboardService, build_wallboard

__all__ = ["WallboardFeed", "WallboardService", "build_wallboard", "viewer_key"]
