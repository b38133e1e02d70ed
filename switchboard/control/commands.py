# -*- test-case-name: tests.control.test_api,tests.control.test_cli -*-
"""``switchboard agents list|login|ready|pause|logout|finish-wrapup`` against a running ``serve``.

The command reads the same settings as ``serve`` (``[control]`` bind, port and token) and
talks to its control endpoint; it changes nothing itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from switchboard.config import Settings
from switchboard.control.client import ControlClient, ControlClientError, Send

__all__ = ["add_commands", "run"]


def add_commands(subparsers: Any) -> None:
    agents = subparsers.add_parser(
        "agents", help="log agents in and out, ready or pause them (needs a running serve)"
    )
    sub = agents.add_subparsers(dest="agents_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="every agent's state (or one agent's)")
    listing.add_argument("agent", nargs="?", help="only this agent")
    listing.add_argument("--json", action="store_true", help="print JSON")
    login = sub.add_parser("login", help="log an agent in (not ready unless --ready)")
    login.add_argument("agent")
    login.add_argument("--ready", action="store_true", help="ready for calls at once")
    login.add_argument(
        "--queue",
        action="append",
        default=[],
        metavar="Q",
        dest="queues",
        help="app_queue: only this one of the agent's queues (repeatable)",
    )
    sub.add_parser(
        "ready", help="ready for calls (also after a missed call or a pause)"
    ).add_argument("agent")
    pause = sub.add_parser("pause", help="not ready, with a reason (after the current call)")
    pause.add_argument("agent")
    pause.add_argument(
        "--reason", default="break", help="one of [queues] pause_reasons: break, lunch ..."
    )
    sub.add_parser("logout", help="log an agent out (after the current call)").add_argument("agent")
    sub.add_parser(
        "finish-wrapup", help="end an agent's wrap-up now (then ready, or the pause asked for)"
    ).add_argument("agent")
    for parser in sub.choices.values():
        parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings, send: Send | None = None) -> int:
    control = settings.control
    token = control.token.get_secret_value() if control.token is not None else None
    client = ControlClient(control.bind, control.port, token, send=send)
    action = args.agents_command
    try:
        if action == "list":
            agents = [client.agent(args.agent)] if args.agent else client.agents()
            _print_agents(agents, args.json)
            return 0
        if action == "login":
            agent = client.log_in(args.agent, ready=args.ready, queues=args.queues)
        elif action == "ready":
            agent = client.ready(args.agent)
        elif action == "pause":
            agent = client.pause(args.agent, args.reason)
        elif action == "finish-wrapup":
            agent = client.finish_wrapup(args.agent)
        else:
            agent = client.log_out(args.agent)
    except ControlClientError as exc:
        print(f"switchboard agents {action}: {exc.message}", file=sys.stderr)
        return 1
    print(f"{agent['id']}: {_state(agent)}")
    return 0


def _state(agent: dict[str, Any]) -> str:
    text = str(agent["state"])
    if agent.get("reason"):
        text += f" ({agent['reason']})"
    if agent.get("call_id"):
        text += f", call {agent['call_id']}"
    return text


def _print_agents(agents: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(agents, indent=2, ensure_ascii=False))
        return
    rows = [("AGENT", "NAME", "STATE", "SINCE", "QUEUES")]
    for agent in agents:
        since = (
            time.strftime("%H:%M:%S", time.localtime(agent["since"]))
            if (agent.get("since"))
            else "-"
        )
        rows.append((agent["id"], agent["name"], _state(agent), since, ",".join(agent["queues"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
