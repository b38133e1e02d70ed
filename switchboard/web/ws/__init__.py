"""The agent seat's websocket: snapshot then deltas, authenticated, bounded per socket."""

from switchboard.web.ws.resource import SeatResource, seat_resource

__all__ = ["SeatResource", "seat_resource"]
