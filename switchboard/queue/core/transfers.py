# -*- test-case-name: tests.queue.test_transfers -*-
"""Agent transfers, read from Asterisk's ``BlindTransfer`` and ``AttendedTransfer`` events.

Pure (no clock, no I/O), one per routing shell: the shell hands it the facts it
delivers (:meth:`TransferReader.learn`: who answered which call, in which queue) and
the two AMI events (:meth:`TransferReader.feed`), and publishes the
:class:`~.decisions.CallTransferred` it returns with its other facts. Each shell knows
only its own calls, so a queue file mixing both routing modes counts a transfer once.

The events' fields are Asterisk 22's (main/stasis_bridges.c, ``blind_transfer_to_ami``
and ``attended_transfer_to_ami``, and their XML documentation): ``Result`` (``Success``,
``Fail``, ``Invalid``, ``Not Permitted``), channel snapshots prefixed ``Transferer`` /
``Transferee`` (blind) or ``OrigTransferer``, ``SecondTransferer``, ``Transferee``,
``TransferTarget`` (attended), ``IsExternal``, and ``Context`` / ``Extension`` (blind) or
``DestType`` (attended). Only ``Success`` counts: a failed transfer leaves the caller
with the agent.

A transfer counts for the answered call whose caller was handed on: the ``Transferee``
is the caller's channel, whose uniqueid is the queue's call id in both modes. When it
is not (a caller behind a Local channel), the transferer's device names the agent and
so the agent's answered call still in progress (not finished: with a queue file mixing
both modes, the other shell's reader must not find an old call of the same agent).
A call counts once per answer: a target who transfers the caller again did not leave
that visit, until the call is answered from a queue again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from switchboard.cti.ami.frames import Message
from switchboard.cti.calls.model import interface_of
from switchboard.queue.core.decisions import CallAnswered, CallFinished, CallTransferred, Fact

__all__ = ["EVENTS", "TransferReader"]

#: The AMI events read (class ``call``: the AMI user needs ``read = call``).
EVENTS: Final = ("BlindTransfer", "AttendedTransfer")
_SUCCESS: Final = "Success"


@dataclass(frozen=True, slots=True)
class _Answered:
    queue: str
    agent_id: str
    device: str


class TransferReader:
    """``device_of(agent_id)``: the agent's device (``PJSIP/1001``), "" if unknown."""

    def __init__(self, device_of: Callable[[str], str], *, max_calls: int = 10_000) -> None:
        self._device_of = device_of
        self._max = max_calls
        self._answered: OrderedDict[str, _Answered] = OrderedDict()  # by queue call id
        self._finished: set[str] = set()  # of those, the calls that left the queues

    def learn(self, facts: Iterable[Fact]) -> None:
        """Note who answered which call (the facts this shell delivers)."""
        for fact in facts:
            if isinstance(fact, CallAnswered):
                device = self._device_of(fact.agent_id).removesuffix("/n")
                self._answered[fact.call_id] = _Answered(fact.queue, fact.agent_id, device)
                self._answered.move_to_end(fact.call_id)
                self._finished.discard(fact.call_id)
                while len(self._answered) > self._max:
                    self._finished.discard(self._answered.popitem(last=False)[0])
            elif isinstance(fact, CallFinished) and fact.call_id in self._answered:
                self._finished.add(fact.call_id)

    def feed(self, msg: Message, now: float) -> CallTransferred | None:
        """The transfer ``msg`` reports, if it succeeded and handed on a call answered
        here; None for anything else."""
        if msg.event not in EVENTS or msg.get("Result") != _SUCCESS:
            return None
        blind = msg.event == "BlindTransfer"
        transferers = ("Transferer",) if blind else ("OrigTransferer", "SecondTransferer")
        call_id = self._call_of(msg, transferers)
        if call_id is None:
            return None
        answered = self._answered.pop(call_id)
        self._finished.discard(call_id)
        if blind:
            target = f"{msg.get('Extension') or ''}@{msg.get('Context') or ''}"
        else:
            target = msg.get("TransferTargetChannel") or ""
        return CallTransferred(
            call_id=call_id,
            queue=answered.queue,
            agent_id=answered.agent_id,
            at=now,
            method="blind" if blind else "attended",
            target=target,
            linkedid=msg.get("TransfereeLinkedid") or msg.get(f"{transferers[0]}Linkedid") or "",
        )

    def _call_of(self, msg: Message, transferers: tuple[str, ...]) -> str | None:
        transferee = msg.get("TransfereeUniqueid") or ""
        if transferee in self._answered:
            return transferee
        devices = {interface_of(msg.get(f"{p}Channel") or "") for p in transferers} - {""}
        for call_id in reversed(self._answered):
            if call_id not in self._finished and self._answered[call_id].device in devices:
                return call_id
        return None
