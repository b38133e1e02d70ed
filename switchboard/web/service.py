"""The web tier as a service of ``switchboard serve``: :func:`build_web` wires accounts,
catalogues, templates and routes; :class:`WebService` listens on ``[web] bind:port``,
over TLS when a certificate and key are set."""

# test-case-name: tests.web.test_service

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import structlog
from argon2 import PasswordHasher
from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.endpoints import (
    SSL4ServerEndpoint,
    TCP4ServerEndpoint,
    TCP6ServerEndpoint,
)
from twisted.internet.interfaces import IListeningPort, IStreamServerEndpoint
from twisted.python.failure import Failure
from twisted.web.resource import IResource

from switchboard.accounts.passwords import Passwords
from switchboard.accounts.ratelimit import LoginLimiter
from switchboard.accounts.sessions import Sessions
from switchboard.config import WebSettings
from switchboard.control.service import ControlSite
from switchboard.recorder.playback import RecordingPlayback
from switchboard.store import Database
from switchboard.web.api import RestBackends
from switchboard.web.i18n import Catalogues
from switchboard.web.routes import WebApp
from switchboard.web.seat_port import SeatActions
from switchboard.web.static import StaticFiles
from switchboard.web.templating import TEMPLATE_DIR, Pages

__all__ = ["WebService", "build_web"]

log = structlog.get_logger(__name__)


class WebSite(ControlSite):
    """Its access log is a structlog event, as the control endpoint's."""

    event = "web_request"


def _endpoint(settings: WebSettings, reactor: Any, port: int) -> IStreamServerEndpoint:
    if settings.tls_certificate is not None and settings.tls_key is not None:
        from twisted.internet.ssl import PrivateCertificate

        pem = settings.tls_certificate.read_text() + "\n" + settings.tls_key.read_text()
        options = PrivateCertificate.loadPEM(pem).options()
        return SSL4ServerEndpoint(reactor, port, options, interface=settings.bind)
    if ":" in settings.bind:
        return TCP6ServerEndpoint(reactor, port, interface=settings.bind)
    return TCP4ServerEndpoint(reactor, port, interface=settings.bind)


class WebService(Service):
    """Serves the web tier; ``port`` 0 in settings: any free port (see :meth:`listening`)."""

    def __init__(
        self,
        settings: WebSettings,
        reactor: Any,
        sessions: Sessions,
        resource: IResource,
        *,
        endpoint: IStreamServerEndpoint | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.resource = resource
        self.site = WebSite(resource, reactor=reactor)
        self._reactor = reactor
        self._endpoint = endpoint
        self._port: IListeningPort | None = None
        self._listening: Deferred[None] | None = None
        self._failure: Failure | None = None

    def startService(self) -> None:
        super().startService()
        endpoint = self._endpoint or _endpoint(self.settings, self._reactor, self.settings.port)
        self._listening = endpoint.listen(self.site).addCallbacks(
            self._listened, self._listen_failed
        )

    def listening(self) -> Deferred[IListeningPort]:
        """Fires with the port once listening; fails with the reason it cannot listen."""
        assert self._listening is not None, "start the service first"
        done: Deferred[IListeningPort] = Deferred()

        def relay(_: object) -> None:
            if self._port is not None:
                done.callback(self._port)
            else:
                assert self._failure is not None
                done.errback(self._failure)

        self._listening.addBoth(relay)
        return done

    @property
    def port(self) -> int | None:
        return self._port.getHost().port if self._port is not None else None  # type: ignore[attr-defined]

    def _listened(self, port: IListeningPort) -> None:
        self._port = port
        log.info(
            "web_listening",
            bind=self.settings.bind,
            port=self.port,
            tls=self.settings.tls,
            origin=self.settings.origin,
        )

    def _listen_failed(self, failure: Failure) -> None:
        # Not fatal for calls: the IVR and the ACD serve on; the operator fixes the port.
        self._failure = failure
        log.error(
            "web_listen_failed",
            bind=self.settings.bind,
            port=self.settings.port,
            error=failure.getErrorMessage(),
        )

    def stopService(self) -> Deferred[None] | None:
        super().stopService()
        port, self._port = self._port, None
        if port is not None:
            return port.stopListening()  # type: ignore[return-value]
        return None


def build_web(
    settings: WebSettings,
    reactor: Any,
    database: Database,
    *,
    seat: SeatActions | None = None,
    ws_resource_for: Callable[[Sessions], IResource] | None = None,
    hasher: PasswordHasher | None = None,
    clock: Any = None,
    endpoint: IStreamServerEndpoint | None = None,
    templates: Path = TEMPLATE_DIR,
    rest: RestBackends | None = None,
    extra_routes: Sequence[Callable[[WebApp], None]] = (),
    recordings: RecordingPlayback | None = None,
    site_labels: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
) -> WebService:
    """The web tier, not yet listening. ``clock``: the time sessions and the login limit
    run on (the reactor unless given); ``hasher``: a cheaper argon2 in tests;
    ``endpoint``: where to listen instead of ``[web] bind:port`` (tests); ``templates``:
    the page templates' folder (tests); ``rest``: what the REST API reads and drives;
    ``extra_routes``: called with the app to add another area's pages (the wallboard's);
    ``site_labels``: the site's words for its own codes (:meth:`Catalogues.with_site_labels`)."""
    clock = reactor if clock is None else clock
    limiter = LoginLimiter(
        clock.seconds,
        per_account=settings.login_failures_per_account,
        per_address=settings.login_failures_per_address,
        window_s=settings.login_window_s,
    )
    sessions = Sessions(
        database,
        clock,
        lifetime_s=settings.session_lifetime_s,
        passwords=Passwords(hasher),
        limiter=limiter,
    )
    static = StaticFiles()
    pages = Pages(Catalogues.load().with_site_labels(site_labels or {}), static, templates)
    ws = ws_resource_for(sessions) if ws_resource_for is not None else None
    app = WebApp(
        settings,
        sessions,
        pages,
        static,
        seat=seat,
        ws=ws,
        rest=rest,
        extra_routes=extra_routes,
        recordings=recordings,
    )
    service = WebService(settings, reactor, sessions, app.resource(), endpoint=endpoint)
    service.setName("web")
    return service
