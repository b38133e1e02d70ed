"""The pages: login, logout, ``/`` by role, the seat page, the language switch, assets.

Why klein: routes read as a table of URL → function, handlers may be ``async def`` and
return bytes or a twisted ``IResource`` (the websocket mounts as one), and it is plain
twisted.web underneath, in the reactor we already run; no second framework's threads.
"""

# test-case-name: tests.web.test_pages

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from klein import Klein
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource
from twisted.web.server import Request
from werkzeug.exceptions import MethodNotAllowed, NotFound

from switchboard.accounts.model import LANGUAGES
from switchboard.accounts.sessions import COOKIE, LoginRefused, SessionInfo, Sessions
from switchboard.config import WebSettings
from switchboard.recorder.playback import RecordingPlayback
from switchboard.recorder.web import add_recording_routes
from switchboard.web.api import RestBackends, add_rest_api
from switchboard.web.gate import Gate, Refusal, arg, json_body, json_route, text_field
from switchboard.web.i18n import pick_language
from switchboard.web.recordings_page import add_recordings_page
from switchboard.web.seat_api import add_seat_api
from switchboard.web.seat_port import SeatActions
from switchboard.web.security import csrf_matches, security_headers, set_cookie, ws_url
from switchboard.web.static import CACHE_FOREVER, StaticFiles
from switchboard.web.templating import Pages
from switchboard.web.ws.ports import SessionSockets

__all__ = ["WebApp"]

log = structlog.get_logger(__name__)

LOGIN_CSRF_COOKIE = "sb_login"  # the login form's CSRF token (there is no session yet)


class _WithSecurityHeaders(Resource):
    """Sets the security headers on every answer, then hands the request on."""

    isLeaf = True

    def __init__(self, inner: IResource, headers: dict[str, str]) -> None:
        super().__init__()
        self._inner = inner
        self._headers = [(k.encode(), v.encode()) for k, v in headers.items()]

    def render(self, request: Request) -> Any:
        for name, value in self._headers:
            request.setHeader(name, value)
        return self._inner.render(request)


