# -*- test-case-name: tests.sim.test_actions -*-
"""The few CLI commands the simulator answers through AMI ``Command`` (our own wording)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from switchboard.sim._queue import QueueEngine
    from switchboard.sim.pbx import Pbx

_STATUS_TEXT = {1: "Not in use", 2: "In use", 6: "Ringing"}


class CliFailure(Exception):
    """A known command that failed (Asterisk's CLI_FAILURE): AMI answers ``Error`` with
    the command's output, e.g. ``core show application`` of one that is not loaded."""

    def __init__(self, *lines: str) -> None:
        super().__init__(*lines)
        self.lines = lines


def _show_application(pbx: Pbx, names: list[str]) -> list[str]:
    found = [n for n in names if pbx.config.has_application(n)]
    if not found:
        raise CliFailure("Your application(s) is (are) not registered")
    return [f"  -= Info about Application '{name}' =- (simulated PBX)" for name in found]


def _ago(now: float, then: int) -> str:
    return f"{int(now - then)} secs ago"


def cli_output(pbx: Pbx, queues: QueueEngine, command: str) -> list[str] | None:
    """Output lines of ``command``, or ``None`` for an unknown command; raises
    :class:`CliFailure` when a known command fails."""
    if command == "core show channels":
        count = len(pbx.channels)
        lines = [f"{'Channel':<65}{'Location':<33}{'State':<8}Application(Data)"]
        for chan in pbx.channels.values():
            where = f"{chan.exten}@{chan.context}:{chan.priority}"
            app = f"{chan.application}({chan.app_data})"
            lines.append(f"{chan.name:<65}{where:<33}{chan.state:<8}{app}")
        return [
            *lines,
            f"{count} active channels",
            f"{count // 2} of 400 max active calls ({count / 8:.2f}% of capacity)",
        ]
    words = command.split()
    if words[:3] == ["core", "show", "application"] and len(words) > 3:
        return _show_application(pbx, words[3:])
    if words[:2] == ["queue", "show"] and len(words) <= 3:
        names = words[2:] or sorted(queues.queues)
        out: list[str] = []
        now = pbx.now()
        for name in names:
            q = queues.queues.get(name)
            if q is None:
                out.append(f"No such queue: {name}.")
                continue
            total = q.completed + q.abandoned
            sl = f"{100.0 * q.completed / total:.1f}" if total else "0.0"
            out.append(
                f"{name} has {len(q.waiting)} calls (max unlimited) in '{q.config.strategy}' "
                f"strategy ({q.holdtime}s holdtime, {q.talktime}s talktime), W:0, "
                f"C:{q.completed}, A:{q.abandoned}, SL:{sl}%, SL2:{sl}% within "
                f"{q.config.service_level_s}s"
            )
            out.append("   Members: ")
            for m in q.members:
                taken = f"has taken {m.calls} calls (last was {_ago(now, m.last_call)})"
                if not m.calls:
                    taken = "has taken no calls yet"
                paused = f" (paused:{m.reason})" if m.paused else ""
                out.append(
                    f"      {m.member.name} ({m.member.interface}) (ringinuse disabled)"
                    f"{paused} ({_STATUS_TEXT.get(m.status, 'Unknown')}) {taken} "
                    f"(login was {_ago(now, queues.login_time)})"
                )
            if q.waiting:
                out.append("   Callers: ")
                for i, chan in enumerate(q.waiting, 1):
                    waited = int(now - chan.created_at)
                    out.append(f"      {i}. {chan.name} (wait: {waited // 60}:{waited % 60:02d})")
            else:
                out.append("   No Callers")
            out += ["", ""]
        return out
    return None
