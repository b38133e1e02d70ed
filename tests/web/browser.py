# -*- test-case-name: tests.web.test_pages -*-
"""A browser in memory: real HTTP bytes through a twisted.web ``Site``, a cookie jar, no
socket, no thread. What the server sent back is kept whole (every Set-Cookie)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from twisted.web.server import Site


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[-1] if values else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    def meta(self, name: str) -> str:
        found = re.search(rf'<meta name="{re.escape(name)}" content="([^"]*)">', self.text)
        assert found, f"no <meta name={name!r}> in the page"
        return found.group(1)

    def hidden(self, name: str) -> str:
        found = re.search(
            rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)">', self.text
        )
        assert found, f"no hidden field {name!r} in the page"
        return found.group(1)


@dataclass
class Browser:
    site: Site
    address: str = "192.0.2.10"
    host: str = "127.0.0.1:8080"
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Response:
        sent = {"Host": self.host, **(headers or {}), "Content-Length": str(len(body))}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in sent.items())
        peer = IPv4Address("TCP", self.address, 50000)
        channel = self.site.buildProtocol(peer)
        transport = StringTransport(
            peerAddress=peer, hostAddress=IPv4Address("TCP", "127.0.0.1", 8080)
        )
        channel.makeConnection(transport)
        channel.dataReceived(head.encode("utf-8") + b"\r\n" + body)
        raw = transport.value()
        channel.connectionLost(None)  # type: ignore[arg-type]
        response = _parse(raw)
        for cookie in response.headers.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            value = rest.split(";")[0]
            if "max-age=0" in cookie.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post_json(self, path: str, body: Any = None, *, csrf: str | None = None) -> Response:
        headers = {"Content-Type": "application/json"}
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        data = b"" if body is None else json.dumps(body).encode()
        return self.request("POST", path, body=data, headers=headers)

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        return self.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def log_in(self, username: str, password: str) -> Response:
        form = self.get("/login")
        return self.post_form(
            "/login",
            {"username": username, "password": password, "csrf_token": form.hidden("csrf_token")},
        )


def _parse(raw: bytes) -> Response:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    if "chunked" in (headers.get("transfer-encoding") or [""])[-1]:
        body = _unchunk(body)
    return Response(int(lines[0].split(" ")[1]), headers, body)


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2 :]
    return out
