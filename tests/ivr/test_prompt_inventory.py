# -*- test-case-name: tests.ivr.test_prompt_inventory -*-
"""A prompt the PBX is known to lack is never sent; the flow goes on as if it had played.

Asterisk answers a ``STREAM FILE`` of a missing file with ``result=-1`` and ends the session
with ``AGISTATUS=FAILURE``; ``GET DATA`` with a missing prompt returns at once with no
digits (capture ``agi-failures``). So neither is sent for a file known to be missing.
"""

from __future__ import annotations

from structlog.testing import capture_logs

from switchboard.cti.agi.server import AgiServerFactory
from switchboard.cti.agi.session import SessionOptions
from switchboard.ivr_flows.registry import FlowHandlers
from switchboard.prompts.files import PromptFile
from switchboard.prompts.inventory import PromptInventory
from tests.ivr.helpers import EXAMPLES
from tests.ivr.test_runner import Harness


def harness(*missing: PromptFile) -> tuple[Harness, PromptInventory]:
    inventory = PromptInventory()
    inventory.replace(missing)
    h = Harness(EXAMPLES)
    h.handlers = FlowHandlers(EXAMPLES, h.clock, h.services, prompts=inventory)
    h.factory = AgiServerFactory(h.handlers, h.clock, SessionOptions())
    return h, inventory


def file(path: str) -> PromptFile:
    name = path.rsplit("/", 1)[-1]
    return PromptFile(name, "en", path)


def test_a_missing_stream_file_prompt_is_skipped_and_logged_once() -> None:
    h, _ = harness(file("switchboard/en/welcome"))
    with capture_logs() as logs:
        first = h.call("main-menu", ["3", "2"])  # English, then support
        second = h.call("main-menu", ["3", "2"])
    for caller in (first, second):
        played = [w[2] for w in caller.commands if w[:2] == ["STREAM", "FILE"]]
        assert "switchboard/en/welcome" not in played
        assert played[:2] == ["switchboard/en/choose-language", "switchboard/en/main-menu"]
        assert caller.variables["SWITCHBOARD_QUEUE"] == "support"
    skipped = [e for e in logs if e["event"] == "prompt_missing_skipped"]
    assert [(e["file"], e["prompt"], e["language"]) for e in skipped] == [
        ("switchboard/en/welcome", "welcome", "en")
    ]


def test_get_data_with_a_missing_prompt_collects_digits_over_silence() -> None:
    h, _ = harness(file("switchboard/en/enter-account"))
    caller = h.call("main-menu", ["3", "1", "4111111111111111#", "-", "-", "-"])
    get_data = [w for w in caller.commands if w[:2] == ["GET", "DATA"]]
    assert get_data[0][2:] == ["silence/1", "6000", "19"]
    assert "4111111111111111" in h.services.sessions[-1].digits


def test_nothing_known_means_everything_is_sent_and_a_new_check_replaces_the_old() -> None:
    inventory = PromptInventory()
    assert inventory.missing("switchboard/en/welcome") is None
    inventory.replace([file("switchboard/en/welcome")])
    assert inventory.missing("SWITCHBOARD/en/Welcome") is not None  # Asterisk ignores case
    inventory.replace([])
    assert inventory.missing("switchboard/en/welcome") is None


def test_an_acd_prompt_is_skipped_only_when_no_language_has_it() -> None:
    # The ACD plays bare names; Asterisk falls back to another language folder (en).
    offer = "switchboard-queue-callback-offer"
    zh = PromptFile(offer, "cmn", f"zh_CN/{offer}", acd=True)
    en = PromptFile(offer, "en", f"en/{offer}", acd=True)
    inventory = PromptInventory()
    inventory.replace([zh])
    assert inventory.missing(offer) is None
    inventory.replace([zh, en], acd_everywhere=[offer])
    assert inventory.missing(offer) is not None  # no folder has it: nothing to fall back on


def test_the_acd_behind_the_flow_gets_the_guarded_channel() -> None:
    """The ACD's hold receives the flow's channel, so its prompts are guarded too."""
    from twisted.internet.defer import Deferred

    from switchboard.cti.agi.channel import Playback

    played: list[str] = []

    class Channel:
        env = "the env"

        async def stream_file(self, file: str, escape_digits: str = "") -> Playback:
            played.append(file)
            return Playback("1", 800)

    offer = "switchboard-queue-callback-offer"
    inventory = PromptInventory()
    inventory.replace([PromptFile(offer, "en", f"en/{offer}", acd=True)], acd_everywhere=[offer])
    guarded = inventory.guard(Channel())  # type: ignore[arg-type]
    results: list[Playback] = []
    Deferred.fromCoroutine(guarded.stream_file(offer, "1")).addCallback(results.append)
    Deferred.fromCoroutine(guarded.stream_file("queue-thankyou")).addCallback(results.append)
    assert played == ["queue-thankyou"] and guarded.env == "the env"
    assert results == [Playback(None, 0), Playback("1", 800)]
