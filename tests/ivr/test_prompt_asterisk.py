# -*- test-case-name: tests.ivr.test_prompt_asterisk -*-
"""``serve`` asks Asterisk which prompt files exist (AMI ``core show sound``), here the
simulated PBX over an in-memory connection.

The answer's format is Asterisk's ``main/sounds.c`` (``handle_cli_sound_show``): each
folder under ``sounds/`` is a "language", a file is named by its path below it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from structlog.testing import capture_logs
from twisted.internet.defer import Deferred, fail, succeed
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransportWithDisconnection

from switchboard.cti.ami.actions import Action
from switchboard.cti.ami.errors import AmiActionFailed
from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.ivr_flows.load import check_directory
from switchboard.ivr_flows.prompts import PromptCatalog
from switchboard.prompts.asterisk import PromptCheck, index_key, sound_languages
from switchboard.prompts.files import manifest_files
from switchboard.prompts.inventory import PromptInventory
from switchboard.sim._actions import ActionHandler
from switchboard.sim._dialplan import Dialplan
from switchboard.sim.ami import AmiServerProtocol
from switchboard.sim.pbx import Pbx, PbxConfig
from tests.ivr.helpers import EXAMPLES


class SimAmi:
    """The client's ``send`` answered by the simulated PBX's AMI server, in memory."""

    def __init__(self, sounds: Iterable[str] | None) -> None:
        config = PbxConfig(
            ami_users={"u": "s"}, sounds=None if sounds is None else frozenset(sounds)
        )
        pbx = Pbx(Clock(), config)
        self.proto = AmiServerProtocol(ActionHandler(pbx, Dialplan(pbx, random.Random(1), None)))
        self.transport = StringTransportWithDisconnection()
        self.transport.protocol = self.proto
        self.proto.makeConnection(self.transport)
        self.proto.dataReceived(b"Action: Login\r\nUsername: u\r\nSecret: s\r\n\r\n")
        self.sent: list[str] = []
        self._ids = iter(range(1, 10_000))

    def send(self, action: Action, *, timeout_s: float | None = None) -> Deferred[Any]:
        self.transport.clear()
        action = action.with_action_id(f"t{next(self._ids)}")
        self.sent.append(dict(action.headers).get("Command", ""))
        self.proto.dataReceived(action.encode())
        reply = next(
            m
            for m in AmiParser().feed(self.transport.value())
            if isinstance(m, Message) and m.action_id == action.action_id
        )
        return succeed(reply) if reply.response == "Success" else fail(AmiActionFailed(reply))


def catalog() -> PromptCatalog:
    flows, _ = check_directory(EXAMPLES)
    assert flows is not None
    return flows.prompts


def every_file() -> list[str]:
    return [f.path for f in manifest_files(catalog())]


def run_check(ami: SimAmi) -> tuple[PromptInventory, list[Any] | None, list[dict[str, Any]]]:
    inventory = PromptInventory()
    check = PromptCheck(ami, catalog, inventory)
    with capture_logs() as logs:
        result: list[Any] = []
        Deferred.fromCoroutine(check.check()).addCallback(result.append)
    return inventory, result[0], logs


def test_the_answer_format_of_core_show_sound() -> None:
    found = [
        "Indexed Information for en/welcome:",
        "  Language switchboard:",
        "    Format: wav",
        "    Format: sln16",
        "  Language en:",
        "    Description: Welcome",
        "    Format: gsm",
    ]
    assert sound_languages(found) == {"switchboard", "en"}
    assert sound_languages(["ERROR: File en/welcome not found in index"]) == frozenset()
    assert sound_languages(["No such command 'core show sound x'"]) is None
    assert index_key("switchboard/zh_CN/welcome") == ("switchboard", "zh_CN/welcome")
    assert index_key("zh_CN/queue-minutes") == ("zh_cn", "queue-minutes")


def test_missing_files_are_found_logged_and_put_in_the_inventory() -> None:
    gone = {"switchboard/en/welcome", "zh_CN/switchboard-queue-callback-offer"}
    ami = SimAmi(set(every_file()) - gone)
    inventory, missing, logs = run_check(ami)
    assert missing is not None and {f.path for f in missing} == gone
    assert inventory.missing("switchboard/en/welcome") is not None
    assert inventory.missing("switchboard/zh_CN/welcome") is None
    # the ACD's bare name: the other languages still have it, Asterisk falls back to them
    assert inventory.missing("switchboard-queue-callback-offer") is None
    warning = next(e for e in logs if e["event"] == "prompts_missing")
    assert warning["files"] == sorted(gone) and warning["of"] == len(every_file())
    # one question per sound name, in the index's terms
    assert "core show sound en/welcome" in ami.sent
    assert "core show sound switchboard-queue-callback-offer" in ami.sent
    assert len(ami.sent) == len({index_key(p)[1] for p in every_file()})


def test_the_default_simulated_pbx_has_every_prompt() -> None:
    inventory, missing, logs = run_check(SimAmi(None))
    assert missing == [] and inventory.known_missing() == []
    assert any(e["event"] == "prompts_all_present" for e in logs)


class RefusingAmi:
    """An AMI user without the ``command`` privilege."""

    def send(self, action: Action, *, timeout_s: float | None = None) -> Deferred[Any]:
        return fail(
            AmiActionFailed(Message([("Response", "Error"), ("Message", "Permission denied")]))
        )


def test_without_the_command_privilege_nothing_is_concluded() -> None:
    inventory, missing, logs = run_check(RefusingAmi())  # type: ignore[arg-type]
    assert missing is None and inventory.known_missing() == []
    warning = next(e for e in logs if e["event"] == "prompt_check_unavailable")
    assert "Permission denied" in warning["error"] and "command" in warning["fix"]


def test_a_check_asked_for_during_a_check_runs_once_more_after_it() -> None:
    answers: list[Deferred[Any]] = []

    class SlowAmi:
        def send(self, action: Action, *, timeout_s: float | None = None) -> Deferred[Any]:
            answers.append(Deferred())
            return answers[-1]

    check = PromptCheck(SlowAmi(), catalog, PromptInventory())  # type: ignore[arg-type]
    check.request()
    check.request()  # a flows reload while the first check waits for Asterisk
    found = Message(
        [
            ("Response", "Success"),
            ("Output", "Indexed Information for x:"),
            ("Output", "  Language switchboard:"),
        ]
    )
    rounds = 0
    while check.running is not None:
        answers[-1].callback(found)
        rounds += 1
    assert rounds == 2 * len({index_key(p)[1] for p in every_file()})


class ServedAmi(SimAmi):
    """The AMI client's facade that ``build_prompt_check`` uses."""

    def __init__(self, sounds: Iterable[str] | None) -> None:
        super().__init__(sounds)
        self.connected = False
        self.resync: list[Any] = []

    def on_resynced(self, callback: Any) -> Any:
        self.resync.append(callback)
        return lambda: None


