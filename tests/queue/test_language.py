# -*- test-case-name: tests.queue.test_language -*-
"""The caller's language is a preference per queue: agents who speak it first, then, after
the queue's ``language_wait_s`` (at once when nobody in the queue speaks it), any agent;
``language_match: strict`` keeps the old rule. Silent callers default to Mandarin, so an
English-only queue must still serve them."""

from __future__ import annotations

from pathlib import Path

from switchboard.queue.config.queue_file import check_queue_config
from switchboard.queue.core.events import (
    AgentLoggedIn,
    AgentReady,
    CallArrived,
    CallEnded,
    OfferAnswered,
    OfferNotAnswered,
)
from switchboard.queue.core.model import LanguageMatch, Queue, Strategy
from tests.queue.helpers import Harness, agent, call
from tests.queue.test_hold import QUIET, site
from tests.queue.test_router import offers


def test_an_english_only_queue_serves_a_mandarin_caller_at_once() -> None:
    h = Harness.of([Queue("support")], [agent("en1", ("support",), ("en",))])
    h.send(AgentLoggedIn("en1", ready=True))
    h.send(CallArrived(call("c1", "support", language="cmn")))
    assert offers(h) == [("c1", "en1")]


def test_a_speaker_of_the_language_is_offered_first_even_if_idle_for_less() -> None:
    h = Harness.of(
        [Queue("support", strategy=Strategy.LONGEST_IDLE)],
        [agent("en1", ("support",), ("en",)), agent("zh1", ("support",), ("cmn",))],
    )
    h.send(AgentLoggedIn("en1", ready=True))
    h.advance(60)  # en1 has been idle far longer
    h.send(AgentLoggedIn("zh1", ready=True))
    h.send(CallArrived(call("c1", "support", language="cmn")))
    assert offers(h) == [("c1", "zh1")]


def test_the_caller_waits_for_a_speaker_then_takes_anyone() -> None:
    h = Harness.of(
        [Queue("support", language_wait_s=20)],
        [agent("en1", ("support",), ("en",)), agent("zh1", ("support",), ("cmn",))],
    )
    h.send(AgentLoggedIn("en1", ready=True), AgentLoggedIn("zh1", ready=False))
    h.send(CallArrived(call("c1", "support", language="cmn")))
    assert offers(h) == []  # zh1 is in the queue, only not ready yet
    assert offers_after(h, 19.9) == []
    assert offers_after(h, 0.1) == [("c1", "en1")]


def test_a_speaker_who_becomes_ready_within_the_wait_takes_the_call() -> None:
    h = Harness.of(
        [Queue("support", language_wait_s=20)],
        [agent("en1", ("support",), ("en",)), agent("zh1", ("support",), ("cmn",))],
    )
    h.send(AgentLoggedIn("en1", ready=True), AgentLoggedIn("zh1", ready=False))
    h.send(CallArrived(call("c1", "support", language="cmn")))
    h.advance(5)
    h.send(AgentReady("zh1"))
    assert offers(h) == [("c1", "zh1")]
    h.send(OfferAnswered("c1", "zh1"))
    h.advance(30)  # the language deadline passes harmlessly
    assert offers(h) == []
    h.send(CallEnded("c1"))


def test_a_missed_offer_does_not_restart_the_wait() -> None:
    h = Harness.of(
        [Queue("support", language_wait_s=20, ring_timeout_s=10)],
        [agent("en1", ("support",), ("en",)), agent("zh1", ("support",), ("cmn",))],
    )
    h.send(AgentLoggedIn("zh1", ready=True))
    h.send(CallArrived(call("c1", "support", language="cmn")))
    assert offers(h) == [("c1", "zh1")]
    h.advance(8)
    h.send(OfferNotAnswered("c1", "zh1", "NOANSWER"))  # zh1 not at the desk
    h.send(AgentLoggedIn("en1", ready=True))
    assert offers(h) == []
    assert offers_after(h, 12) == [("c1", "en1")]  # 20 s after joining, not after the miss


def test_strict_matching_never_offers_another_language() -> None:
    h = Harness.of(
        [Queue("support", language_match=LanguageMatch.STRICT)],
        [agent("en1", ("support",), ("en",))],
    )
    h.send(AgentLoggedIn("en1", ready=True))
    h.send(CallArrived(call("c1", "support", language="cmn")))
    assert offers_after(h, 3600) == []
    assert h.router.calls["c1"].phase.value == "waiting"


def test_no_wait_means_any_agent_at_once() -> None:
    h = Harness.of(
        [Queue("support", language_wait_s=0)],
        [agent("en1", ("support",), ("en",)), agent("zh1", ("support",), ("cmn",))],
    )
    h.send(AgentLoggedIn("en1", ready=True))
    h.send(CallArrived(call("c1", "support", language="cmn")))
    assert offers(h) == [("c1", "en1")]


def offers_after(h: Harness, seconds: float) -> list[tuple[str, str]]:
    h.advance(seconds)
    return offers(h)


def test_a_held_mandarin_caller_reaches_an_english_agent() -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1", languages=("en",))])
    s.acd.log_in("a1", ready=True)
    ch = s.channel()
    s.hold(ch, language="cmn")
    assert any(line.startswith("EXEC Dial PJSIP/a1,") for line in ch.sent)
    ch.hang_up()
    s.close()


def test_the_queue_file_sets_the_rule(tmp_path: Path) -> None:
    path = tmp_path / "queues.yaml"
    path.write_text(
        "queues:\n  zh: {language_match: strict}\n"
        "  en: {language_wait_s: 0}\n  x: {language_match: maybe}\n"
    )
    config, problems = check_queue_config(path)
    assert config is None
    (problem,) = problems
    assert (problem.line, problem.key) == (4, "queues.x.language_match")
    assert problem.fix == "use one of: 'prefer' or 'strict'"
    path.write_text("queues:\n  zh: {language_match: strict}\n  en: {language_wait_s: 0}\n")
    config, _ = check_queue_config(path)
    assert config is not None
    en, zh = config.queues
    assert (zh.language_match, zh.language_wait_s) == (LanguageMatch.STRICT, 15.0)
    assert (en.language_match, en.language_wait_s) == (LanguageMatch.PREFER, 0.0)
