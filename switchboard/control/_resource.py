# -*- test-case-name: tests.control.test_api,tests.control.test_cli -*-
"""The control endpoint's HTTP face: JSON in, JSON out, one :class:`AgentControl` behind.

Routes (``{id}`` is URL-quoted)::

    GET  /api/v1/agents                 {"agents": [agent, ...]}
    GET  /api/v1/agents/{id}            {"agent": agent}
    POST /api/v1/agents/{id}/login      body {"ready": false, "queues": []} -> {"agent": agent}
    POST /api/v1/agents/{id}/ready
    POST /api/v1/agents/{id}/pause      body {"reason": "lunch"}
    POST /api/v1/agents/{id}/logout
    POST /api/v1/agents/{id}/finish-wrapup   (end the agent's wrap-up now)

``queues`` (app_queue only) logs in to those of the agent's queues; none: all of them.

Errors are ``{"error": {"code", "message"[, "known"][, "valid"]}}``: 400 a bad body or a
pause reason not configured (with the ``valid`` ones), 401 a missing or wrong token, 404 an
unknown route or agent (with the known agent ids), 405 a wrong method, 409 the back-end
refused (already logged in ...), 503 no agent control, or Asterisk not reachable.

A browser on the same machine must not be able to drive it: a POST needs
``Content-Type: application/json`` (a cross-site page cannot send that without a CORS
preflight, which this endpoint never grants) and the ``Host`` must be a loopback name
(against DNS rebinding).
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import unquote

import structlog
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request

from switchboard.queue.shell.control import AgentControl, AgentControlError, AgentView

__all__ = ["API_PREFIX", "ControlApi"]

logger = structlog.get_logger(__name__)

API_PREFIX = ("api", "v1")
MAX_BODY_BYTES = 16_384
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_STATUS = {
    "bad_request": 400,
    "unauthorized": 401,
    "not_found": 404,
    "unknown_agent": 404,
    "method_not_allowed": 405,
    "refused": 409,
    "no_acd": 503,
    "unavailable": 503,
}
_ACTIONS = {
    "login": ("ready", "queues"),
    "ready": (),
    "pause": ("reason",),
    "logout": (),
    "finish-wrapup": (),
}
ROUTES = (
    "GET /api/v1/agents",
    "GET /api/v1/agents/{id}",
    *(f"POST /api/v1/agents/{{id}}/{action}" for action in _ACTIONS),
)


class _Problem(Exception):
    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra


class ControlApi(Resource):
    """The whole API as one leaf resource (``control`` None: no ACD to control)."""

    isLeaf = True

    def __init__(self, control: AgentControl | None, token: str | None = None) -> None:
        super().__init__()
        self._control = control
        self._token = token.encode() if token else None

    def render(self, request: Request) -> Any:
        d = Deferred.fromCoroutine(self._answer(request))
        d.addCallbacks(
            lambda body: _send(request, 200, body), lambda failure: self._failed(request, failure)
        )
        return NOT_DONE_YET

    async def _answer(self, request: Request) -> dict[str, Any]:
        self._check_caller(request)
        method = request.method.decode("ascii", "replace")
        parts = [unquote(p) for p in request.path.decode("ascii", "replace").split("/") if p]
        if (
            tuple(parts[:2]) != API_PREFIX
            or len(parts) < 3
            or parts[2] != "agents"
            or (len(parts) > 5)
        ):
            raise _Problem(
                "not_found", f"no such resource {request.path.decode()!r}", routes=list(ROUTES)
            )
        control = self._control
        if control is None:
            raise _Problem(
                "no_acd",
                "this switchboard runs no ACD: agents are controlled "
                "only when [queues] file is set in the settings",
            )
        if len(parts) == 5:
            action = parts[4]
            if action not in _ACTIONS:
                raise _Problem(
                    "not_found",
                    f"no action {action!r}; use one of: " + ", ".join(_ACTIONS),
                    routes=list(ROUTES),
                )
            _need_method(method, "POST")
            return {"agent": (await self._act(control, parts[3], action, request)).to_json()}
        _need_method(method, "GET")
        if len(parts) == 4:
            return {"agent": (await control.agent(parts[3])).to_json()}
        return {"agents": [view.to_json() for view in await control.agents()]}

    async def _act(
        self, control: AgentControl, agent_id: str, action: str, request: Request
    ) -> AgentView:
        body = _body(request, _ACTIONS[action])
        if action == "login":
            ready = body.get("ready", False)
            if not isinstance(ready, bool):
                raise _Problem("bad_request", "'ready' must be true or false")
            queues = body.get("queues", [])
            if not isinstance(queues, list) or not all(isinstance(q, str) for q in queues):
                raise _Problem("bad_request", "'queues' must be a list of queue names")
            return await control.log_in(agent_id, ready, tuple(queues))
        if action == "pause":
            reason = body.get("reason", "break")
            if not isinstance(reason, str):
                raise _Problem("bad_request", "'reason' must be a string such as \"lunch\"")
            return await control.pause(agent_id, reason)
        if action == "ready":
            return await control.ready(agent_id)
        if action == "finish-wrapup":
            return await control.finish_wrapup(agent_id)
        return await control.log_out(agent_id)

    def _check_caller(self, request: Request) -> None:
        host = (request.getRequestHostname() or b"").decode("ascii", "replace")
        if host not in LOOPBACK_HOSTS:
            raise _Problem(
                "bad_request",
                f"Host {host!r} is not a loopback name; connect to 127.0.0.1 or localhost",
            )
        if self._token is not None:
            given = request.getHeader(b"authorization") or b""
            if not hmac.compare_digest(given, b"Bearer " + self._token):
                raise _Problem(
                    "unauthorized",
                    "missing or wrong token: send 'Authorization: Bearer <[control] token>'",
                )

    def _failed(self, request: Request, failure: Failure) -> None:
        error = failure.value
        if isinstance(error, AgentControlError):
            extra: dict[str, Any] = {"known": list(error.known)} if error.known else {}
            if error.valid:
                extra["valid"] = list(error.valid)
            error = _Problem(error.code, error.message, **extra)
        if isinstance(error, _Problem):
            body = {"error": {"code": error.code, "message": error.message, **error.extra}}
            _send(request, _STATUS.get(error.code, 400), body)
            return
        logger.error(
            "control_request_failed",
            path=request.path.decode("ascii", "replace"),
            error=failure.getErrorMessage(),
            exc_info=failure.value,
        )
        _send(
            request,
            500,
            {"error": {"code": "internal", "message": "internal error (see switchboard's log)"}},
        )


def _need_method(method: str, wanted: str) -> None:
    if method != wanted:
        raise _Problem("method_not_allowed", f"use {wanted} here, not {method}")


def _body(request: Request, allowed: tuple[str, ...]) -> dict[str, Any]:
    content_type = (request.getHeader(b"content-type") or b"").split(b";")[0].strip()
    raw = request.content.read(MAX_BODY_BYTES + 1) if request.content is not None else b""
    if content_type != b"application/json":
        raise _Problem(
            "bad_request",
            "send 'Content-Type: application/json' (and a JSON "
            "object body, {} when there is nothing to say)",
        )
    if len(raw) > MAX_BODY_BYTES:
        raise _Problem("bad_request", f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw or b"{}")
    except ValueError as exc:
        raise _Problem("bad_request", f"body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise _Problem("bad_request", "body must be a JSON object")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise _Problem(
            "bad_request",
            f"unknown field(s) {', '.join(unknown)}; allowed here: "
            + (", ".join(allowed) or "none"),
        )
    return body


def _send(request: Request, status: int, body: dict[str, Any]) -> None:
    if request.finished or request.channel is None:  # the client went away
        return
    data = json.dumps(body, ensure_ascii=False).encode("utf-8") + b"\n"
    request.setResponseCode(status)
    request.setHeader(b"content-type", b"application/json; charset=utf-8")
    request.setHeader(b"content-length", str(len(data)).encode())
    request.setHeader(b"cache-control", b"no-store")
    request.write(data)
    request.finish()
