# -*- test-case-name: tests.supervise.test_monitor_sim,tests.web.api.test_monitor -*-
"""Listen, whisper, barge: AMI ``Originate`` of the supervisor's phone into ``ChanSpy``
on the agent channel's full name (a prefix such as ``Local/agent1001@ctx`` would match
both halves of a Local pair), with ``q`` (no beep or name) and ``E`` (the agent's
hang-up ends it) plus ``w`` to whisper or ``B`` to barge. ``ChanSpyStart``/``Stop`` do
not say the mode, so each session's mode is the one we asked for, kept here and in the
``supervision_log`` table with who, whom and when."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Final, Protocol

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session
from twisted.internet.defer import Deferred

from switchboard.cti.ami import actions
from switchboard.cti.ami.frames import Message
from switchboard.cti.calls.model import interface_of
from switchboard.cti.calls.values import Call
from switchboard.store import Database
from switchboard.supervise.records import SupervisionRow

__all__ = ["MODES", "Monitoring", "Monitors", "SuperviseError"]

log = structlog.get_logger(__name__)

MODES: Final = {"listen": "qE", "whisper": "qwE", "barge": "qBE"}
RING_TIMEOUT_MS: Final = 30_000  # the supervisor's phone rings this long


class SuperviseError(Exception):
    """``code`` is an API error code (bad_request, not_found, conflict, unavailable)."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


class Ami(Protocol):
    def send(self, action: actions.Action, *, timeout_s: float | None = None) -> Deferred[Any]: ...

    def subscribe(
        self, event_name: str, callback: Callable[[Message], object]
    ) -> Callable[[], None]: ...


@dataclass(frozen=True, slots=True)
class Monitoring:
    id: int
    supervisor: str
    device: str
    agent_id: str
    channel: str
    mode: str
    started_at: float
    ended_at: float | None = None
    spyer: str = ""  # the supervisor's channel, once ChanSpy started

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "supervisor": self.supervisor,
            "device": self.device,
            "agent_id": self.agent_id,
            "channel": self.channel,
            "mode": self.mode,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
        }


def _of(row: SupervisionRow) -> Monitoring:
    return Monitoring(
        row.id,
        row.supervisor,
        row.device,
        row.agent_id,
        row.channel,
        row.mode,
        row.started_at,
        row.ended_at,
    )


def interface(device: str) -> str:
    """A dial string's device: ``Local/agent1001@ctx/n`` -> ``Local/agent1001@ctx``."""
    if device.startswith("Local/"):
        return "Local/" + device[len("Local/") :].partition("/")[0]
    return device


def agent_channel(calls: Iterable[Call], device: str) -> str | None:
    """The full name of the agent's live channel: of a Local pair, the ``;1`` half."""
    device = interface(device)
    found = [
        ch.name
        for call in calls
        for ch in call.channels
        if interface_of(ch.name) == device and ch.state == "Up"
    ]
    if not found:
        return None
    return next((name for name in found if name.endswith(";1")), found[0])


class Monitors:
    def __init__(
        self,
        ami: Ami,
        live_calls: Callable[[], Iterable[Call]],
        database: Database,
        now: Callable[[], float],
    ) -> None:
        self._ami, self._calls, self._database, self._now = ami, live_calls, database, now
        self.active: dict[int, Monitoring] = {}
        self._unsubscribe: list[Callable[[], None]] = []

    def start(self) -> None:
        if not self._unsubscribe:
            self._unsubscribe = [
                self._ami.subscribe("ChanSpyStart", self._started),
                self._ami.subscribe("ChanSpyStop", self._stopped),
            ]

    def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    async def monitor(
        self, supervisor: str, device: str, agent_id: str, agent_device: str, mode: str
    ) -> Monitoring:
        if mode not in MODES:
            raise SuperviseError(
                "bad_request", f"mode must be one of {', '.join(MODES)}, not {mode!r}", "mode"
            )
        channel = agent_channel(self._calls(), agent_device)
        if channel is None:
            raise SuperviseError(
                "conflict", f"agent {agent_id} is not on a call ({agent_device} has no channel up)"
            )
        originate = actions.originate(
            device,
            application="ChanSpy",
            data=f"{channel},{MODES[mode]}",
            timeout_ms=RING_TIMEOUT_MS,
            caller_id=f'"{mode} {agent_id}" <{agent_id}>',
        )
        try:
            await self._ami.send(originate)
        except Exception as exc:  # AmiDisconnected, AmiActionFailed ...
            raise SuperviseError(
                "unavailable", f"Asterisk did not take the Originate to {device}: {exc}"
            ) from None
        started = self._now()

        def work(session: Session) -> Monitoring:
            row = SupervisionRow(
                supervisor=supervisor,
                device=device,
                agent_id=agent_id,
                channel=channel,
                mode=mode,
                started_at=started,
                ended_at=None,
            )
            session.add(row)
            session.flush()
            return _of(row)

        monitoring = await self._database.run(work)
        self.active[monitoring.id] = monitoring
        log.info("supervise_started", **monitoring.to_json())
        return monitoring

    async def hang_up(self, monitoring_id: int) -> Monitoring:
        """End a session: hang up the supervisor's leg (ChanSpyStop then closes the log)."""
        found = self.active.get(monitoring_id)
        if found is None:
            raise SuperviseError("not_found", f"no monitoring session {monitoring_id} running")
        if not found.spyer:
            raise SuperviseError(
                "conflict", "the supervisor's phone has not answered yet: hang it up there"
            )
        try:
            await self._ami.send(actions.hangup(found.spyer))
        except Exception as exc:
            raise SuperviseError("unavailable", f"Asterisk did not hang up: {exc}") from None
        return found

    async def log(self, limit: int = 100) -> list[Monitoring]:
        def work(session: Session) -> list[Monitoring]:
            rows = session.scalars(
                select(SupervisionRow).order_by(SupervisionRow.id.desc()).limit(limit)
            )
            return [_of(r) for r in rows]

        found: list[Monitoring] = await self._database.run(work)
        return found

    def _match(self, msg: Message) -> Monitoring | None:
        spyee, spyer = msg.get("SpyeeChannel") or "", msg.get("SpyerChannel") or ""
        for m in self.active.values():
            if m.channel == spyee and (
                m.spyer == spyer or interface_of(spyer) == interface(m.device)
            ):
                return m
        return None

    def _started(self, msg: Message) -> None:
        found = self._match(msg)
        if found is not None and not found.spyer:
            self.active[found.id] = replace(found, spyer=msg.get("SpyerChannel") or "")

    def _stopped(self, msg: Message) -> None:
        found = self._match(msg)
        if found is None:
            return
        ended = replace(self.active.pop(found.id), ended_at=self._now())
        log.info("supervise_ended", **ended.to_json())

        def work(session: Session) -> None:
            row = session.get(SupervisionRow, found.id)
            if row is not None:
                row.ended_at = ended.ended_at

        self._database.run(work).addErrback(
            lambda f: log.error("supervise_log_not_saved", error=f.getErrorMessage())
        )
