# -*- test-case-name: tests.web.api.test_rest -*-
"""The ``/api/v1`` routes: each an :class:`~.spec.Endpoint` (method, path, scope, models)
registered on klein and listed in ``/api/v1/openapi.json``."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from klein import Klein
from pydantic import BaseModel, ValidationError
from twisted.web.server import Request

from switchboard.config import ReportSettings
from switchboard.ops import Health, Metrics
from switchboard.queue.core.model import Queue
from switchboard.queue.core.stats import LiveStats, QueueSnapshot
from switchboard.queue.shell.call_control import CallControl, CallControlError, WaitingCaller
from switchboard.queue.shell.control import AgentControl, AgentControlError, AgentView
from switchboard.store import Database
from switchboard.supervise.monitor import Monitors, SuperviseError
from switchboard.web.api import models as m
from switchboard.web.api import records
from switchboard.web.api.access import Caller, authenticate
from switchboard.web.api.crm_routes import CrmBackends, crm_endpoints
from switchboard.web.api.ops_routes import add_ops_routes
from switchboard.web.api.report_routes import report_endpoint
from switchboard.web.api.spec import Endpoint, openapi
from switchboard.web.api.tokens import ApiToken, find_token
from switchboard.web.gate import Download, Gate, Refusal, json_body, json_route

__all__ = ["RestBackends", "add_rest_api"]

PREFIX = "/api/v1"
VERSION = "1.0.0"
Model = TypeVar("Model", bound=BaseModel)

# AgentControlError codes as the API's error codes.
_CONTROL_CODES = {
    "unknown_agent": "not_found",
    "refused": "conflict",
    "bad_request": "bad_request",
    "unavailable": "unavailable",
}
_CALL_CODES = {"not_found": "not_found", "refused": "conflict", "unavailable": "unavailable"}


@dataclass
class RestBackends:
    """What the API reads and drives; ``None``: that part is not running here (503)."""

    database: Database
    now: Callable[[], float]
    agents: AgentControl | None = None
    stats: LiveStats | None = None
    queue_config: Callable[[], Mapping[str, Queue]] = field(default=lambda: {})
    health: Health | None = None
    metrics: Metrics | None = None
    monitors: Monitors | None = None
    # The recording file of a call the live call model still knows (MixMonitor's name).
    recording_of: Callable[[str], str | None] = field(default=lambda _call_id: None)
    # A waiting caller's priority and queue (supervisors); None: no queue runs here.
    calls: CallControl | None = None
    # Customers and tickets: the ticket policy, identifier rules, the seat's customer access.
    crm: CrmBackends | None = None
    # The reports' zone and thresholds (GET /reports/{kind}).
    reports: ReportSettings = field(default_factory=ReportSettings)


def _now(backends: RestBackends | None) -> Callable[[], float]:
    return backends.now if backends else lambda: 0.0


def _parse(model: type[Model], data: Mapping[str, Any]) -> Model:
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or None
        raise Refusal("bad_request", f"{where or 'body'}: {first['msg']}", where) from None


def _query_args(request: Request) -> dict[str, str]:
    args: dict[bytes, list[bytes]] = request.args or {}
    return {k.decode(): v[0].decode("utf-8", "replace") for k, v in args.items() if v}


def _agent(view: AgentView) -> m.Agent:
    return m.Agent.model_validate(view.to_json())


def _queue(snapshot: QueueSnapshot, config: Queue | None) -> m.Queue:
    return m.Queue(
        name=snapshot.queue,
        config=None
        if config is None
        else m.QueueConfig(
            strategy=str(config.strategy.value),
            service_level_s=config.service_level_s,
            ring_timeout_s=config.ring_timeout_s,
            wrap_up_s=config.wrap_up_s,
            max_wait_s=config.max_wait_s,
            max_length=config.max_length,
        ),
        waiting=snapshot.waiting,
        longest_wait_s=snapshot.longest_wait_s,
        callbacks_pending=snapshot.callbacks_pending,
        agents_by_state=dict(snapshot.agents_by_state),
        windows={
            window: m.QueueFigures(
                offered=f.offered,
                answered=f.answered,
                abandoned=f.abandoned,
                short_abandons=f.short_abandons,
                callbacks_requested=f.callbacks_requested,
                called_back=f.called_back,
                overflowed=f.overflowed,
                voicemail=f.voicemail,
                handled=f.handled,
                service_level_pct=f.service_level_pct,
                asa_s=f.asa_s,
                aht_s=f.aht_s,
            )
            for window, f in snapshot.windows.items()
        },
    )


class RestApi:
    def __init__(self, gate: Gate, backends: RestBackends | None) -> None:
        self._gate = gate
        self._b = backends
        self.endpoints: list[Endpoint] = []

    # -- plumbing ------------------------------------------------------------------

    def backends(self) -> RestBackends:
        if self._b is None:
            raise Refusal("unavailable", "the REST API has no back-ends in this process")
        return self._b

    def _agents(self) -> AgentControl:
        agents = self.backends().agents
        if agents is None:
            raise Refusal("unavailable", "no agent control: neither the ACD nor app_queue runs")
        return agents

    def _stats(self) -> LiveStats:
        stats = self.backends().stats
        if stats is None:
            raise Refusal("unavailable", "no live figures: neither the ACD nor app_queue runs")
        return stats

    async def _token(self, secret: str) -> ApiToken | None:
        return await self.backends().database.run(lambda s: find_token(s, secret))

    async def _db(self, work: Callable[[Any], Any]) -> Any:
        return await self.backends().database.run(work)

    async def _control(self, call: Awaitable[AgentView]) -> m.Agent:
        try:
            return _agent(await call)
        except AgentControlError as exc:
            field = "reason" if exc.valid else None
            raise Refusal(_CONTROL_CODES.get(exc.code, "conflict"), exc.message, field) from None

    def add(self, app: Klein, endpoint: Endpoint) -> None:
        self.endpoints.append(endpoint)

        async def handle(request: Request, **path: str) -> Any:
            caller = await authenticate(request, self._gate, self._token)
            caller.require(endpoint.scope)
            kw: dict[str, Any] = dict(path)
            if endpoint.body is not None:
                kw["body"] = _parse(endpoint.body, json_body(request))
            if endpoint.query is not None:
                kw["query"] = _parse(endpoint.query, _query_args(request))
            answer = await endpoint.handler(caller, **kw)
            return answer if isinstance(answer, Download) else answer.model_dump(mode="json")

        app.route(endpoint.path, methods=[endpoint.method], endpoint=f"api_{endpoint.name}")(
            json_route(handle)
        )

    # -- agents --------------------------------------------------------------------

    async def list_agents(self, caller: Caller) -> m.AgentList:
        views = await self._agents().agents()
        return m.AgentList(agents=[_agent(v) for v in views if caller.reaches(v.queues)])

    async def _reachable_agent(self, caller: Caller, agent_id: str) -> AgentView:
        try:
            view = await self._agents().agent(agent_id)
        except AgentControlError as exc:
            raise Refusal(_CONTROL_CODES.get(exc.code, "conflict"), exc.message) from None
        caller.reach(view.queues, f"agent {agent_id!r}")
        return view

    async def one_agent(self, caller: Caller, agent_id: str) -> m.Agent:
        return _agent(await self._reachable_agent(caller, agent_id))

    def control(self, action: str) -> Callable[..., Awaitable[m.Agent]]:
        async def act(caller: Caller, agent_id: str, body: m.ControlBody) -> m.Agent:
            await self._reachable_agent(caller, agent_id)
            agents = self._agents()
            calls: dict[str, Callable[[], Awaitable[AgentView]]] = {
                "login": lambda: agents.log_in(agent_id, body.ready),
                "ready": lambda: agents.ready(agent_id),
                "pause": lambda: agents.pause(agent_id, body.reason),
                "logout": lambda: agents.log_out(agent_id),
                "finish-wrapup": lambda: agents.finish_wrapup(agent_id),
            }
            return await self._control(calls[action]())

        return act

    # -- queues --------------------------------------------------------------------

    async def list_queues(self, caller: Caller) -> m.QueueList:
        stats, now = self._stats(), self.backends().now()
        config = self.backends().queue_config()
        return m.QueueList(
            queues=[
                _queue(s, config.get(s.queue))
                for s in stats.queues(now)
                if caller.reaches((s.queue,))
            ]
        )

    async def one_queue(self, caller: Caller, name: str) -> m.Queue:
        stats, now = self._stats(), self.backends().now()
        if name not in {s.queue for s in stats.queues(now)}:
            raise Refusal("not_found", f"no queue {name!r}: GET {PREFIX}/queues lists them")
        caller.reach((name,), f"queue {name!r}")
        return _queue(stats.queue(name, now), self.backends().queue_config().get(name))

    # -- supervision ---------------------------------------------------------------

    def _monitors(self) -> Monitors:
        monitors = self.backends().monitors
        if monitors is None:
            raise Refusal("unavailable", "listen/whisper/barge is not running in this process")
        return monitors

    async def monitor(self, caller: Caller, agent_id: str, body: m.MonitorBody) -> m.Monitoring:
        view = await self._reachable_agent(caller, agent_id)
        try:
            started = await self._monitors().monitor(
                caller.name, body.device, agent_id, view.device, body.mode
            )
        except SuperviseError as exc:
            raise Refusal(exc.code, exc.message, exc.field) from None
        return m.Monitoring.model_validate(started.to_json())

    async def hang_up_monitor(self, caller: Caller, monitoring_id: str) -> m.Monitoring:
        if not monitoring_id.isdigit():
            raise Refusal("bad_request", "a session id is a whole number", "monitoring_id")
        monitors = self._monitors()
        running = monitors.active.get(int(monitoring_id))
        if running is not None:
            await self._reachable_agent(caller, running.agent_id)
        try:
            ended = await monitors.hang_up(int(monitoring_id))
        except SuperviseError as exc:
            raise Refusal(exc.code, exc.message, exc.field) from None
        return m.Monitoring.model_validate(ended.to_json())

    async def monitoring_log(self, caller: Caller) -> m.MonitoringList:
        sessions = await self._monitors().log()
        reach = {v.id for v in await self._agents().agents() if caller.reaches(v.queues)}
        return m.MonitoringList(
            sessions=[
                m.Monitoring.model_validate(s.to_json()) for s in sessions if s.agent_id in reach
            ]
        )

    # -- waiting callers ----------------------------------------------------------

    def _calls(self) -> CallControl:
        calls = self.backends().calls
        if calls is None:
            raise Refusal(
                "unavailable", "no waiting callers here: neither the ACD nor app_queue runs"
            )
        return calls

    async def _waiting(self, caller: Caller, call_id: str) -> WaitingCaller:
        try:
            found = await self._calls().waiting(call_id)
        except CallControlError as exc:
            raise Refusal(_CALL_CODES[exc.code], exc.message) from None
        caller.reach((found.queue,), f"call {call_id!r} (waiting in {found.queue!r})")
        return found

    async def _call_action(self, work: Awaitable[WaitingCaller]) -> m.WaitingCaller:
        try:
            done = await work
        except CallControlError as exc:
            raise Refusal(_CALL_CODES[exc.code], exc.message) from None
        return m.WaitingCaller(call_id=done.call_id, queue=done.queue, priority=done.priority)

    async def call_priority(
        self, caller: Caller, call_id: str, body: m.PriorityBody
    ) -> m.WaitingCaller:
        await self._waiting(caller, call_id)
        return await self._call_action(self._calls().set_priority(call_id, body.priority))

    async def move_call(self, caller: Caller, call_id: str, body: m.MoveBody) -> m.WaitingCaller:
        await self._waiting(caller, call_id)
        caller.reach((body.queue,), f"queue {body.queue!r}")
        return await self._call_action(self._calls().move(call_id, body.queue))

    # -- calls and customers -------------------------------------------------------

    async def list_calls(self, caller: Caller, query: m.CallQuery) -> m.CallList:
        reach = caller.queues
        answer: m.CallList = await self._db(lambda s: records.recent_calls(s, query, reach))
        return answer

    async def one_call(self, caller: Caller, call_id: str) -> m.CallDetail:
        found = await self._db(lambda s: records.call_detail(s, call_id))
        if found is None:
            raise Refusal("not_found", f"no call {call_id!r} in the records")
        detail, queues = found
        caller.reach(queues, f"call {call_id!r}")
        assert isinstance(detail, m.CallDetail)
        recording = self.backends().recording_of(call_id)
        return detail.model_copy(update={"recording": recording}) if recording else detail


def add_rest_api(app: Klein, gate: Gate, backends: RestBackends | None) -> list[Endpoint]:
    """Registers ``/api/v1/{agents,queues,calls,customers,merges,tickets,reports}``,
    ``/api/v1/openapi.json``, ``/healthz`` and ``/metrics``; answers 503 ``unavailable``
    from every data route when ``backends`` is None."""
    api = RestApi(gate, backends)
    crm = backends.crm if backends else None
    add_ops_routes(
        app,
        backends.health if backends else None,
        backends.metrics if backends else None,
    )
    agent_id = {"agent_id": "the agent's id (the queue file's)"}
    endpoints = [
        Endpoint(
            "GET",
            f"{PREFIX}/agents",
            "list_agents",
            "Agents in the caller's queues",
            "read:stats",
            m.AgentList,
            api.list_agents,
        ),
        Endpoint(
            "GET",
            f"{PREFIX}/agents/<agent_id>",
            "get_agent",
            "One agent",
            "read:stats",
            m.Agent,
            api.one_agent,
            path_params=agent_id,
        ),
        *(
            Endpoint(
                "POST",
                f"{PREFIX}/agents/<agent_id>/{action}",
                f"agent_{action.replace('-', '_')}",
                f"Agent control: {action}",
                "control:agents",
                m.Agent,
                api.control(action),
                body=m.ControlBody,
                path_params=agent_id,
            )
            for action in ("login", "ready", "pause", "logout", "finish-wrapup")
        ),
        Endpoint(
            "POST",
            f"{PREFIX}/agents/<agent_id>/monitor",
            "monitor_agent",
            "Listen to, whisper to or barge in on the agent's call",
            "supervise",
            m.Monitoring,
            api.monitor,
            body=m.MonitorBody,
            path_params=agent_id,
        ),
        Endpoint(
            "GET",
            f"{PREFIX}/monitoring",
            "monitoring_log",
            "Listen/whisper/barge sessions, newest first",
            "supervise",
            m.MonitoringList,
            api.monitoring_log,
        ),
        Endpoint(
            "POST",
            f"{PREFIX}/monitoring/<monitoring_id>/hangup",
            "hang_up_monitor",
            "End a monitoring session (hangs up the supervisor's phone)",
            "supervise",
            m.Monitoring,
            api.hang_up_monitor,
            path_params={"monitoring_id": "the session's id"},
        ),
        Endpoint(
            "GET",
            f"{PREFIX}/queues",
            "list_queues",
            "Queues with their settings and live figures",
            "read:stats",
            m.QueueList,
            api.list_queues,
        ),
        Endpoint(
            "GET",
            f"{PREFIX}/queues/<name>",
            "get_queue",
            "One queue",
            "read:stats",
            m.Queue,
            api.one_queue,
            path_params={"name": "the queue's name"},
        ),
        Endpoint(
            "GET",
            f"{PREFIX}/calls",
            "list_calls",
            "Recent calls, newest first",
            "read:calls",
            m.CallList,
            api.list_calls,
            query=m.CallQuery,
        ),
        Endpoint(
            "GET",
            f"{PREFIX}/calls/<call_id>",
            "get_call",
            "One call: legs, IVR path, recording, disposition",
            "read:calls",
            m.CallDetail,
            api.one_call,
            path_params={"call_id": "the call's id"},
        ),
        Endpoint(
            "POST",
            f"{PREFIX}/calls/<call_id>/priority",
            "call_priority",
            "Set a waiting caller's priority (higher goes first)",
            "supervise",
            m.WaitingCaller,
            api.call_priority,
            body=m.PriorityBody,
            path_params={"call_id": "the waiting call's id"},
        ),
        Endpoint(
            "POST",
            f"{PREFIX}/calls/<call_id>/move",
            "move_call",
            "Move a waiting caller to another queue (they keep their place in line)",
            "supervise",
            m.WaitingCaller,
            api.move_call,
            body=m.MoveBody,
            path_params={"call_id": "the waiting call's id"},
        ),
        *crm_endpoints(PREFIX, lambda: api.backends().database, _now(backends), crm),
        report_endpoint(api.backends, PREFIX),
    ]
    for endpoint in endpoints:
        api.add(app, endpoint)
    document = json.dumps(openapi(api.endpoints, version=VERSION), ensure_ascii=False).encode()

    @app.route(f"{PREFIX}/openapi.json", methods=["GET"])
    def api_openapi(request: Request) -> bytes:
        request.setHeader(b"content-type", b"application/json; charset=utf-8")
        return document

    return api.endpoints
