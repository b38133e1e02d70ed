# -*- test-case-name: tests.queue.test_call_control_sim,tests.web.api.test_call_actions -*-
"""A supervisor's hand on a waiting caller: raise their priority, move them to a queue.

One API (:class:`CallControl`) for both routing modes, as for agents:

* the ACD (:class:`AcdCallControl`): the router's ``CallPriorityChanged`` and
  ``CallMoveRequested``; its refusal (not waiting, full queue ...) is the error;
* app_queue (:class:`AppQueueCallControl`): AMI ``QueueChangePriorityCaller`` with
  ``Immediate`` for a priority; for a move, which app_queue has no action for,
  ``QueueWithdrawCaller`` with the target queue as ``WithdrawInfo``: ``Queue()`` returns
  with ``QUEUESTATUS=WITHDRAW`` and the dialplan queues the caller again in
  ``${QUEUE_WITHDRAW_INFO}`` (docs/asterisk.md). A Redirect would do too, but app_queue
  reports it as an abandon with nothing to tell it from a hang-up, while a withdrawal is
  asked by us, so the tracker is told first and counts it as a move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from twisted.internet.defer import Deferred

from switchboard.cti.ami import actions
from switchboard.cti.ami.errors import AmiActionFailed, AmiError
from switchboard.queue.core.events import CallMoveRequested, CallPriorityChanged

if TYPE_CHECKING:
    from switchboard.queue.core.appqueue import AppQueueTracker
    from switchboard.queue.shell.service import AcdService

__all__ = [
    "AcdCallControl",
    "AppQueueCallControl",
    "CallControl",
    "CallControlError",
    "MixedCallControl",
    "WaitingCaller",
]

ErrorCode = Literal["not_found", "refused", "unavailable"]


@dataclass(frozen=True, slots=True)
class WaitingCaller:
    call_id: str
    queue: str
    priority: int | None = None  # None: not known (app_queue does not report it)


class CallControlError(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def not_waiting(call_id: str) -> CallControlError:
    return CallControlError(
        "not_found",
        f"no caller {call_id!r} is waiting in a queue (answered, gone, or an unknown id)",
    )


class CallControl(Protocol):
    async def waiting(self, call_id: str) -> WaitingCaller:
        """The caller waiting now; :class:`CallControlError` ``not_found`` if none."""
        ...

    async def set_priority(self, call_id: str, priority: int) -> WaitingCaller: ...

    async def move(self, call_id: str, queue: str) -> WaitingCaller: ...


class AcdCallControl:
    def __init__(self, acd: AcdService) -> None:
        self._acd = acd

    async def waiting(self, call_id: str) -> WaitingCaller:
        runtime = self._acd.router.calls.get(call_id)
        if runtime is None:
            raise not_waiting(call_id)
        return WaitingCaller(call_id, runtime.queue, runtime.call.priority)

    async def set_priority(self, call_id: str, priority: int) -> WaitingCaller:
        self._run(CallPriorityChanged(call_id, priority))
        return await self.waiting(call_id)

    async def move(self, call_id: str, queue: str) -> WaitingCaller:
        self._run(CallMoveRequested(call_id, queue))
        return await self.waiting(call_id)

    def _run(self, event: CallPriorityChanged | CallMoveRequested) -> None:
        refusal = self._acd.command(event)
        if refusal:
            known = event.call_id in self._acd.router.calls
            raise CallControlError("refused" if known else "not_found", refusal)


class Ami(Protocol):
    def send(self, action: actions.Action, *, timeout_s: float | None = None) -> Deferred[Any]: ...


class AppQueueCallControl:
    """``tracker``: the app_queue tracker, which knows each caller's queue and channel."""

    def __init__(self, ami: Ami, tracker: AppQueueTracker) -> None:
        self._ami = ami
        self._tracker = tracker

    async def waiting(self, call_id: str) -> WaitingCaller:
        found = self._tracker.caller(call_id)
        if found is None:
            raise not_waiting(call_id)
        return WaitingCaller(call_id, found[0])

    async def set_priority(self, call_id: str, priority: int) -> WaitingCaller:
        queue, channel = self._caller(call_id)
        await self._send(actions.queue_change_priority_caller(queue, channel, priority))
        return WaitingCaller(call_id, queue, priority)

    async def move(self, call_id: str, queue: str) -> WaitingCaller:
        source, channel = self._caller(call_id)
        if queue == source:
            raise CallControlError("refused", f"call {call_id!r} already waits in {queue!r}")
        if queue not in self._tracker.queues:
            raise CallControlError(
                "refused", f"unknown queue {queue!r}: move to one app_queue serves"
            )
        self._tracker.expect_withdraw(call_id)  # before the answer: its events may come first
        try:
            await self._send(actions.queue_withdraw_caller(source, channel, queue))
        except CallControlError:
            self._tracker.expect_withdraw(call_id, False)
            raise
        return WaitingCaller(call_id, queue)

    def _caller(self, call_id: str) -> tuple[str, str]:
        found = self._tracker.caller(call_id)
        if found is None:
            raise not_waiting(call_id)
        return found

    async def _send(self, action: actions.Action) -> None:
        try:
            await self._ami.send(action)
        except AmiActionFailed as exc:
            raise CallControlError(
                "refused", f"Asterisk refused {action.name}: {exc.message}"
            ) from None
        except AmiError as exc:
            raise CallControlError(
                "unavailable",
                f"Asterisk did not answer {action.name} ({exc}); try again once "
                "switchboard is connected to AMI",
            ) from None


class MixedCallControl:
    """A queue file with both kinds of queue: each caller is handled by its queue's side;
    a move between an ACD queue and an app_queue queue is refused (the caller would have
    to leave Queue() or the ACD's hold for the other: not supported)."""

    def __init__(self, acd: AcdCallControl, app_queue: AppQueueCallControl) -> None:
        self._acd, self._app_queue = acd, app_queue

    async def _side(self, call_id: str) -> tuple[CallControl, WaitingCaller]:
        try:
            return self._acd, await self._acd.waiting(call_id)
        except CallControlError:
            return self._app_queue, await self._app_queue.waiting(call_id)

    async def waiting(self, call_id: str) -> WaitingCaller:
        return (await self._side(call_id))[1]

    async def set_priority(self, call_id: str, priority: int) -> WaitingCaller:
        side, _ = await self._side(call_id)
        return await side.set_priority(call_id, priority)

    async def move(self, call_id: str, queue: str) -> WaitingCaller:
        side, _ = await self._side(call_id)
        return await side.move(call_id, queue)
