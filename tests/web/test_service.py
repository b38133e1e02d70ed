"""``build_web``: listens where ``[web]`` says (TCP, or TLS with a certificate), and mounts
the websocket resource it is given at ``/ws/seat`` with the sessions it needs."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import make_url
from twisted.internet.testing import MemoryReactorClock
from twisted.web.resource import Resource
from twisted.web.server import Request

from switchboard.accounts.sessions import Sessions
from switchboard.config import WebSettings
from switchboard.store import Database
from switchboard.store.db import create_database_engine
from switchboard.web.service import build_web
from tests.web.stack import CHEAP, make_stack


def _database(tmp_path: Path) -> Database:
    return Database(create_database_engine(make_url(f"sqlite:///{tmp_path / 'w.db'}")), None)


def test_it_listens_on_the_configured_address_and_port(tmp_path: Path) -> None:
    reactor = MemoryReactorClock()
    web = build_web(
        WebSettings(bind="127.0.0.2", port=8181), reactor, _database(tmp_path), hasher=CHEAP
    )
    web.startService()
    ((port, site, _backlog, interface),) = reactor.tcpServers
    assert (port, interface, site) == (8181, "127.0.0.2", web.site)
    listened: list[object] = []
    web.listening().addCallback(listened.append)
    assert listened and web.port == 8181


def test_with_a_certificate_it_listens_over_tls_only(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    reactor = MemoryReactorClock()
    settings = WebSettings(
        port=8443, origin="https://127.0.0.1:8443", tls_certificate=cert, tls_key=key
    )
    web = build_web(settings, reactor, _database(tmp_path), hasher=CHEAP)
    web.startService()
    assert reactor.tcpServers == []
    ((port, site, _context, _backlog, interface),) = reactor.sslServers
    assert (port, interface, site) == (8443, "127.0.0.1", web.site)


def test_a_port_in_use_is_reported_by_listening_not_raised(tmp_path: Path) -> None:
    from twisted.internet.error import CannotListenError

    class Busy(MemoryReactorClock):
        def listenTCP(self, port: int, *a: object, **kw: object) -> object:  # type: ignore[override]
            raise CannotListenError("127.0.0.1", port, OSError("in use"))

    web = build_web(WebSettings(), Busy(), _database(tmp_path), hasher=CHEAP)
    web.startService()
    failures: list[object] = []
    web.listening().addErrback(failures.append)
    assert len(failures) == 1 and "in use" in str(failures[0])


def test_the_websocket_resource_is_mounted_at_ws_seat_with_the_sessions(tmp_path: Path) -> None:
    given: list[Sessions] = []

    class Echo(Resource):
        isLeaf = True

        def render_GET(self, request: Request) -> bytes:
            return b"websocket here"

    def ws_resource_for(sessions: Sessions) -> Resource:
        given.append(sessions)
        return Echo()

    stack = make_stack(tmp_path, ws_resource_for=ws_resource_for)
    assert given == [stack.web.sessions]
    answer = stack.browser().get("/ws/seat")
    assert (answer.status, answer.body) == (200, b"websocket here")
    stack.database.close()


def test_without_a_websocket_resource_ws_seat_is_not_found(tmp_path: Path) -> None:
    stack = make_stack(tmp_path)
    assert stack.browser().get("/ws/seat").status == 404
    stack.database.close()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
