# -*- test-case-name: tests.sim.test_sitecheck -*-
"""``switchboard asterisk check``: do the dialplan's targets exist on this PBX?

docs/asterisk.md's dialplans name things a site must have or replace (the fallback queue
``operators``, ``VoiceMail``, ...). Asterisk does not complain about them until a caller
reaches them, so this asks over AMI, where it can:

* a queue exists if ``QueueStatus`` with ``Queue: NAME`` lists its ``QueueParams``;
* an application is loaded if ``Command: core show application NAME`` succeeds (this
  needs the ``command`` privilege; Asterisk answers ``not registered`` otherwise).

Devices (``PJSIP/operator``) and voicemail boxes are not checked: AMI cannot tell a
missing one from one that is merely offline.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:  # the CLI imports this module to build its parser: keep that cheap
    from twisted.internet.defer import Deferred

    from switchboard.cti.ami.actions import Action
    from switchboard.cti.ami.frames import Message
    from switchboard.cti.ami.pending import EventList

__all__ = ["DOCUMENTED_APPLICATIONS", "Finding", "add_commands", "check_targets"]

# What docs/asterisk.md's dialplans and switchboard's AGI sessions run.
DOCUMENTED_APPLICATIONS = ("AGI", "Queue", "MixMonitor", "Dial", "VoiceMail", "StartMusicOnHold")
DOCUMENTED_QUEUES = ("operators",)  # the fallback's queue, a placeholder to replace


class AmiSender(Protocol):
    def send(self, action: Action) -> Deferred[Message]: ...

    def send_list(self, action: Action) -> Deferred[EventList]: ...


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # queue | application
    name: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        head = f"{'ok' if self.ok else 'MISSING':<8}{self.kind} {self.name}"
        return f"{head}: {self.detail}" if self.detail else head


async def _queue(ami: AmiSender, name: str) -> Finding:
    from switchboard.cti.ami.actions import Action

    listed = await ami.send_list(Action("QueueStatus", (("Queue", name),)))
    if any(i.event == "QueueParams" and i.get("Queue") == name for i in listed.items):
        return Finding("queue", name, True)
    return Finding(
        "queue",
        name,
        False,
        "app_queue has no such queue; add it to queues.conf or change the dialplan line",
    )


async def _application(ami: AmiSender, name: str) -> Finding:
    from switchboard.cti.ami.actions import Action
    from switchboard.cti.ami.errors import AmiActionFailed

    try:
        await ami.send(Action("Command", (("Command", f"core show application {name}"),)))
    except AmiActionFailed as exc:
        output = " ".join(exc.response.get_all("Output"))
        if "not registered" in output:
            return Finding(
                "application",
                name,
                False,
                "not loaded; load its module (modules.conf) or change the dialplan line",
            )
        return Finding(
            "application",
            name,
            False,
            f"cannot tell ({exc.message or output}); the AMI user needs the command "
            "privilege (write = ...,command in manager.conf)",
        )
    return Finding("application", name, True)


async def check_targets(
    ami: AmiSender, queues: Iterable[str], applications: Iterable[str]
) -> list[Finding]:
    """One finding per queue and application, in the order given."""
    found = [await _queue(ami, name) for name in queues]
    return found + [await _application(ami, name) for name in applications]


def add_commands(subparsers: Any) -> None:
    pbx = subparsers.add_parser("asterisk", help="check the Asterisk side of a site")
    sub = pbx.add_subparsers(dest="asterisk_command", required=True)
    check = sub.add_parser(
        "check", help="ask Asterisk (AMI) whether the dialplan's queues and applications exist"
    )
    check.add_argument(
        "--queue",
        action="append",
        metavar="NAME",
        help=f"a queue the dialplan names (default: {', '.join(DOCUMENTED_QUEUES)})",
    )
    check.add_argument(
        "--application",
        action="append",
        metavar="NAME",
        help="an application it runs (default: the documented ones)",
    )
    check.set_defaults(run=run_check)


def run_check(
    args: argparse.Namespace,
    settings: Any,
    *,
    out: TextIO = sys.stdout,
    client_factory: Callable[..., Any] | None = None,
) -> int:
    from switchboard.cti.ami.commands import run_logged_in
    from switchboard.cti.ami.service import AmiClient

    queues = args.queue or DOCUMENTED_QUEUES
    applications = args.application or DOCUMENTED_APPLICATIONS

    async def check(client: Any) -> int:
        findings = await check_targets(client, queues, applications)
        for finding in findings:
            out.write(f"{finding}\n")
        return 0 if all(f.ok for f in findings) else 1

    return run_logged_in(settings, check, client_factory=client_factory or AmiClient, unreachable=2)
