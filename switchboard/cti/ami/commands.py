# -*- test-case-name: tests.unit.test_ami_commands -*-
"""Operator CLI: ``switchboard ami tail`` and ``switchboard ami action NAME key=value ...``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from twisted.internet import defer, task

from switchboard.cti.ami import actions
from switchboard.cti.ami.errors import AmiActionFailed
from switchboard.cti.ami.frames import Message
from switchboard.cti.ami.pending import EventList
from switchboard.cti.ami.service import AmiClient

__all__ = ["add_commands", "run_action", "run_logged_in", "run_tail"]

# Actions answered by an event list: their items are gathered and printed too.
LIST_ACTIONS = {
    "coreshowchannels",
    "queuestatus",
    "queuesummary",
    "status",
    "devicestatelist",
    "dbget",
    "sippeers",
    "pjsipshowendpoints",
    "agents",
    "parkedcalls",
}


def add_commands(subparsers: Any) -> None:
    """Add ``ami`` with its ``tail`` and ``action`` subcommands to the CLI's subparsers."""
    ami = subparsers.add_parser("ami", help="talk to the Asterisk Manager Interface")
    sub = ami.add_subparsers(dest="ami_command", required=True)
    tail = sub.add_parser("tail", help="print live AMI events as JSON lines")
    tail.add_argument(
        "--event", action="append", default=[], metavar="NAME", help="only this event (repeatable)"
    )
    tail.set_defaults(run=run_tail)
    act = sub.add_parser("action", help="send one action and print the answer as JSON")
    act.add_argument("name", help="the action, e.g. CoreShowChannels")
    act.add_argument("headers", nargs="*", metavar="key=value")
    act.set_defaults(run=run_action)


def message_json(msg: Message) -> dict[str, str | list[str]]:
    return msg.as_dict()


def run_tail(
    args: argparse.Namespace,
    settings: Any,
    *,
    out: TextIO = sys.stdout,
    client_factory: Callable[..., AmiClient] = AmiClient,
) -> int:
    wanted = set(args.event)

    def main(reactor: Any) -> defer.Deferred[None]:
        client = client_factory(settings.ami, reactor)

        def show(msg: Message) -> None:
            if not wanted or msg.event in wanted:
                out.write(json.dumps(message_json(msg), ensure_ascii=False) + "\n")
                out.flush()

        client.subscribe("*", show)
        client.startService()
        reactor.addSystemEventTrigger("before", "shutdown", client.stopService)
        return defer.Deferred()  # runs until Ctrl-C stops the reactor

    task.react(main)
    return 0


def parse_headers(pairs: list[str]) -> list[tuple[str, str]]:
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"expected key=value, got {pair!r}")
        out.append((key, value))
    return out


def run_logged_in(
    settings: Any,
    work: Callable[[AmiClient], Awaitable[int]],
    *,
    client_factory: Callable[..., AmiClient] = AmiClient,
    unreachable: int = 1,
) -> int:
    """Log in to AMI once, run ``work(client)``, log out: ``work``'s exit status, or
    ``unreachable`` after one clear line when AMI cannot be reached or refuses the login."""
    code = [0]

    async def session(client: AmiClient) -> None:
        try:
            await client.when_ready(fail_after_failures=1)
        except Exception as exc:  # any connect or login failure: one clear line, no traceback
            where = f"{settings.ami.host}:{settings.ami.port}"
            print(f"switchboard: cannot reach AMI at {where}: {exc}", file=sys.stderr)
            code[0] = unreachable
            return
        code[0] = await work(client)

    def main(reactor: Any) -> defer.Deferred[None]:
        client = client_factory(settings.ami, reactor)
        client.startService()
        d = defer.Deferred.fromCoroutine(session(client))
        d.addBoth(lambda r: client.stopService().addCallback(lambda _: r))
        return d

    try:
        task.react(main)
    except SystemExit as exc:
        return int(exc.code or 0) or code[0]
    return code[0]


def run_action(
    args: argparse.Namespace,
    settings: Any,
    *,
    out: TextIO = sys.stdout,
    client_factory: Callable[..., AmiClient] = AmiClient,
) -> int:
    action = actions.Action(args.name, tuple(parse_headers(args.headers)))
    gather = args.name.lower() in LIST_ACTIONS

    async def send(client: AmiClient) -> int:
        code = 0
        try:
            if gather:
                result: EventList = await client.send_list(action)
                doc: dict[str, Any] = {
                    "response": message_json(result.response),
                    "items": [message_json(i) for i in result.items],
                }
                if result.complete is not None:
                    doc["complete"] = message_json(result.complete)
            else:
                doc = {"response": message_json(await client.send(action))}
        except AmiActionFailed as exc:
            doc = {"response": message_json(exc.response)}
            code = 1
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return code

    return run_logged_in(settings, send, client_factory=client_factory)
