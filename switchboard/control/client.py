# -*- test-case-name: tests.control.test_cli,tests.integration.test_control_loopback -*-
"""A blocking client of the control endpoint, for the ``switchboard`` command line.

It never runs inside the reactor: the CLI is its own short-lived process. ``send`` is
the one seam to the network (tests hand in one that talks to an in-memory site).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

__all__ = ["ControlClient", "ControlClientError", "Send", "urllib_send"]

# (method, url, headers, body) -> (status, body)
Send = Callable[[str, str, dict[str, str], bytes | None], tuple[int, bytes]]


class ControlClientError(Exception):
    """The endpoint refused (``status`` its HTTP status, ``code`` its error code) or could
    not be reached (``status`` 0)."""

    def __init__(self, message: str, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


def urllib_send(timeout_s: float) -> Send:
    def send(
        method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    return send


class ControlClient:
    def __init__(
        self,
        host: str,
        port: int,
        token: str | None = None,
        *,
        send: Send | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        host_part = f"[{host}]" if ":" in host else host
        self.base = f"http://{host_part}:{port}/api/v1"
        self._token = token
        self._send = send or urllib_send(timeout_s)

    def agents(self) -> list[dict[str, Any]]:
        agents: list[dict[str, Any]] = self._call("GET", "/agents")["agents"]
        return agents

    def agent(self, agent_id: str) -> dict[str, Any]:
        return self._agent("GET", agent_id, "")

    def log_in(
        self, agent_id: str, ready: bool = False, queues: Sequence[str] = ()
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"ready": ready}
        if queues:
            body["queues"] = list(queues)
        return self._agent("POST", agent_id, "/login", body)

    def ready(self, agent_id: str) -> dict[str, Any]:
        return self._agent("POST", agent_id, "/ready", {})

    def pause(self, agent_id: str, reason: str = "break") -> dict[str, Any]:
        return self._agent("POST", agent_id, "/pause", {"reason": reason})

    def log_out(self, agent_id: str) -> dict[str, Any]:
        return self._agent("POST", agent_id, "/logout", {})

    def finish_wrapup(self, agent_id: str) -> dict[str, Any]:
        return self._agent("POST", agent_id, "/finish-wrapup", {})

    def _agent(
        self, method: str, agent_id: str, action: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        agent: dict[str, Any] = self._call(
            method, f"/agents/{quote(agent_id, safe='')}{action}", body
        )["agent"]
        return agent

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        url = self.base + path
        try:
            status, raw = self._send(method, url, headers, data)
        except OSError as exc:  # URLError, refused, timed out
            reason = getattr(exc, "reason", exc)
            raise ControlClientError(
                f"cannot reach switchboard at {self.base} ({reason}); is `switchboard serve` "
                "running with the same settings ([control] port)?"
            ) from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise ControlClientError(
                f"{url}: not a switchboard control endpoint (HTTP {status}, not JSON)", status
            ) from None
        if status != 200:
            error = answer.get("error", {}) if isinstance(answer, dict) else {}
            raise ControlClientError(
                str(error.get("message", f"HTTP {status}")), status, str(error.get("code", ""))
            )
        if not isinstance(answer, dict):
            raise ControlClientError(f"{url}: unexpected answer {answer!r}", status)
        return answer
