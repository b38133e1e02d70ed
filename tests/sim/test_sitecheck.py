# -*- test-case-name: tests.sim.test_sitecheck -*-
"""``switchboard asterisk check`` against the simulated PBX's AMI, in memory (issue 8 item 14)."""

from __future__ import annotations

import itertools
from random import Random
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.cti.ami import actions
from switchboard.cti.ami.protocol import AmiProtocol
from switchboard.sim._actions import ActionHandler
from switchboard.sim._config import DEFAULT_APPLICATIONS
from switchboard.sim._dialplan import Dialplan
from switchboard.sim.ami import AmiServerProtocol
from switchboard.sim.pbx import Pbx, PbxConfig
from switchboard.sim.replay import MemoryTransport
from switchboard.sitecheck import DOCUMENTED_APPLICATIONS, Finding, check_targets


class _Sender:
    """AmiSender over a bare AmiProtocol."""

    def __init__(self, proto: AmiProtocol) -> None:
        self.proto = proto

    def send(self, action: actions.Action) -> Deferred[Any]:
        return self.proto.send(action)

    def send_list(self, action: actions.Action) -> Deferred[Any]:
        return self.proto.send(action, gather=True)


def _check(applications: frozenset[str], queues: list[str], apps: list[str]) -> list[Finding]:
    clock = Clock()
    pbx = Pbx(clock, PbxConfig(ami_users={"switchboard": "s3cret"}, applications=applications))
    server = AmiServerProtocol(ActionHandler(pbx, Dialplan(pbx, Random(1), None)))
    ids = itertools.count(1)
    client = AmiProtocol(
        clock,
        next_action_id=lambda: f"t-{next(ids)}",
        on_event=lambda _m: None,
        action_timeout_s=5.0,
        max_message_bytes=65536,
    )
    client.makeConnection(MemoryTransport(clock, lambda: client, lambda: server))  # type: ignore[arg-type]
    server.makeConnection(MemoryTransport(clock, lambda: server, lambda: client))  # type: ignore[arg-type]

    async def run() -> list[Finding]:
        login = (("Username", "switchboard"), ("Secret", "s3cret"))
        await client.send(actions.Action("Login", login))
        return await check_targets(_Sender(client), queues, apps)

    d = Deferred.fromCoroutine(run())
    for _ in range(100):
        clock.advance(0.01)
    return d.result  # type: ignore[attr-defined,no-any-return]


def test_missing_queue_and_application_are_named() -> None:
    # The docs' placeholders on a PBX without them: no "operators" queue, no app_voicemail.
    no_voicemail = DEFAULT_APPLICATIONS - {"voicemail"}
    found = _check(no_voicemail, ["operators", "sales"], ["VoiceMail", "Queue"])
    assert [(f.kind, f.name, f.ok) for f in found] == [
        ("queue", "operators", False),
        ("queue", "sales", True),
        ("application", "VoiceMail", False),
        ("application", "Queue", True),
    ]
    assert "queues.conf" in found[0].detail and "modules.conf" in found[2].detail
    assert str(found[2]).startswith("MISSING application VoiceMail: not loaded")


def test_the_documented_applications_exist_on_a_stock_pbx() -> None:
    found = _check(DEFAULT_APPLICATIONS, [], list(DOCUMENTED_APPLICATIONS))
    assert all(f.ok for f in found), found


def test_the_command_line_names_what_to_check() -> None:
    from switchboard.cli import build_parser

    args = build_parser().parse_args(["asterisk", "check", "--queue", "support"])
    assert args.queue == ["support"] and args.application is None
    assert args.run.__name__ == "run_check"
