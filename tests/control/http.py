# -*- test-case-name: tests.control.test_api -*-
"""HTTP requests through a twisted.web site in memory: real parsing, no socket, no thread."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from twisted.web.server import Site

Pump = Callable[[], None] | None


def raw_request(site: Site, data: bytes, pump: Pump = None) -> tuple[int, dict[str, str], bytes]:
    """Feed one request's bytes to a new connection; parse the response written back.

    ``pump`` runs before reading the answer: a back-end that waits for AMI answers on a
    fake clock (app_queue) needs its clock turned."""
    channel = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
    transport = StringTransport(
        peerAddress=IPv4Address("TCP", "127.0.0.1", 50000),
        hostAddress=IPv4Address("TCP", "127.0.0.1", 4575),
    )
    channel.makeConnection(transport)
    channel.dataReceived(data)
    if pump is not None:
        pump()
    head, _, body = transport.value().partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    channel.connectionLost(None)  # type: ignore[arg-type]
    return status, headers, body


def request(
    site: Site,
    method: str,
    path: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    host: str = "127.0.0.1:4575",
    pump: Pump = None,
) -> tuple[int, Any]:
    """``body`` (not None) is sent as JSON; the answer is parsed as JSON."""
    sent = {"Host": host, **(headers or {})}
    data = b""
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/json")
    sent["Content-Length"] = str(len(data))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in sent.items())
    status, got, raw = raw_request(site, head.encode() + b"\r\n" + data, pump)
    assert got["content-type"] == "application/json; charset=utf-8"
    return status, json.loads(raw)


def in_memory_send(site: Site, pump: Pump = None):  # type: ignore[no-untyped-def]
    """A :data:`switchboard.control.client.Send` that talks to ``site`` in memory."""

    def send(
        method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, bytes]:
        parts = urlsplit(url)
        sent = {"Host": parts.netloc, **headers, "Content-Length": str(len(body or b""))}
        head = f"{method} {parts.path} HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in sent.items()
        )
        status, _headers, raw = raw_request(site, head.encode() + b"\r\n" + (body or b""), pump)
        return status, raw

    return send
