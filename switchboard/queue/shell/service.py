# -*- test-case-name: tests.queue.test_service,tests.queue.test_hold,tests.queue.test_acd_sim -*-
"""The ACD's Twisted shell: owns the :class:`Router`, its timer, and carries out its commands.

Everything that happens reaches the router as an event, through :meth:`AcdService.feed`,
one at a time (an event fed while another is being handled waits its turn, so facts stay
in order). After each event:

1. the facts go to :class:`LiveStats`, to the store and to subscribers of the :class:`Hub`
   through a :class:`~.outlet.FactOutlet` (the app_queue tracker uses the same);
2. the commands are carried out: held callers (:mod:`.hold`) get theirs in their inbox,
   callbacks are originated over AMI (:mod:`._amilink`), rejections are logged;
3. one ``callLater`` is kept at :meth:`Router.next_deadline`.

The IVR hands a caller over with ``await acd.hold(channel, QueueRequest(...))``. The agent
seat calls :meth:`log_in`, :meth:`ready`, :meth:`not_ready`, :meth:`end_wrap_up`,
:meth:`log_out`. Nothing here knows whether the PBX is simulated.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any

import structlog
from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime

from switchboard.cti.agi.channel import AgiChannel
from switchboard.cti.agi.errors import AgiError
from switchboard.cti.ami.frames import Message
from switchboard.dialplan_vars import QUEUE_VARIABLE, ROUTE_VARIABLE, ROUTED
from switchboard.hub import Hub, Offered
from switchboard.queue.config.queue_file import QueueConfig
from switchboard.queue.core._waiting import CallPhase
from switchboard.queue.core.decisions import (
    Announce,
    CallFinished,
    CallOffered,
    CancelOffer,
    Command,
    Decisions,
    Fact,
    MoveToQueue,
    OfferCall,
    OfferCallbackChoice,
    OriginateCallback,
    Rejected,
    SendToFallback,
)
from switchboard.queue.core.events import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    CallArrived,
    ConfigChanged,
    Event,
    OfferNotAnswered,
    Tick,
    WrapUpEnded,
)
from switchboard.queue.core.model import WaitingCall, frozen_map
from switchboard.queue.core.router import Router
from switchboard.queue.core.stats import AgentSnapshot, LiveStats, QueueSnapshot
from switchboard.queue.core.transfers import EVENTS as TRANSFER_EVENTS
from switchboard.queue.core.transfers import TransferReader
from switchboard.queue.shell._amilink import AmiLike, AmiLink, CallbackSettings
from switchboard.queue.shell.hold import HeldCall, HoldOptions, QueueOutcome, QueueRequest
from switchboard.queue.shell.outlet import FactOutlet
from switchboard.queue.store.records import close_agent_rows, close_stale_agent_rows
from switchboard.store.db import Database

__all__ = ["AcdOptions", "AcdService"]

logger = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class AcdOptions:
    hold: HoldOptions = field(default_factory=HoldOptions)
    callback: CallbackSettings = field(default_factory=CallbackSettings)
    # Where a call for an unknown queue goes ("" : the dialplan fallback).
    default_queue: str = ""
    # How much later than the Dial's own timeout the router gives up on an offer.
    ring_grace_s: float = 5.0
    timezone: tzinfo = UTC
    seed: int = 0


class AcdService(Service):
    """One per site. ``clock``: the reactor, a ``task.Clock`` or a ``ScaledClock``;
    ``hub``: where facts are published (``app.py`` hands in the site's one hub)."""

    def __init__(
        self,
        config: QueueConfig,
        clock: IReactorTime,
        *,
        database: Database | None = None,
        ami: AmiLike | None = None,
        options: AcdOptions | None = None,
        hub: Hub | None = None,
    ) -> None:
        options = options or AcdOptions()
        self._app_queues = {q.name for q in config.queues if q.routing == "app_queue"}
        config = config.routed_by("switchboard")  # app_queue queues are Queue()'s
        self.config = config
        self.options = options
        self._clock = clock
        self.router = Router(
            config.queues, config.agents, seed=options.seed, ring_grace_s=options.ring_grace_s
        )
        self.stats = LiveStats(config.queues, config.agents, timezone=options.timezone)
        self.hub = Hub() if hub is None else hub
        self._database = database
        self.outlet = FactOutlet(
            self.stats, self.hub, database, self.now, lambda: self.router.queues
        )
        self._held: dict[str, HeldCall] = {}
        self._waiting_calls: dict[str, WaitingCall] = {}
        self._events: deque[Event] = deque()
        self._busy = False
        self._timer: IDelayedCall | None = None
        self._timer_at: float | None = None
        self._ids = itertools.count(1)
        # While :meth:`command` runs: the event's name and the router's refusals of it.
        self._refusals: tuple[str, list[str]] | None = None
        # Agents' transfers, from AMI (the router has no part in them: a fact, no event).
        self.transfers = TransferReader(self._device_of)
        self._ami_client = ami
        self._unsubscribe: list[Callable[[], None]] = []
        self._ami = (
            AmiLink(
                ami,
                self.feed,
                self._find_held,
                [a.device for a in config.agents],
                options.callback,
            )
            if ami is not None
            else None
        )

    # -- Service ------------------------------------------------------------------------
    def startService(self) -> None:
        super().startService()
        if self._ami is not None:
            self._ami.start()
        if self._ami_client is not None:
            client = self._ami_client
            self._unsubscribe = [client.subscribe(n, self._on_transfer) for n in TRANSFER_EVENTS]
        logger.info(
            "acd_started", queues=sorted(self.router.queues), agents=len(self.router.agents)
        )
        if self._database is not None:  # before anything this run records
            self._store_first(close_stale_agent_rows, "acd_stale_agent_sessions_closed")
        self._log_in_at_start(self.config.initial_states)

    def stopService(self) -> Deferred[None]:  # type: ignore[override]
        """Stop; fires once every fact is stored and every agent's open rows are closed
        (the agents are logged out as far as the records go)."""
        super().stopService()
        if self._ami is not None:
            self._ami.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        self._cancel_timer()
        done = self.flush()
        database = self._database
        if database is not None:
            at = self.now()
            done.addCallback(lambda _: database.run(lambda s: close_agent_rows(s, at)))
            done.addCallback(
                lambda closed: logger.info("acd_agent_sessions_closed", sessions=closed)
            )
            done.addErrback(
                lambda f: logger.error("acd_agent_sessions_not_closed", error=f.getErrorMessage())
            )
        return done

    def _store_first(self, work: Callable[[Any], int], event: str) -> None:
        """Run ``work(session)`` before any fact is written (facts wait their turn)."""
        self.outlet.store_first(work, event)

    # -- the IVR's entry --------------------------------------------------------------------
    async def hold(self, channel: AgiChannel, request: QueueRequest) -> QueueOutcome:
        """Hold the caller in ``request.queue`` until they leave the ACD; never raises."""
        env = channel.env
        call_id = env.uniqueid or f"acd-{next(self._ids)}"
        queue = request.queue
        log = logger.bind(call_id=call_id, channel=env.channel, queue=queue)
        if queue in self._app_queues:
            return await _leave_to_queue_app(channel, request, call_id, log)
        if not self.router.accepting(queue) and self.router.accepting(self.options.default_queue):
            log.warning("acd_unknown_queue", default=self.options.default_queue)
            queue = self.options.default_queue
            log = log.bind(queue=queue)
        if call_id in self._held or call_id in self.router.calls:
            call_id = f"{call_id}-{next(self._ids)}"
            log = log.bind(call_id=call_id)
        call = WaitingCall(
            id=call_id,
            queue=queue,
            enqueued_at=self.now(),
            priority=request.priority,
            skills=frozen_map(request.skills),
            language=request.language,
            customer_tier=request.customer_tier,
            caller_number=request.caller_number or env.callerid,
            ivr_ref=request.ivr_ref,
        )
        known = self.router.queues.get(queue)
        held = HeldCall(
            self,
            channel,
            call,
            known.music_class if known else "default",
            self.options.hold,
            log,
            answered=request.answered,
            queue_variable_set=request.queue_variable_set and queue == request.queue,
        )
        self._held[call_id] = held
        log.info("acd_call_held", priority=request.priority)
        try:
            outcome = await held.run()
        finally:
            self._held.pop(call_id, None)
        log.info("acd_call_left", outcome=outcome.outcome, agent=outcome.agent_id)
        return outcome

    def arrive(self, held: HeldCall) -> None:
        self._waiting_calls[held.call_id] = held.call
        self.feed(CallArrived(held.call))

    def reconfigure(self, config: QueueConfig) -> bool:
        """Serve a reloaded queue file (rules in ``_reload``); False if nothing changed."""
        self._app_queues = {q.name for q in config.queues if q.routing == "app_queue"}
        config = config.routed_by("switchboard")
        if config == self.config:
            return False
        known = set(self.router.agents)
        self.config = config
        self.stats.reconfigure(config.queues, config.agents)
        self.feed(ConfigChanged(config.queues, config.agents))
        self._log_in_at_start(
            {i: state for i, state in config.initial_states.items() if i not in known}
        )
        if self._ami is not None:  # removed agents still on a call keep their device
            self._ami.watch(
                [r.agent.device for r in self.router.agents.values()]
                + [a.device for a in config.agents]
            )
        return True

    def _log_in_at_start(self, states: Mapping[str, str]) -> None:
        """The queue file's ``initial_state``: these agents start logged in."""
        for agent_id, state in sorted(states.items()):
            self.feed(AgentLoggedIn(agent_id, ready=state == "ready"))
        if states:
            logger.info("acd_agents_logged_in_at_start", agents=sorted(states))

    # -- the agent seat ---------------------------------------------------------------------
    def log_in(self, agent_id: str, ready: bool = False) -> None:
        self.feed(AgentLoggedIn(agent_id, ready))

    def log_out(self, agent_id: str) -> None:
        self.feed(AgentLoggedOut(agent_id))

    def ready(self, agent_id: str) -> None:
        self.feed(AgentReady(agent_id))

    def not_ready(self, agent_id: str, reason: str = "break") -> None:
        self.feed(AgentNotReady(agent_id, reason))

    def end_wrap_up(self, agent_id: str) -> None:
        self.feed(WrapUpEnded(agent_id))

    def command(self, event: Event) -> str:
        """Feed ``event`` now and return the router's refusal of it ("" : accepted).

        For callers that must answer someone (:class:`~.control.AcdAgentControl`); call it
        from outside :meth:`feed` (a request, a timer), not from a fact subscriber.
        """
        refusals: list[str] = []
        self._refusals = (type(event).__name__, refusals)
        try:
            self.feed(event)
        finally:
            self._refusals = None
        return refusals[0] if refusals else ""

    # -- reading ----------------------------------------------------------------------------
    def now(self) -> float:
        seconds: float = self._clock.seconds()  # type: ignore[misc]  # zope attribute
        return seconds

    def queue_stats(self) -> list[QueueSnapshot]:
        return self.stats.queues(self.now())

    def agent_stats(self) -> list[AgentSnapshot]:
        return self.stats.agents(self.now())

    @property
    def held_calls(self) -> int:
        return len(self._held)

    @property
    def callbacks_open(self) -> int:
        """Callbacks not finished yet: parked, being rung or talking."""
        return sum(1 for c in self.router.calls.values() if c.virtual)

    def only_parked_callbacks(self) -> bool:
        """Nobody held, ringing or talking: at most callbacks parked for a later attempt."""
        return not self._held and all(
            c.virtual and c.phase is CallPhase.PARKED for c in self.router.calls.values()
        )

    # -- the one way in -------------------------------------------------------------------
    def feed(self, event: Event) -> None:
        """Hand ``event`` to the router at ``now`` and carry out what it decides."""
        self._events.append(event)
        if self._busy:
            return
        self._busy = True
        try:
            while self._events:
                event = self._events.popleft()
                try:
                    decisions = self.router.handle(event, self.now())
                except Exception:  # a router bug must not take the site down
                    logger.exception("acd_event_failed", acd_event=type(event).__name__)
                    continue
                self._apply(decisions)
        finally:
            self._busy = False
        self._reschedule()

    def _apply(self, decisions: Decisions) -> None:
        if decisions.facts:
            self._deliver(decisions.facts)
        for command in decisions.commands:
            try:
                self._execute(command)
            except Exception:
                logger.exception("acd_command_failed", command=repr(command))

    def _execute(self, command: Command) -> None:
        if isinstance(command, Rejected):
            logger.warning("acd_event_rejected", acd_event=command.event, reason=command.reason)
            if self._refusals is not None and self._refusals[0] == command.event:
                self._refusals[1].append(command.reason)
            return
        if isinstance(command, OriginateCallback):
            self._originate(command)
            return
        held = self._held.get(command.call_id)
        if held is not None:
            held.deliver(command)
        elif isinstance(command, OfferCall):
            # The router offered a caller who is no longer held: release the agent at once.
            logger.warning(
                "acd_offer_without_caller", call_id=command.call_id, agent=command.agent_id
            )
            self.feed(OfferNotAnswered(command.call_id, command.agent_id, "CHANUNAVAIL"))
        elif isinstance(
            command, Announce | OfferCallbackChoice | MoveToQueue | SendToFallback | CancelOffer
        ):
            logger.debug(
                "acd_command_for_absent_caller",
                call_id=command.call_id,
                command=type(command).__name__,
            )

    def _originate(self, command: OriginateCallback) -> None:
        queue = self.router.queues[command.queue]
        if self._ami is None:
            logger.warning("acd_callback_without_ami", call_id=command.call_id)
            self.feed(OfferNotAnswered(command.call_id, command.agent_id, "FAILED"))
            return
        self._ami.originate(command, queue.ring_timeout_s)

    def _find_held(self, uniqueid: str) -> HeldCall | None:
        return self._held.get(uniqueid) or next(
            (h for h in self._held.values() if h.channel.env.uniqueid == uniqueid), None
        )

    def hang_up(self, channel: str) -> bool:
        """Hang up ``channel`` over AMI (False: no AMI)."""
        return self._ami is not None and self._ami.hang_up(channel)

    # -- facts out ----------------------------------------------------------------------------
    def _deliver(self, facts: tuple[Fact, ...]) -> None:
        self.transfers.learn(facts)
        self.outlet.deliver(facts, self._pop)
        for fact in facts:
            if isinstance(fact, CallFinished):  # the call is over
                self._waiting_calls.pop(fact.call_id, None)

    def _on_transfer(self, msg: Message) -> None:
        fact = self.transfers.feed(msg, self.now())
        if fact is not None:
            logger.info("acd_call_transferred", call_id=fact.call_id, agent=fact.agent_id)
            self.outlet.deliver((fact,))

    def _device_of(self, agent_id: str) -> str:
        agent = self.router.agents.get(agent_id)
        return agent.agent.device if agent else ""

    def _pop(self, fact: CallOffered) -> Offered:
        call = self._waiting_calls.get(fact.call_id)
        agent = self.router.agents.get(fact.agent_id)
        if fact.call_id not in self.router.calls:
            self._waiting_calls.pop(fact.call_id, None)
        return Offered(
            call_id=fact.call_id,
            agent_id=fact.agent_id,
            device=agent.agent.device if agent else "",
            queue=fact.queue,
            at=fact.at,
            caller_number=call.caller_number if call else "",
            ivr_ref=call.ivr_ref if call else "",
            callback=fact.callback_attempt > 0,
            attempt=fact.callback_attempt,
        )

    @property
    def records_failed(self) -> int:
        return self.outlet.records_failed

    def flush(self) -> Deferred[None]:
        """Fires once every fact so far is stored (at once without a database)."""
        return self.outlet.flush()

    # -- the timer ----------------------------------------------------------------------------
    def _reschedule(self) -> None:
        at = self.router.next_deadline()
        if at == self._timer_at and self._timer is not None and self._timer.active():  # type: ignore[misc,arg-type]
            return
        self._cancel_timer()
        if at is None or not self.running:
            return
        self._timer_at = at
        self._timer = self._clock.callLater(max(0.0, at - self.now()), self._tick)  # type: ignore[misc,arg-type]

    def _tick(self) -> None:
        self._timer, self._timer_at = None, None
        self.feed(Tick())

    def _cancel_timer(self) -> None:
        if self._timer is not None and self._timer.active():  # type: ignore[misc,arg-type]
            self._timer.cancel()  # type: ignore[misc,arg-type]
        self._timer, self._timer_at = None, None


async def _leave_to_queue_app(
    channel: AgiChannel, request: QueueRequest, call_id: str, log: Any
) -> QueueOutcome:
    """A ``routing: app_queue`` queue: the dialplan's ``Queue()`` takes the caller (the
    app_queue tracker follows the call), so the route is ``routed`` with the queue set."""
    try:
        if not request.queue_variable_set:
            await channel.set_variable(QUEUE_VARIABLE, request.queue)
        await channel.set_variable(ROUTE_VARIABLE, ROUTED)
    except AgiError as exc:
        log.info("acd_route_not_set", route=ROUTED, error=str(exc))
    log.info("acd_left_to_app_queue")
    return QueueOutcome("app_queue", call_id, request.queue)
