"""A recorder on a migrated database, fed by a real call model from scripted AMI events."""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import URL, select
from sqlalchemy.orm import Session
from twisted.internet.defer import Deferred, maybeDeferred, succeed
from twisted.internet.task import Clock

from switchboard.config.model import RecorderSettings
from switchboard.cti.ami.actions import Action
from switchboard.cti.ami.frames import Message
from switchboard.cti.calls.model import CallModel
from switchboard.hub import CALL, FACT, Hub
from switchboard.queue.core.decisions import CallAnswered
from switchboard.recorder.models import Recording, RecordingPause
from switchboard.recorder.service import Naming, RecorderService
from switchboard.store import upgrade_database
from switchboard.store.db import Database, create_database_engine

T0 = 1795521600.0  # 2026-11-24 12:00 UTC


def now_runner(work: Callable[[], Any]) -> Deferred[Any]:
    return maybeDeferred(work)


def migrated(url: URL) -> Iterator[Database]:
    upgrade_database(url)
    database = Database(create_database_engine(url), None, runner=now_runner)
    yield database
    database.engine.dispose()


def write_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x01\x00" * int(seconds * rate))
    return path


def event(name: str, **headers: str) -> Message:
    return Message([("Event", name), *headers.items()])


@dataclass
class FakeAmi:
    subscribers: dict[str, list[Callable[[Message], object]]] = field(default_factory=dict)
    sent: list[Action] = field(default_factory=list)

    def subscribe(self, name: str, callback: Callable[[Message], object]) -> Callable[[], None]:
        self.subscribers.setdefault(name, []).append(callback)
        return lambda: self.subscribers[name].remove(callback)

    def send(self, action: Action, *, timeout_s: float | None = None) -> Deferred[Any]:
        self.sent.append(action)
        return succeed(Message([("Response", "Success")]))

    def emit(self, msg: Message) -> None:
        for callback in list(self.subscribers.get(msg.event or "", [])):
            callback(msg)


class Pbx:
    """One inbound call's channels (``;1`` = Linkedid, ``;2`` = the queue caller)."""

    def __init__(
        self,
        database: Database,
        settings: RecorderSettings,
        clock: Clock,
        naming: Naming | None = None,
    ) -> None:
        self.clock = clock
        self.clock.advance(T0 - clock.seconds())
        self.hub = Hub()
        self.ami = FakeAmi()
        self.model = CallModel()
        self.database = database
        self.checks: list[Path] = []
        self.recorder = RecorderService(
            settings, clock, database, self.hub, self.ami, self._run_check, naming=naming
        )
        self.recorder.startService()

    def _run_check(self, work: Callable[[], Any]) -> Deferred[Any]:
        return maybeDeferred(work)

    def feed(self, msg: Message) -> None:
        for change in self.model.feed(msg, self.clock.seconds()):
            self.hub.publish(CALL, change)
        self.ami.emit(msg)

    def chan(self, kind: str, leg: str, n: str = "1", **extra: str) -> None:
        uid = f"100.{n}" if leg == "1" else f"100.{n}{leg}"
        self.feed(
            event(
                kind,
                Channel=f"Local/s@switchboard-ivr-0000000{n};{leg}",
                Uniqueid=uid,
                Linkedid=f"100.{n}",
                ChannelStateDesc="Up",
                CallerIDNum="5551002",
                **extra,
            )
        )

    def start_call(self, path: str, n: str = "1") -> None:
        self.chan("Newchannel", "1", n)
        self.chan("Newchannel", "2", n)
        self.chan("VarSet", "2", n, Variable="SWITCHBOARD_RECORDING", Value=path)
        self.chan("VarSet", "2", n, Variable="MIXMONITOR_FILENAME", Value=path)
        self.chan("MixMonitorStart", "2", n)

    def start_unrecorded_call(self, n: str = "1") -> None:
        self.chan("Newchannel", "1", n)
        self.chan("Newchannel", "2", n)

    def mixmonitor(self, path: str, n: str = "1") -> None:
        """What Asterisk reports after a MixMonitor (application or AMI action)."""
        self.chan("VarSet", "2", n, Variable="MIXMONITOR_FILENAME", Value=path)
        self.chan("MixMonitorStart", "2", n)

    def answer(self, n: str = "1", agent: str = "2001", queue: str = "support") -> None:
        at = self.clock.seconds()
        self.hub.publish(FACT, CallAnswered(f"100.{n}2", queue, agent, at, 3.0))

    def hang_up(self, n: str = "1") -> None:
        self.chan("Hangup", "2", n, Cause="16")
        self.chan("Hangup", "1", n, Cause="16")


def rows(database: Database) -> list[Recording]:
    with Session(database.engine) as session:
        return list(session.scalars(select(Recording).order_by(Recording.id)))


def pauses(database: Database) -> list[RecordingPause]:
    with Session(database.engine) as session:
        return list(session.scalars(select(RecordingPause).order_by(RecordingPause.id)))
