# -*- test-case-name: tests.ivr.test_flows_in_service -*-
"""Which flows must stay in service: the entry flows, and those callers reached by name.

The dialplan names a flow as the AGI script (``AGI(agi://host/main-menu)``); without it,
callers hear nothing or fall through. So a flows directory is refused (``flow_in_use``)
when it lacks an entry flow (``[flows] entry``), at start and on every reload, and a
reload is refused when it would remove a flow that calls have run by name since start.
``goto`` targets need nothing here: a missing one is already ``unknown_flow``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from switchboard.config import FlowsSettings
from switchboard.cti.agi.channel import Handler
from switchboard.ivr_flows.errors import FlowProblem
from switchboard.ivr_flows.load import check_directory
from switchboard.ivr_flows.model import FlowSet

__all__ = ["builtin_handlers", "check_in_service", "entry_flows", "missing_in_use"]


def builtin_handlers(settings: FlowsSettings) -> Mapping[str, Handler]:
    """The built-in scripts to serve beside the flows: none unless the settings ask."""
    if not settings.builtin_main_menu:
        return {}
    from switchboard.cti.agi.builtin import BUILTIN_HANDLERS

    return BUILTIN_HANDLERS


def entry_flows(settings: FlowsSettings) -> tuple[str, ...]:
    """The entry script names that a flow must serve (a configured built-in may serve one)."""
    return tuple(name for name in settings.entry if name not in builtin_handlers(settings))


def missing_in_use(
    flows: FlowSet,
    directory: Path,
    entry: Collection[str],
    called: Collection[str],
    previous: FlowSet | None = None,
) -> list[FlowProblem]:
    """A ``flow_in_use`` problem for each entry or called flow that ``flows`` lacks."""
    problems = []
    for name in sorted(set(entry) | set(called)):
        if name in flows.flows:
            continue
        was = previous.flows.get(name) if previous is not None else None
        why = (
            "which is an entry flow ([flows] entry)"
            if name in entry
            else "and callers have reached it by name since switchboard started"
        )
        problems.append(
            FlowProblem(
                was.file if was is not None else str(directory / f"{name}.yaml"),
                0,
                "flow_in_use",
                f"no flow '{name}', {why}",
                f"restore or write {name}.yaml; to retire it, change the dialplan (and [flows] "
                "entry) first, then restart switchboard",
                name,
            )
        )
    return problems


def check_in_service(
    directory: Path,
    entry: Collection[str],
    called: Collection[str] = (),
    previous: FlowSet | None = None,
) -> tuple[FlowSet | None, list[FlowProblem]]:
    """:func:`~.load.check_directory`, then :func:`missing_in_use` on a valid directory."""
    flows, problems = check_directory(directory)
    if flows is not None:
        problems = missing_in_use(flows, directory, entry, called, previous)
    return (None if problems else flows), problems
