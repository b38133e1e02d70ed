# -*- test-case-name: tests.web.wallboard.test_page -*-
"""The ``/wallboard`` page and the ``/ws/wallboard`` socket, added to the web tier's app.

``/wallboard?tv=1`` is the big-screen mode for a wall TV: large figures, no controls, the
layout fitted to the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twisted.internet.interfaces import IReactorTime
from twisted.web.resource import IResource
from twisted.web.server import Request

from switchboard.web.gate import arg
from switchboard.web.wallboard_ws.socket import key_for, wallboard_resource
from switchboard.web.ws.ports import SeatFeed

if TYPE_CHECKING:
    from switchboard.web.routes import WebApp

__all__ = ["ECHARTS", "wallboard_routes"]

ECHARTS = "vendor/echarts.min.js"  # installed by `make vendor` (npm, pinned), git-ignored


def wallboard_routes(feed: SeatFeed, clock: IReactorTime) -> Callable[[WebApp], None]:
    """What ``build_web(extra_routes=...)`` calls with the app: adds the page and socket."""

    def add(web: WebApp) -> None:
        socket: list[IResource] = []

        def resource() -> IResource:
            if not socket:  # built once, with the web tier's own sessions
                socket.append(
                    wallboard_resource(
                        feed, web._sessions, allowed_origin=web._settings.origin, clock=clock
                    )
                )
            return socket[0]

        async def page(request: Request) -> bytes:
            session = await web._gate.session(request)
            if session is None:
                return web._redirect(request, "/login")
            if key_for(session.user) is None:
                return web._error_page(
                    request,
                    403,
                    "Supervisors only",
                    "The wallboard is for supervisors and administrators: ask an "
                    "administrator for the role.",
                    session,
                )
            tv = arg(request, "tv") in ("1", "true", "yes")
            try:
                echarts: str | None = web._static.url(ECHARTS)
            except KeyError:  # a checkout without `make vendor`: the page, without charts
                echarts = None
            return web._page(
                request,
                "wallboard.html",
                session.user.language,
                session=session,
                tv=tv,
                echarts_url=echarts,
                supervised=list(session.user.queues),
            )

        def websocket(request: Request) -> Any:
            return resource()

        # Klein names a route's endpoint after its function unless told: the seat's socket
        # is "websocket" too, and a second rule of one name takes the first one's handler.
        web.app.route("/wallboard", methods=["GET"], endpoint="wallboard_page")(page)
        web.app.route("/ws/wallboard", branch=False, endpoint="wallboard_socket")(websocket)

    return add
