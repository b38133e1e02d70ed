"""Process AGI waits on the reactor's clock, never by blocking the process."""

# test-case-name: tests.unit.test_agi_process_session

from __future__ import annotations

import io
import os

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.cti.agi.errors import AgiHangup
from switchboard.cti.agi.process import ProcessSession, fastagi_view
from switchboard.testing.agi import env_block


def _session(clock: Clock) -> ProcessSession:
    from asterisk.agi import AGI

    with open(os.devnull, "w") as quiet:
        agi = AGI(stdin=io.BytesIO(env_block("main-menu")), stdout=io.StringIO(), stderr=quiet)
    return ProcessSession(agi, "main-menu", clock)


def test_sleep_waits_on_the_clock_and_a_hangup_ends_it() -> None:
    clock = Clock()
    session = _session(clock)
    done = Deferred.fromCoroutine(session.sleep(1.0))
    assert not done.called  # returned at once: nothing blocked
    clock.advance(0.5)
    assert not done.called
    clock.advance(0.5)
    assert done.called

    ended: list[object] = []
    Deferred.fromCoroutine(session.sleep(10.0)).addErrback(ended.append)
    session._agi._got_sighup = True  # pyst2's SIGHUP handler
    clock.advance(0.1)
    assert len(ended) == 1 and ended[0].check(AgiHangup)  # type: ignore[attr-defined]


def test_the_script_name_is_not_an_argument() -> None:
    env = {
        "agi_request": "/usr/bin/switchboard-agi",
        "agi_arg_1": "main-menu",
        "agi_arg_2": "5571001",
        "agi_arg_3": "en",
    }
    view = fastagi_view(env, "main-menu")
    assert view.args == ("5571001", "en") and view.script == "main-menu"
    assert view.get("arg_1") == "5571001" and view.get("arg_3") == ""
