# -*- test-case-name: tests.integration.test_wait_language -*-
"""A caller waits in the language they chose, whoever routes the call.

The line says "en" (Asterisk's default for every channel); a caller who presses 2 for
Cantonese in the example menu must then hear the queue's announcements and hold messages,
which Asterisk and the ACD look up in the channel's language, in Cantonese: the IVR's
queue step switches ``CHANNEL(language)`` to the chosen language's sounds folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.queue.core.decisions import CallQueued
from switchboard.sim.scenario import KeyPress, ScriptedCall
from tests.example_site import one_agent_site

OPERATOR = KeyPress("0", 0.5, "main-menu")  # the example menu's 0: the sales queue
CALLERS = {"5550201": "1", "5550202": "2", "5550203": "3"}  # Mandarin, Cantonese, English
EXPECTED = {"5550201": "zh_CN", "5550202": "zh_HK", "5550203": "en"}


def _waiting_languages(work: Path, routing: str) -> dict[str, set[str]]:
    """Each caller's channel languages once all three are queued (in the ACD nobody is
    logged in; app_queue's static member may be talking to one of them: its channel is
    still the caller's)."""
    run = one_agent_site(work, routing)
    for number, key in CALLERS.items():
        run.site.pbx.place(
            ScriptedCall(
                at_s=0.0,
                number=number,
                name=f"Caller {number}",
                keys=(KeyPress(key, 0.5, "choose-language"), OPERATOR),
                behaviour="abandon",
                abandon_after_s=40.0,
            )
        )
    run.until(
        lambda: sum(isinstance(f, CallQueued) for f in run.facts) == len(CALLERS),
        "every caller queued",
    )
    languages: dict[str, set[str]] = {number: set() for number in CALLERS}
    for chan in run.site.pbx.pbx.channels.values():
        if chan.variables.get("SWITCHBOARD_QUEUE") and chan.caller_num in languages:
            languages[chan.caller_num].add(chan.language)
    run.stop()
    return languages


@pytest.mark.parametrize("routing", ["switchboard", "app_queue"])
def test_a_caller_waits_in_the_language_they_chose(tmp_path: Path, routing: str) -> None:
    languages = _waiting_languages(tmp_path / routing, routing)
    assert languages == {number: {folder} for number, folder in EXPECTED.items()}, routing
