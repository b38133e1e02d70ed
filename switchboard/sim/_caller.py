# -*- test-case-name: tests.sim.test_caller -*-
"""The scripted person on a call's ``;1`` half: what they press, and when.

``switchboard-caller`` (the captured context: ``dtmf``, ``silent``, ``abandon``) runs
on ``;1`` once the IVR answers. On top of it, :class:`ScriptedPerson` plays the
person's script against what they hear: each prompt that starts on ``;2`` is reported
by the AGI command runner (:meth:`ScriptedPerson.heard`), so a press can be timed into
a prompt (``keys`` with ``prompt``), a callback accepted when one is offered, and a
survey answered when it is asked. Digits go over the Local pair as DTMF and reach the
AGI only while a command listens, as in Asterisk.
"""

from __future__ import annotations

import structlog
from twisted.internet.defer import Deferred

from switchboard.sim.channels import Channel
from switchboard.sim.pbx import Hungup, Pbx, run_background
from switchboard.sim.scenario import KeyPress, ScriptedCall

log = structlog.get_logger(__name__)

REACTION_S = 0.5  # how far into an offer (callback, survey) a person presses
DTMF_S, DTMF_GAP_S = 0.1, 0.15  # SendDTMF(...,250): 100 ms tone, then the gap


def prompt_matches(played: str, wanted: str) -> bool:
    """``main-menu`` matches ``switchboard/zh_CN/main-menu`` (and the full name)."""
    return wanted in (played, played.rsplit("/", 1)[-1])


class ScriptedPerson:
    """One caller's script, played on ``one`` (their ``;1``) against what they hear."""

    def __init__(self, pbx: Pbx, one: Channel, script: ScriptedCall) -> None:
        self.pbx, self.one, self.script = pbx, one, script
        self.answered_at: float | None = None
        self._heard: list[tuple[float, str]] = []  # (simulated time, prompt) in order
        self._mark = 0  # prompts from here on were started after the last press
        self._waiting: tuple[str, Deferred[float]] | None = None
        self._offered_callback = False
        self._rated = False

    # -- reactions ---------------------------------------------------------------------
    def start(self) -> None:
        """The call was answered: start the timed key presses."""
        self.answered_at = self.pbx.now()
        if self.script.keys:
            run_background(Deferred.fromCoroutine(self._keys(self.script.keys)), "caller_keys")

    def heard(self, prompt: str) -> None:
        """A prompt started playing to this caller."""
        now = self.pbx.now()
        self._heard.append((now, prompt))
        if self._waiting is not None and prompt_matches(prompt, self._waiting[0]):
            waiter, self._waiting = self._waiting[1], None
            waiter.callback(now)
        name = prompt.rsplit("/", 1)[-1]
        s = self.script
        since = now - (self.answered_at if self.answered_at is not None else now)
        offered = s.callback and s.callback_prompt in name and since >= s.callback_after_s
        if offered and not self._offered_callback:
            self._offered_callback = True
            self._later(REACTION_S, s.callback_digit, "callback")
        if s.csat is not None and not self._rated and s.csat_prompt in name:
            self._rated = True
            self._later(REACTION_S, str(s.csat), "csat")

    def talk_ended(self) -> None:
        """The agent hung up and the caller stays on (ACD): rate the call 2 s later."""
        if self.script.csat is not None and not self._rated:
            self._rated = True
            self._later(2.0, str(self.script.csat), "csat")

    def gone(self) -> None:
        if self._waiting is not None:
            waiter, self._waiting = self._waiting[1], None
            waiter.errback(Hungup(self.one.name))

    # -- pressing ----------------------------------------------------------------------
    def _later(self, seconds: float, digits: str, why: str) -> None:
        async def press() -> None:
            await self.pbx.sleep(seconds, self.one)
            await self.press(digits)

        run_background(Deferred.fromCoroutine(press()), f"caller_{why}")

    async def press(self, digits: str) -> None:
        """``SendDTMF`` on ``;1``: ``;2`` receives each digit (the AGI, if it listens)."""
        pbx, target = self.pbx, self.one.peer
        for digit in digits:
            if target is None or target.hung_up:
                return
            pbx.ev("DTMFBegin", target, Digit=digit, Direction="Received")
            await pbx.sleep(DTMF_S, self.one)
            pbx.ev("DTMFEnd", target, Digit=digit, DurationMs=100, Direction="Received")
            self._mark = len(self._heard)  # what the flow plays next reacts to this key
            listener = pbx.dtmf_listeners.get(target)
            if listener is not None:
                listener(digit)
            await pbx.sleep(DTMF_GAP_S, self.one)

    async def _keys(self, keys: tuple[KeyPress, ...]) -> None:
        try:
            for key in keys:
                await self.pbx.sleep(await self._delay(key), self.one)
                log.debug("sim_caller_pressed", number=self.script.number, digits=key.digits)
                await self.press(key.digits)
        except Hungup:
            pass

    async def _delay(self, key: KeyPress) -> float:
        """Seconds from now until ``key`` is due (waiting for its prompt if it has one)."""
        now = self.pbx.now()
        if not key.prompt:
            return (self.answered_at or now) + key.after_s - now
        started = next(
            (t for t, p in self._heard[self._mark :] if prompt_matches(p, key.prompt)), None
        )
        if started is None:
            waiter: Deferred[float] = Deferred()
            self._waiting = (key.prompt, waiter)
            started = await waiter
        return started + key.after_s - self.pbx.now()


