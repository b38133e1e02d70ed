# -*- test-case-name: tests.ivr.test_registry -*-
"""Hot-reloaded flows, served to the FastAGI server as handlers named after the flows.

:class:`FlowRegistry` holds the flows currently in service and polls the directory's
file names, sizes and modification times; on a change it loads and validates the whole
directory again. A valid edit replaces the flows for new calls (calls in progress keep
the version they started with); a broken edit is rejected, its problems logged, and the
previous version keeps serving. An emptied file is a broken edit, and so is an edit that
would take away a flow callers need (:mod:`.in_use`): an entry flow, a flow calls have run
by name, or a ``goto`` target.

:class:`FlowHandlers` is a Twisted service (it runs the polling ``LoopingCall`` on an
injected clock) and a ``Mapping[str, Handler]`` for
:class:`~switchboard.cti.agi.server.AgiServerService`: ``AGI(agi://host/main-menu)`` runs
flow ``main-menu``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from twisted.internet.interfaces import IReactorTime

from switchboard.cti.agi.channel import AgiChannel, Handler
from switchboard.ivr_flows.engine import Engine
from switchboard.ivr_flows.errors import FlowError, FlowProblem
from switchboard.ivr_flows.handover import QueueHandover
from switchboard.ivr_flows.in_use import check_in_service
from switchboard.ivr_flows.load import flow_files
from switchboard.ivr_flows.model import FlowSet
from switchboard.ivr_flows.runner import run_flow
from switchboard.ivr_flows.services import FlowServices
from switchboard.polling import PollingService

if TYPE_CHECKING:
    from switchboard.prompts.inventory import PromptInventory

__all__ = ["FlowHandlers", "FlowRegistry"]

logger = structlog.get_logger(__name__)
Fingerprint = tuple[tuple[str, int, int], ...]


class FlowRegistry:
    """The flows in service, reloaded from ``directory`` when its files change.

    ``entry`` names the flows that must always exist; ``called`` collects the flows that
    calls have run by name, which a reload may then not remove either.
    """

    def __init__(self, directory: Path, entry: Iterable[str] = ()) -> None:
        self.directory = Path(directory)
        self.entry = frozenset(entry)
        self.called: set[str] = set()
        self.flows = FlowSet({})
        self.engine = Engine(self.flows)
        self.problems: list[FlowProblem] = []
        self.version = 0
        self._seen: Fingerprint | None = None
        # Told the new flows after each successful reload (the prompt check listens).
        self.on_loaded: list[Callable[[FlowSet], object]] = []

    @property
    def log(self) -> Any:
        return logger.bind(flows_dir=str(self.directory))

    def fingerprint(self) -> Fingerprint:
        found = []
        for path in flow_files(self.directory):
            try:
                stat = path.stat()
            except OSError:
                continue
            found.append((path.name, stat.st_mtime_ns, stat.st_size))
        return tuple(found)

    def reload(self) -> bool:
        """Load the directory now; True if the new flows went into service."""
        self._seen = self.fingerprint()
        flows, problems = check_in_service(
            self.directory, self.entry, self.called, previous=self.flows
        )
        self.problems = problems
        if flows is None:
            for problem in problems:
                self.log.error(
                    "flow_problem_found",
                    file=problem.file,
                    line=problem.line,
                    code=problem.code,
                    flow=problem.flow,
                    step=problem.step,
                    message=problem.message,
                    fix=problem.fix,
                )
            self.log.error(
                "flows_rejected",
                problems=len(problems),
                serving_version=self.version,
                serving=sorted(self.flows.flows),
            )
            return False
        self.flows, self.engine = flows, Engine(flows)
        self.version += 1
        self.log.info("flows_loaded", version=self.version, flows=sorted(flows.flows))
        for listener in self.on_loaded:
            listener(flows)
        return True

    def poll(self) -> bool:
        """Reload if any flow file was added, removed or changed; True if it reloaded."""
        if self.fingerprint() == self._seen:
            return False
        return self.reload()


class FlowHandlers(PollingService, Mapping[str, Handler]):
    """AGI handlers for every flow in service, plus ``extra`` handlers (e.g. built-ins).

    The flows are loaded when this object is built, so the mapping is complete before the
    AGI server is constructed; if they cannot be (any problem, or an ``entry`` flow missing
    that no ``extra`` handler serves), :class:`FlowError` is raised, as a bad queue file
    stops start. Each handler looks the flow up again when a call arrives, so reloaded
    versions serve new calls. ``clock`` drives the polling; ``now`` (default
    ``clock.seconds``) is the wall-clock time the flows decide by (business hours,
    callback windows), so tests can run a flow at a chosen moment on the real reactor.
    """

    __hash__ = object.__hash__  # a service, compared by identity (Mapping would drop it)

    def __init__(
        self,
        flows_dir: Path,
        clock: IReactorTime,
        services: FlowServices,
        *,
        poll_interval_s: float = 2.0,
        extra: Mapping[str, Handler] | None = None,
        now: Callable[[], float] | None = None,
        acd: QueueHandover | None = None,
        entry: Iterable[str] = (),
        prompts: PromptInventory | None = None,
    ) -> None:
        self._extra = dict(extra or {})
        self.registry = FlowRegistry(flows_dir, [n for n in entry if n not in self._extra])
        if not self.registry.reload():
            raise FlowError(self.registry.problems)
        super().__init__(clock, poll_interval_s)
        self._now = now
        self._acd = acd
        self._prompts = prompts
        self._services = services

    # -- polling (PollingService) ------------------------------------------------------------
    poll_failed_event = "flows_poll_failed"
    poller_stopped_event = "flows_poller_stopped"

    @property
    def poll_log(self) -> Any:
        return self.registry.log

    def poll_once(self) -> bool:
        return self.registry.poll()

    # -- Mapping[str, Handler] -------------------------------------------------------------
    def _names(self) -> list[str]:
        return sorted(set(self.registry.flows.flows) | set(self._extra))

    def __getitem__(self, name: str) -> Handler:
        if name in self.registry.flows.flows:
            return self._handler(name)
        return self._extra[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self.registry.flows.flows or name in self._extra

    def _handler(self, name: str) -> Handler:
        async def handle(channel: AgiChannel) -> None:
            self.registry.called.add(name)  # the dialplan runs it: no reload may remove it
            engine = self.registry.engine
            if name not in engine.flows.flows:  # removed by a reload since lookup
                extra = self._extra.get(name)
                if extra is not None:
                    await extra(channel)
                return
            await run_flow(
                channel,
                engine,
                name,
                self._clock,
                self._services,
                now=self._now,
                acd=self._acd,
                prompts=self._prompts,
            )

        handle.__name__ = f"flow_{name}"
        return handle