def test_serve_checks_after_each_login_and_each_flows_reload(tmp_path: Any) -> None:
    import shutil

    from switchboard.app import build_prompt_check
    from switchboard.ivr_flows.registry import FlowHandlers
    from switchboard.ivr_flows.services import MemoryServices

    flows_dir = tmp_path / "flows"
    shutil.copytree(EXAMPLES, flows_dir)
    ami = ServedAmi(set(every_file()) - {"switchboard/zh_HK/goodbye"})
    inventory = PromptInventory()
    flows = FlowHandlers(flows_dir, Clock(), MemoryServices(), prompts=inventory)
    build_prompt_check(ami, flows, inventory)  # type: ignore[arg-type]
    flows.registry.reload()  # not logged in yet: nothing asked
    assert ami.sent == [] and inventory.known_missing() == []
    ami.connected = True
    for callback in ami.resync:  # what AmiClient does after each (re)login
        callback()
    assert [f.path for f in inventory.known_missing()] == ["switchboard/zh_HK/goodbye"]
    # A reload whose manifest drops the Cantonese 'goodbye' is checked again at once.
    manifest = flows_dir / "_prompts.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("    yue: 多謝你嘅來電，再見。\n", ""),
        encoding="utf-8",
    )
    asked = len(ami.sent)
    assert flows.registry.reload()
    assert len(ami.sent) > asked and inventory.known_missing() == []
