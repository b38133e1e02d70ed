# -*- test-case-name: tests.queue.test_watcher -*-
"""The queue file, hot-reloaded into a running :class:`~switchboard.queue.shell.service.AcdService`.

Like the IVR flows (:mod:`switchboard.ivr_flows.registry`): a ``LoopingCall`` on an
injected clock compares the file's modification time and size every ``poll_interval_s``;
on a change the whole file is loaded and validated again. A valid edit is handed to
:meth:`AcdService.reconfigure` (the router applies it, its facts are recorded as usual);
a broken edit is rejected, every problem logged (``queue_config_rejected`` with the file,
line and key), and the configuration in service keeps serving.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog
from twisted.internet.interfaces import IReactorTime

from switchboard.polling import PollingService
from switchboard.queue.config.queue_file import QueueConfig, QueueConfigProblem, check_queue_config
from switchboard.queue.shell.service import AcdService

__all__ = ["QueueFileWatcher"]

logger = structlog.get_logger(__name__)
Fingerprint = tuple[int, int] | None


class QueueFileWatcher(PollingService):
    """Polls ``path`` and reconfigures ``acd`` on a valid edit.

    Build it right after the ``AcdService`` that was loaded from the same file: the file
    as it is then counts as the version in service.
    """

    def __init__(
        self, path: Path, acd: AcdService, clock: IReactorTime, *, poll_interval_s: float = 2.0
    ) -> None:
        self.path = Path(path)
        self.acd = acd
        self.version = 1
        self.problems: list[QueueConfigProblem] = []
        super().__init__(clock, poll_interval_s)
        self._seen = self.fingerprint()

    @property
    def log(self) -> Any:
        return logger.bind(queues_file=str(self.path))

    poll_failed_event = "queue_config_poll_failed"
    poller_stopped_event = "queue_config_poller_stopped"

    @property
    def poll_log(self) -> Any:
        return self.log

    def poll_once(self) -> bool:
        return self.poll()

    # -- polling ---------------------------------------------------------------------------
    def fingerprint(self) -> Fingerprint:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def poll(self) -> bool:
        """Reload if the file changed (or appeared, or went); True if a new version serves."""
        if self.fingerprint() == self._seen:
            return False
        return self.reload()

    def reload(self) -> bool:
        """Load and validate the file now; True if the new version went into service."""
        self._seen = self.fingerprint()
        config, problems = check_queue_config(self.path)
        self.problems = problems
        if config is None:
            for problem in problems:
                self.log.error(
                    "queue_config_rejected",
                    file=problem.file,
                    line=problem.line,
                    key=problem.key,
                    message=problem.message,
                    fix=problem.fix,
                )
            self.log.error(
                "queue_config_kept", problems=len(problems), serving_version=self.version
            )
            return False
        before = self.acd.config
        if not self.acd.reconfigure(config):
            self.log.info("queue_config_unchanged", version=self.version)
            return False
        self.version += 1
        self.log.info("queue_config_loaded", version=self.version, **_changes(before, config))
        return True


def _changes(before: QueueConfig, after: QueueConfig) -> dict[str, list[str]]:
    """What an operator wants to see in the log line: which names came, went, changed."""
    out: dict[str, list[str]] = {}
    for kind, old_items, new_items in (
        ("queues", before.queues, after.queues),
        ("agents", before.agents, after.agents),
    ):
        old = {getattr(item, "name" if kind == "queues" else "id"): item for item in old_items}
        new = {getattr(item, "name" if kind == "queues" else "id"): item for item in new_items}
        out[f"{kind}_added"] = sorted(new.keys() - old.keys())
        out[f"{kind}_removed"] = sorted(old.keys() - new.keys())
        out[f"{kind}_changed"] = sorted(k for k in old.keys() & new.keys() if old[k] != new[k])
    return out
