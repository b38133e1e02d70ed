"""The real stack for the browser layer: ``python -m switchboard.testing.livesite`` (the
demo's site: simulated PBX, FastAGI, AMI, the ACD or the app_queue tracker, SQLite, the
web tier and the seat's websocket) in a subprocess on 127.0.0.1, and what a test needs
around it: its control endpoint, its database, and a login over plain HTTP."""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.browser.child import child

START_LIMIT_S = 60.0  # the site migrates SQLite and hashes the demo passwords first

# A caller the CRM knows, who picks English (3) and then the operator (0: sales).
CUSTOMER = {"name": "张伟", "phone": "13812345678", "vip_level": 1, "language": "en"}
KEYS = [["3", 0.5, "choose-language"], ["0", 0.5, "main-menu"]]


@dataclass
class LiveSite:
    seat: str  # the origin: http://127.0.0.1:PORT
    control: str
    database: Path
    routing: str

    def _control(self, method: str, path: str, body: object = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.control + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def add_customer(self, **fields: object) -> int:
        return int(self._control("POST", "/customers", fields)["id"])

    def place_call(self, number: str, keys: list[list[object]]) -> None:
        self._control("POST", "/calls", {"number": number, "keys": keys})

    def agent_state(self, agent_id: str) -> str:
        return str(self._control("GET", f"/agents/{agent_id}")["state"])

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=5) as conn:
            return list(conn.execute(sql, params))

    def upgrade(self, cookie: str | None, origin: str | None) -> int:
        """The status a websocket upgrade of ``/ws/seat`` gets (101: accepted)."""
        host = self.seat.removeprefix("http://")
        conn = http.client.HTTPConnection(host, timeout=10)
        headers = {
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version": "13",
        }
        if cookie is not None:
            headers["Cookie"] = f"sb_session={cookie}"
        if origin is not None:
            headers["Origin"] = origin
        try:
            conn.request("GET", "/ws/seat", headers=headers)
            return conn.getresponse().status
        finally:
            conn.close()


@contextmanager
def running_site(routing: str) -> Iterator[LiveSite]:
    """The live site for ``routing``; it stops when we close its standard input."""
    args = ("--routing", routing)
    with child("switchboard.testing.livesite", *args, start_limit_s=START_LIMIT_S) as line:
        started = json.loads(line)
        yield LiveSite(started["seat"], started["control"], Path(started["database"]), routing)


def login_csrf(html: str) -> str:
    """The login form's hidden ``csrf_token``."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the login form has no csrf_token"
    return found.group(1)


def page_csrf(html: str) -> str:
    """A page's ``<meta name="csrf-token">``: what the seat's scripts send as X-CSRF-Token."""
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found, "the page has no csrf-token meta"
    return found.group(1)