class Callers:
    """``switchboard-caller`` on ``;1`` and the people behind the calls."""

    def __init__(self, pbx: Pbx) -> None:
        self.pbx = pbx
        self.people: dict[Channel, ScriptedPerson] = {}  # by the caller's ;1

    def add_person(self, one: Channel, script: ScriptedCall) -> None:
        person = self.people[one] = ScriptedPerson(self.pbx, one, script)

        def gone(_chan: Channel) -> None:
            self.people.pop(one, None)
            person.gone()

        self.pbx.on_hangup(one, gone)

    def person_of(self, two: Channel) -> ScriptedPerson | None:
        """The scripted person calling on ``two`` (the inbound ``;2``), if any."""
        return self.people.get(two.peer) if two.peer is not None else None

    def prompt_started(self, two: Channel, prompt: str) -> None:
        person = self.person_of(two)
        if person is not None:
            person.heard(prompt)

    async def run(self, one: Channel) -> None:
        """``switchboard-caller,<exten>`` on the answered ``;1``."""
        pbx, v = self.pbx, one.variables
        person = self.people.get(one)
        if person is not None:
            person.start()
        try:
            if one.exten == "dtmf":
                first, delay = v.get("CALLER_DIGITS", ""), v.get("CALLER_DTMF_DELAY", "1")
                pbx.newexten(one, "NoOp", f"CALLER will press {first} after {delay}s", 1)
                pbx.newexten(one, "Wait", delay, 2)
                await pbx.sleep(float(delay), one)
                pbx.newexten(one, "SendDTMF", f"{first},250", 3)
                await pbx.send_dtmf(one, first)
                second, delay2 = v.get("CALLER_DIGITS2", ""), v.get("CALLER_DTMF_DELAY2", "")
                on = 1 if second else 0
                pbx.newexten(one, "ExecIf", f"{on}?Wait({delay2})", 4)
                if second:
                    await pbx.sleep(float(delay2 or 0), one)
                pbx.newexten(one, "ExecIf", f"{on}?SendDTMF({second},250)", 5)
                if second:
                    await pbx.send_dtmf(one, second)
                pbx.newexten(one, "Wait", "600", 6)
                await pbx.sleep(600, one)
            elif one.exten == "abandon":
                after = v.get("CALLER_ABANDON_AFTER", "2")
                pbx.newexten(one, "NoOp", f"CALLER will abandon after {after}s", 1)
                pbx.newexten(one, "Wait", after, 2)
                await pbx.sleep(float(after), one)
                self.abandon(one)
                return
            else:
                pbx.newexten(one, "NoOp", "CALLER silent", 1)
                pbx.newexten(one, "Wait", "600", 2)
                await pbx.sleep(600, one)
        except Hungup:
            pass
        if not one.hung_up:
            pbx.soft_hangup_request(one)
            if pbx.shutting_down:  # ami-reconnect: the other half is asked to go, Cause 0
                if one.peer is not None and not one.peer.hung_up:
                    pbx.hangup_request(one.peer, 0)
                pbx.destroy(one, 0)
            else:
                pbx.destroy(one)
            pbx.cdr(one)

    def abandon(self, one: Channel) -> None:
        """``switchboard-caller,abandon``'s hang-up on ``;1``."""
        pbx = self.pbx
        if one.hung_up or one.soft_hangup:
            return
        pbx.cdr(one)
        pbx.newexten(one, "Hangup", "", 3)
        pbx.soft_hangup_request(one)
        if one.peer and not one.peer.hung_up:
            pbx.hangup_request(one.peer)
        pbx.destroy(one)

    def hang_up_after(self, two: Channel, seconds: float) -> None:
        """The caller (``;1``) hangs up ``seconds`` from now (agent ``hangs_up: caller``)."""
        one = two.peer

        async def hang_up() -> None:
            if one is None:
                return
            await self.pbx.sleep(seconds, one)
            self.abandon(one)

        run_background(Deferred.fromCoroutine(hang_up()), "caller_hangs_up")

    def after_talk(self, two: Channel) -> None:
        """The agent hung up and the caller is still here: a CSAT rating, if scripted."""
        person = self.person_of(two)
        if person is not None:
            person.talk_ended()
