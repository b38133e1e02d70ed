"""Call recordings: tracked from AMI, checked, indexed, found, played, kept by policy.

:func:`build_recorder` is what the composition root calls; docs/recorder.md.
"""

from __future__ import annotations

from typing import Any

from switchboard.config.model import RecorderSettings
from switchboard.hub import Hub
from switchboard.recorder.paths import PathMap
from switchboard.recorder.retention_job import RetentionJob
from switchboard.recorder.service import (
    AmiLink,
    CheckRunner,
    Naming,
    RecorderError,
    RecorderService,
)
from switchboard.store import Database

__all__ = [
    "Naming",
    "RecorderError",
    "RecorderService",
    "RetentionJob",
    "build_recorder",
    "build_retention",
]


def build_recorder(
    settings: RecorderSettings,
    reactor: Any,
    clock: Any,
    database: Database,
    hub: Hub,
    ami: AmiLink,
    *,
    run_check: CheckRunner | None = None,
    naming: Naming | None = None,
) -> RecorderService | None:
    """The recorder, or None when ``[recorder] enabled = false``. File checks run in the
    reactor's thread pool unless ``run_check`` says otherwise (tests). ``naming``: where a
    recording started from the seat goes (none: the seat cannot start one)."""
    if not settings.enabled:
        return None
    if run_check is None:
        from twisted.internet.threads import deferToThreadPool

        def run_check(work: Any) -> Any:
            return deferToThreadPool(reactor, reactor.getThreadPool(), work)

    recorder = RecorderService(settings, clock, database, hub, ami, run_check, naming=naming)
    recorder.setName("recorder")
    return recorder


def build_retention(
    settings: RecorderSettings, timezone: str, clock: Any, database: Database
) -> RetentionJob | None:
    """The daily retention run at ``retention_at`` in ``timezone`` (``[queues] timezone``),
    or None when there is no policy (``retention_days`` empty) or no time (``""``)."""
    if not settings.enabled or not settings.retention_days or not settings.retention_at:
        return None
    from zoneinfo import ZoneInfo

    job = RetentionJob(
        clock,
        database,
        settings.retention_days,
        PathMap(settings.path_map),
        settings.retention_at,
        ZoneInfo(timezone),
    )
    job.setName("recordings-retention")
    return job
