# -*- test-case-name: tests.integration.test_app,tests.integration.test_agi_process -*-
"""The parts both ``serve`` (:mod:`switchboard.app`) and a process AGI build: the
database and the IVR flows as AGI handlers.

A process AGI imports this once per call, so it stays light: no AMI client, ACD or
Alembic (``app.py`` has those), and SQLAlchemy only when the database is first used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twisted.internet.defer import Deferred

from switchboard.config import Settings
from switchboard.ivr_flows.in_use import builtin_handlers
from switchboard.ivr_flows.registry import FlowHandlers
from switchboard.ivr_flows.services import DatabaseServices

if TYPE_CHECKING:
    from switchboard.ivr_flows.handover import QueueHandover
    from switchboard.prompts.inventory import PromptInventory
    from switchboard.store.db import Database

__all__ = ["DatabaseOnFirstUse", "build_database", "build_flows"]


def build_database(
    settings: Settings,
    reactor: Any,
    *,
    runner: Callable[[Callable[[], Any]], Deferred[Any]] | None = None,
) -> Database:
    """``runner``: where the database work runs instead of a thread pool (tests on a fake
    clock run it on the clock's turns); by default the pool of ``pool_threads``."""
    from switchboard.store.db import Database, create_database_engine, database_url

    engine = create_database_engine(database_url(settings.database))
    return Database(engine, reactor, threads=settings.database.pool_threads, runner=runner)


class DatabaseOnFirstUse:
    """A :class:`~switchboard.store.db.Database` built at its first use: a process AGI
    sends its first commands before SQLAlchemy and the ORM are loaded."""

    def __init__(self, settings: Settings, reactor: Any) -> None:
        self._settings = settings
        self._reactor = reactor
        self._database: Database | None = None

    def run(self, work: Any) -> Any:
        if self._database is None:
            self._database = build_database(self._settings, self._reactor)
        return self._database.run(work)


def build_flows(
    settings: Settings,
    reactor: Any,
    database: Database | DatabaseOnFirstUse,
    acd: QueueHandover | None = None,
    now: Callable[[], float] | None = None,
    prompts: PromptInventory | None = None,
) -> FlowHandlers:
    """Every flow in ``[flows] dir`` as an AGI handler, hot-reloaded; built-ins beside them
    only if ``[flows] builtin_main_menu`` asks. Raises ``FlowError`` if the flows are broken.

    ``now``: the time the flows decide by (business hours); by default the reactor's."""
    flows = FlowHandlers(
        settings.flows.dir,
        reactor,
        DatabaseServices(database),  # type: ignore[arg-type]  # DatabaseOnFirstUse runs alike
        poll_interval_s=settings.flows.poll_interval_s,
        extra=builtin_handlers(settings.flows),
        now=now,
        acd=acd,
        entry=settings.flows.entry,
        prompts=prompts,
    )
    flows.setName("flows")
    return flows
