# -*- test-case-name: tests.recorder.test_playback -*-
"""Who may hear a recording, where its file is, and the audit of every attempt.

A recording is named by its index id only: the file's path comes from the index (as
Asterisk named it, mapped by ``[recorder] path_map``), never from the request, and must
resolve (``..`` and symlinks followed) inside the spool folders; anything else is
refused. Supervisors hear the queues they supervise (``User.queues``; none listed: all),
admins everything, and the agent of the call when ``[recorder] agent_may_play`` is on.
Every attempt, allowed or refused, is written to ``recording_access``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import structlog
from sqlalchemy.orm import Session

from switchboard.accounts.model import Role, User
from switchboard.recorder.browser_audio import BrowserCopies, NotConvertible, needs_copy
from switchboard.recorder.models import Recording
from switchboard.recorder.paths import PathMap, inside
from switchboard.recorder.search import RecordingQuery
from switchboard.recorder.service import RecorderError, RecorderService
from switchboard.recorder.store import log_access
from switchboard.store import Database

__all__ = ["Denied", "Playable", "RecordingPlayback", "may_hear"]

log = structlog.get_logger(__name__)

CONTENT_TYPES = {"wav": "audio/wav", "gsm": "audio/x-gsm", "mp3": "audio/mpeg", "ogg": "audio/ogg"}


class Denied(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # forbidden | not_found | unplayable | unavailable
        self.message = message


@dataclass(frozen=True, slots=True)
class Playable:
    recording_id: int
    path: Path  # on this machine, checked to lie in a spool folder
    content_type: str
    download_name: str  # made here, never from the request
    format: str = "wav"


def may_hear(user: User, queue: str, agent_id: str, *, agent_may_play: bool) -> bool:
    if user.disabled:
        return False
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.SUPERVISOR and (not user.queues or queue in user.queues):
        return True
    return agent_may_play and user.agent_id is not None and user.agent_id == agent_id


def scope(user: User, query: RecordingQuery, *, agent_may_play: bool) -> RecordingQuery | None:
    """``query`` narrowed to what ``user`` may find (None: nothing)."""
    if user.role is Role.ADMIN or (user.role is Role.SUPERVISOR and not user.queues):
        return query
    if user.role is Role.SUPERVISOR:
        return replace(query, queues=user.queues)
    if agent_may_play and user.agent_id:
        return replace(query, agent=user.agent_id) if query.agent in (None, user.agent_id) else None
    return None


class RecordingPlayback:
    def __init__(
        self,
        database: Database,
        paths: PathMap,
        roots: tuple[Path, ...],
        now: Callable[[], float],
        *,
        agent_may_play: bool = False,
        recorder: RecorderService | None = None,
        copies: BrowserCopies | None = None,
    ) -> None:
        self.database = database
        self.copies = copies or BrowserCopies()  # for formats no browser plays
        self.recorder = recorder  # pause/resume from the seat, where the recorder runs
        self.agent_may_play = agent_may_play
        self._paths = paths
        self._roots = roots
        self._now = now

    async def open(
        self, user: User, recording_id: int, *, remote: str, byte_range: str, download: bool
    ) -> Playable:
        """The file to serve, audited; :class:`Denied` (audited too) if not."""
        at = self._now()
        action = "download" if download else "play"

        def work(session: Session) -> Playable | Denied:
            row = session.get(Recording, recording_id)
            verdict = self._judge(user, row)
            done = action if isinstance(verdict, Playable) else f"refused:{verdict.code}"
            log_access(session, recording_id, user.username, done[:16], remote, at, byte_range)
            return verdict

        verdict = await self.database.run(work)
        if isinstance(verdict, Denied):
            log.warning(
                "recording_refused", id=recording_id, user=user.username, reason=verdict.message
            )
            raise verdict
        if not download and needs_copy(verdict.format):
            try:
                copy = await self.copies.copy_of(verdict.recording_id, verdict.path, verdict.format)
            except NotConvertible as failed:
                log.warning("recording_unplayable", id=recording_id, reason=failed.message)
                raise Denied(failed.code, failed.message) from None
            verdict = replace(verdict, path=copy, content_type="audio/wav")
        log.info("recording_served", id=recording_id, user=user.username, action=action)
        return verdict

    def _judge(self, user: User, row: Recording | None) -> Playable | Denied:
        if row is None:
            return Denied("not_found", "no such recording")
        if not may_hear(user, row.queue, row.agent_id, agent_may_play=self.agent_may_play):
            return Denied("forbidden", f"{user.username} may not hear recordings of {row.queue}")
        if row.deleted_at is not None:
            return Denied("not_found", "this recording was deleted by the retention policy")
        local = self._paths.local(row.path)
        if not inside(local, self._roots):
            return Denied("forbidden", "the recording's file lies outside the spool folders")
        if not local.is_file():
            return Denied("not_found", "the recording's file is missing")
        fmt = row.format or local.suffix.lstrip(".").lower()
        content_type = CONTENT_TYPES.get(fmt, "application/octet-stream")
        name = f"recording-{row.id}{local.suffix or '.bin'}"  # wav49 keeps Asterisk's .WAV
        return Playable(row.id, local, content_type, name, fmt)

    async def set_paused(self, user: User, call_id: str, paused: bool) -> None:
        """Pause or resume the recording of a live call: its agent, or a supervisor who
        may hear its queue; logged with the user's name."""
        if self.recorder is None:
            raise Denied("unavailable", "the recorder is not running in this process")
        answered = self.recorder.book.answered_by(call_id)
        if answered is None:
            raise Denied("not_found", f"call {call_id} is not being recorded now")
        queue, agent_id = answered
        own = user.agent_id is not None and user.agent_id == agent_id
        if not own and not may_hear(user, queue, agent_id, agent_may_play=False):
            raise Denied("forbidden", f"{user.username} is not on call {call_id}")
        try:
            if paused:
                await self.recorder.pause(call_id, by=user.username)
            else:
                await self.recorder.resume(call_id, by=user.username)
        except RecorderError as exc:
            raise Denied(exc.code, exc.message) from None