class WebApp:
    def __init__(
        self,
        settings: WebSettings,
        sessions: Sessions,
        pages: Pages,
        static: StaticFiles,
        *,
        seat: SeatActions | None = None,
        ws: IResource | None = None,
        rest: RestBackends | None = None,
        recordings: RecordingPlayback | None = None,
        new_token: Callable[[], str] = lambda: secrets.token_urlsafe(32),
        extra_routes: Sequence[Callable[[WebApp], None]] = (),
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._gate = Gate(sessions)
        self._pages = pages
        self._static = static
        self._ws = ws
        self._new_token = new_token
        self._secure = settings.tls
        self.app = app = Klein()
        app.route("/", methods=["GET"])(self.home)
        app.route("/login", methods=["GET"])(self.login_page)
        app.route("/login", methods=["POST"])(self.log_in)
        app.route("/logout", methods=["POST"])(json_route(self.log_out))
        app.route("/seat", methods=["GET"])(self.seat_page)
        app.route("/account", methods=["GET"])(self.account_page)
        app.route("/api/v1/me/language", methods=["POST"])(json_route(self.set_language))
        app.route("/static/<path:name>", methods=["GET"])(self.asset)
        app.route("/ws/seat", branch=False)(self.websocket)
        add_seat_api(app, self._gate, seat)
        add_rest_api(app, self._gate, rest)
        for add_routes in extra_routes:  # other areas' pages (the wallboard), from app.py
            add_routes(self)
        add_recording_routes(app, self._gate, recordings)
        add_recordings_page(self, recordings)
        app.handle_errors(NotFound, MethodNotAllowed)(self.not_found)
        _refuse_shared_endpoints(app)

    def resource(self) -> IResource:
        return _WithSecurityHeaders(
            self.app.resource(), dict(security_headers(self._settings.origin))
        )

    # -- helpers ------------------------------------------------------------------

    def _page(
        self,
        request: Request,
        template: str,
        language: str,
        *,
        status: int = 200,
        session: SessionInfo | None = None,
        csrf_token: str = "",
        **context: Any,
    ) -> bytes:
        request.setResponseCode(status)
        request.setHeader(b"content-type", b"text/html; charset=utf-8")
        request.setHeader(b"cache-control", b"no-store")  # pages carry tokens and names
        return self._pages.render(
            template,
            language,
            user=session.user if session else None,
            csrf_token=session.csrf_token if session else csrf_token,
            ws_url=ws_url(self._settings.origin),
            **context,
        )

    def _redirect(self, request: Request, to: str) -> bytes:
        request.setResponseCode(303)
        request.setHeader(b"location", to.encode())
        return b""

    def _error_page(
        self, request: Request, status: int, title: str, message: str, session: SessionInfo | None
    ) -> bytes:
        language = session.user.language if session else self._language(request)
        return self._page(
            request,
            "error.html",
            language,
            status=status,
            session=session,
            title=title,
            message=message,
        )

    def _language(self, request: Request) -> str:
        wanted = arg(request, "lang")
        accept = request.getHeader(b"accept-language")
        return pick_language(wanted or None, accept.decode("latin-1") if accept else None)

    # -- routes -------------------------------------------------------------------

    async def home(self, request: Request) -> bytes:
        session = await self._gate.session(request)
        if session is None:
            return self._redirect(request, "/login")
        return self._redirect(request, "/seat" if session.user.has_seat else "/account")

    async def login_page(self, request: Request) -> bytes:
        if await self._gate.session(request) is not None:
            return self._redirect(request, "/")
        return self._login_form(request, self._language(request))

    def _login_form(
        self,
        request: Request,
        language: str,
        *,
        status: int = 200,
        problem: str = "",
        username: str = "",
    ) -> bytes:
        token = self._new_token()
        set_cookie(request, LOGIN_CSRF_COOKIE, token, secure=self._secure, max_age=None)
        return self._page(
            request,
            "login.html",
            language,
            status=status,
            csrf_token=token,
            problem=problem,
            username=username,
            languages=LANGUAGES,
        )

    async def log_in(self, request: Request) -> bytes:
        def form(name: str) -> str:
            return arg(request, name)

        language = pick_language(form("lang") or None, None)
        sent = form("csrf_token")
        cookie = request.getCookie(LOGIN_CSRF_COOKIE.encode())
        if not csrf_matches(sent, cookie.decode("ascii", "replace") if cookie else ""):
            # Another site's form, or a page older than the browser's cookie: a fresh form.
            return self._login_form(request, language, status=403, problem="login_expired")
        username = form("username").strip()
        address = request.getClientAddress().host
        try:
            token, info = await self._sessions.log_in(username, form("password"), address)
        except LoginRefused as refused:
            status = 429 if refused.reason == "rate_limited" else 401
            if refused.retry_after_s is not None:
                request.setHeader(b"retry-after", str(int(refused.retry_after_s) + 1).encode())
            log.info("web_login_refused", username=username, address=address, why=refused.reason)
            return self._login_form(
                request, language, status=status, problem=refused.reason, username=username
            )
        log.info("web_login", username=info.user.username, address=address)
        set_cookie(
            request,
            COOKIE,
            token,
            secure=self._secure,
            max_age=int(self._settings.session_lifetime_s),
        )
        set_cookie(request, LOGIN_CSRF_COOKIE, "", secure=self._secure, max_age=0)
        return self._redirect(request, "/")

    async def log_out(self, request: Request) -> Any:
        info = await self._gate.api_session(request)
        token = request.getCookie(COOKIE.encode()) or b""
        text = token.decode("ascii", "replace")
        await self._sessions.log_out(text)
        set_cookie(request, COOKIE, "", secure=self._secure, max_age=0)
        # The seat's open sockets close now, not at their next session check.
        closed = self._ws.end_session(text) if isinstance(self._ws, SessionSockets) else 0
        log.info("web_logout", username=info.user.username, seat_sockets_closed=closed)
        return {"redirect": "/login"}

    async def seat_page(self, request: Request) -> bytes:
        session = await self._gate.session(request)
        if session is None:
            return self._redirect(request, "/login")
        if not session.user.has_seat:
            return self._error_page(
                request,
                403,
                "No seat",
                "Your account has no seat: ask an administrator to link it to an agent.",
                session,
            )
        if not self._pages.exists("seat.html"):
            return self._error_page(
                request,
                404,
                "Seat page missing",
                "This installation has no seat page (templates/seat.html is missing).",
                session,
            )
        return self._page(request, "seat.html", session.user.language, session=session)

    async def account_page(self, request: Request) -> bytes:
        session = await self._gate.session(request)
        if session is None:
            return self._redirect(request, "/login")
        return self._page(request, "account.html", session.user.language, session=session)

    async def set_language(self, request: Request) -> Any:
        info = await self._gate.api_session(request)
        language = text_field(json_body(request), "language")
        if language not in LANGUAGES:
            raise Refusal(
                "bad_request", f"language must be one of {', '.join(LANGUAGES)}", "language"
            )
        await self._sessions.set_language(info.user, language)
        return {"language": language}

    def asset(self, request: Request, name: str) -> bytes:
        found = self._static.get(name)
        if found is None:
            request.setResponseCode(404)
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            return b"no such asset (asset names carry their content hash; reload the page)\n"
        request.setHeader(b"content-type", found.content_type.encode())
        request.setHeader(b"cache-control", CACHE_FOREVER.encode())
        return found.body

    def websocket(self, request: Request) -> Any:
        if self._ws is None:
            request.setResponseCode(404)
            return b"the seat websocket is not served by this process\n"
        return self._ws

    def not_found(self, request: IRequest, failure: Failure) -> Deferred[bytes]:
        assert isinstance(request, Request)
        return Deferred.fromCoroutine(self._not_found(request))

    async def _not_found(self, request: Request) -> bytes:
        session = await self._gate.session(request)
        return self._error_page(
            request, 404, "Page not found", "There is no page at this address.", session
        )


def _refuse_shared_endpoints(app: Klein) -> None:
    """Klein names a route's endpoint after its function unless told, and a second rule of
    the same name silently takes over the first one's handler (the wallboard's socket once
    answered ``/ws/seat``): refuse that at start, naming the routes."""
    urls: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        urls.setdefault(rule.endpoint, []).append(rule.rule)
    shared = {name: rules for name, rules in urls.items() if len(rules) > 1}
    if shared:
        named = "; ".join(f"{name}: {', '.join(rules)}" for name, rules in sorted(shared.items()))
        raise ValueError(
            f"web routes share an endpoint name ({named}): give each its own "
            "route(..., endpoint=...)"
        )
