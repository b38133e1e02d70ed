# -*- test-case-name: tests.sim.test_agi -*-
"""Answers to FastAGI commands, as Asterisk 22 gives them, in simulated time."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING

import structlog
from twisted.internet.defer import Deferred

from switchboard.cti.agi.wire import parse_command_line
from switchboard.sim.channels import UP, Channel
from switchboard.sim.pbx import Hungup, Pbx, fire_once

if TYPE_CHECKING:
    from random import Random

log = structlog.get_logger(__name__)
DEAD = "511 Command Not Permitted on a dead channel or intercept routine"
UNKNOWN = "510 Invalid or unknown command"
# Our own words: the real usage text is Asterisk's documentation and is not copied.
USAGE = (
    "520-Invalid command syntax.  Proper usage follows:\n"
    "(switchboard simulator) This command needs more arguments; see the Asterisk AGI docs.\n"
    "520 End of proper usage."
)
SAMPLE_RATE = 8000
# Prompt lengths in seconds; unknown prompts last DEFAULT_PROMPT_S.
PROMPTS: dict[str, float] = {"tt-monkeysintro": 21448 / SAMPLE_RATE, "beep": 3404 / SAMPLE_RATE}
DEFAULT_PROMPT_S = 1.592
SAY_DIGIT_S = 0.6
_ALIVE_ONLY = {"ANSWER", "STREAM", "GET DATA", "WAIT", "SAY", "CHANNEL", "CONTROL", "RECORD"}
_VAR = re.compile(r"\$\{([^}]*)\}")

# (app args) -> reply code text; EXEC handlers live in the dialplan layer.
ExecHandler = Callable[[Channel, str], Awaitable[int]]


class CommandRunner:
    """Runs one AGI session's commands against one channel (the call's ``;2``)."""

    def __init__(
        self,
        pbx: Pbx,
        chan: Channel,
        rng: Random,
        exec_app: ExecHandler,
        on_answer: Callable[[], None] | None = None,
    ) -> None:
        self.pbx = pbx
        self.on_answer = on_answer
        self.chan = chan
        self.rng = rng
        self.exec_app = exec_app
        self._hangup_cbs: list[Callable[[], None]] = []
        self._digit_waiter: Deferred[str] | None = None
        self.redirected = False
        self.failed = False  # a command failed on a live channel: AGISTATUS=FAILURE
        # Told the name of each prompt as it starts (the scripted caller listens).
        self.on_prompt: Callable[[str], None] | None = None
        pbx.on_hangup(chan, self._gone)
        pbx.dtmf_listeners[chan] = self._digit

    @property
    def dead(self) -> bool:
        return self.chan.soft_hangup or self.chan.hung_up or self.redirected

    def leave_for_redirect(self) -> None:
        """An AMI Redirect pulls the channel out of the AGI: to the session, a hang-up
        (the running command ends with ``-1``, ``HANGUP`` follows, media gets ``511``)."""
        if not self.dead:
            self.redirected = True
            self._gone(self.chan)

    def on_hangup(self, cb: Callable[[], None]) -> None:
        self._hangup_cbs.append(cb)

    def _gone(self, _chan: Channel) -> None:
        if self.chan.moh:  # music on hold stops by itself at the hang-up
            self.chan.moh = False
            self.pbx.ev("MusicOnHoldStop", self.chan)
        if self._digit_waiter is not None and not self._digit_waiter.called:
            self._digit_waiter.errback(Hungup(self.chan.name))
        for cb in self._hangup_cbs:
            cb()

    def _digit(self, digit: str) -> None:
        # Digits pressed while no command listens are dropped, as Asterisk does.
        waiter, self._digit_waiter = self._digit_waiter, None
        if waiter is not None and not waiter.called:
            waiter.callback(digit)

    async def _listen(self, seconds: float, escape: str) -> str | None:
        """Wait up to ``seconds`` for a digit in ``escape``; ``None`` on timeout."""
        deadline = self.pbx.now() + seconds
        while True:
            left = deadline - self.pbx.now()
            if left <= 1e-9:
                return None
            waiter: Deferred[str] = Deferred()
            self._digit_waiter = waiter
            timer = self.pbx.call_later(left, partial(fire_once, waiter, ""))
            try:
                digit = await waiter
            finally:
                if timer.active():  # type: ignore[attr-defined]
                    timer.cancel()  # type: ignore[attr-defined]
                self._digit_waiter = None
            if not digit:
                return None
            if digit in escape:
                return digit

    # -- dispatch ----------------------------------------------------------------------
    async def run(self, line: str) -> str:
        words = parse_command_line(line)
        command_id = self.rng.randrange(100_000_000, 999_999_999)
        self.pbx.ev("AGIExecStart", self.chan, CommandId=command_id, Command=line)
        reply = await self._dispatch(
            [w.upper() if i < 3 else w for i, w in enumerate(words)], words
        )
        code = reply[:3]
        if code == "200" and " result=-1" in reply and words[0].upper() == "STREAM":
            end_code, text = "-1", "Failure"
            # res_agi.c run_agi(): a command answered RESULT_FAILURE while the channel is
            # still up makes the whole session end AGISTATUS=FAILURE, whatever follows.
            self.failed = self.failed or not self.dead
        elif code == "200":
            end_code = "200"
            failed = words[0].upper() == "EXEC" and not reply.endswith(" result=0")
            text = "Unknown Result" if failed else "Success"
        else:
            end_code = code
            text = {"510": "Invalid or unknown command", "520": "Usage"}.get(code, DEAD[4:])
        self.pbx.ev(
            "AGIExecEnd",
            self.chan,
            CommandId=command_id,
            Command=line,
            ResultCode=end_code,
            Result=text,
        )
        return reply

    async def _dispatch(self, up: list[str], words: list[str]) -> str:
        head = " ".join(up[:2])
        verb = up[0] if up else ""
        if self.dead and (verb in _ALIVE_ONLY or head in _ALIVE_ONLY):
            return DEAD
        try:
            if verb == "ANSWER":
                if self.on_answer is not None and self.chan.state != UP:
                    self.on_answer()
                self.pbx.set_state(self.chan, UP)
                return "200 result=0"
            if verb == "VERBOSE":
                return "200 result=1"
            if verb == "NOOP":
                return "200 result=0"
            if head == "CHANNEL STATUS":
                return f"200 result={self.chan.state}"
            if head == "STREAM FILE":
                return await self._stream(words[2:]) if len(words) >= 4 else USAGE
            if head == "GET DATA":
                return await self._get_data(words[2:]) if len(words) >= 3 else USAGE
            if head == "WAIT FOR" and len(up) >= 3 and up[2] == "DIGIT":
                return await self._wait_digit(words[3:]) if len(words) >= 4 else USAGE
            if head == "SAY DIGITS":
                return await self._say_digits(words[2:]) if len(words) >= 4 else USAGE
            if head in ("SAY NUMBER", "SAY DATE", "SAY TIME", "SAY DATETIME", "SAY ALPHA"):
                return await self._say_words(up[1], words[2:]) if len(words) >= 4 else USAGE
            if head == "SET VARIABLE":
                if len(words) < 4:
                    return USAGE
                self.pbx.setvar(self.chan, words[2], words[3])
                return "200 result=1"
            if head == "GET VARIABLE":
                value = self._variable(words[2]) if len(words) >= 3 else None
                return "200 result=0" if value is None else f"200 result=1 ({value})"
            if head == "GET FULL":
                return self._full_variable(words[3] if len(words) >= 4 else "")
            if verb == "DATABASE":
                return self._database(up, words)
            if verb == "EXEC":
                if len(words) < 2:
                    return USAGE
                result = await self.exec_app(self.chan, " ".join(words[1:]))
                return f"200 result={result}"
            if verb == "HANGUP":
                self.pbx.soft_hangup_request(self.chan)
                return "200 result=1"
        except Hungup:
            return "200 result=-1"
        return UNKNOWN

    # -- media -------------------------------------------------------------------------
    async def _stream(self, args: list[str]) -> str:
        name, escape = args[0], args[1] if len(args) > 1 else ""
        if not self.sound_exists(name):  # no PLAYBACKSTATUS, answered at once
            return "200 result=-1 endpos=0"
        length = PROMPTS.get(name, DEFAULT_PROMPT_S)
        start = self.pbx.now()
        self._heard(name)
        try:
            digit = await self._listen(length, escape)
        except Hungup:
            endpos = int((self.pbx.now() - start) * SAMPLE_RATE)
            self.pbx.setvar(self.chan, "PLAYBACKSTATUS", "FAILED")
            return f"200 result=-1 endpos={endpos}"
        endpos = int(min(length, self.pbx.now() - start) * SAMPLE_RATE)
        if digit is None:
            self.pbx.setvar(self.chan, "PLAYBACKSTATUS", "SUCCESS")
            return f"200 result=0 endpos={endpos}"
        self.pbx.setvar(self.chan, "PLAYBACKSTATUS", "FAILED")
        return f"200 result={ord(digit)} endpos={endpos}"

    def sound_exists(self, name: str) -> bool:
        if self.pbx.config.has_sound(name, self.chan.language):
            return True
        log.warning("sim_sound_missing", file=name, language=self.chan.language)
        return False

    def _heard(self, prompt: str) -> None:
        if self.on_prompt is not None:
            self.on_prompt(prompt)

    async def _get_data(self, args: list[str]) -> str:
        prompt = args[0]
        timeout_s = int(args[1]) / 1000 if len(args) > 1 and args[1].isdigit() else 6.0
        max_digits = int(args[2]) if len(args) > 2 and args[2].isdigit() else 1024
        digits = ""
        if not self.sound_exists(prompt):  # at once, no digits collected
            return "200 result=-1"
        self._heard(prompt)
        first = await self._listen(PROMPTS.get(prompt, DEFAULT_PROMPT_S), "0123456789*#")
        while True:
            digit = first or await self._listen(timeout_s, "0123456789*#")
            first = None
            if digit is None:
                return f"200 result={digits} (timeout)"
            if digit == "#":
                return f"200 result={digits}"
            digits += digit
            if len(digits) >= max_digits:
                return f"200 result={digits}"

    async def _wait_digit(self, args: list[str]) -> str:
        ms = int(args[0]) if args[0].lstrip("-").isdigit() else 0
        digit = await self._listen(ms / 1000 if ms >= 0 else 3600.0, "0123456789*#ABCD")
        return f"200 result={ord(digit) if digit else 0}"

    async def _say_digits(self, args: list[str]) -> str:
        escape = args[1] if len(args) > 1 else ""
        digit = await self._listen(SAY_DIGIT_S * len(args[0]), escape)
        return f"200 result={ord(digit) if digit else 0}"

    async def _say_words(self, kind: str, args: list[str]) -> str:
        """SAY NUMBER / DATE / TIME / DATETIME / ALPHA: spoken for about as long as it takes."""
        if kind in ("NUMBER", "DATE", "TIME", "DATETIME") and not args[0].lstrip("-").isdigit():
            return USAGE  # Asterisk answers a value it cannot read as a number with its usage
        words = {"DATE": 4, "TIME": 3, "DATETIME": 7}.get(kind, len(args[0]))
        digit = await self._listen(SAY_DIGIT_S * words, args[1])
        return f"200 result={ord(digit) if digit else 0}"

    # -- data --------------------------------------------------------------------------
    def _variable(self, name: str) -> str | None:
        """res_agi reads a name ending in ``)`` through the function, others as variables."""
        if name.endswith(")"):
            return self.pbx.read_function(self.chan, name)
        return self.pbx.read_function(self.chan, name) or self.pbx.getvar(self.chan, name)

    def _full_variable(self, expr: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            return self._variable(name) or ""

        return f"200 result=1 ({_VAR.sub(value, expr)})"

    def _database(self, up: list[str], words: list[str]) -> str:
        op = up[1] if len(up) > 1 else ""
        if op == "PUT" and len(words) >= 5:
            self.pbx.astdb[(words[2], words[3])] = words[4]
            return "200 result=1"
        if op == "GET" and len(words) >= 4:
            value = self.pbx.astdb.get((words[2], words[3]))
            return "200 result=0" if value is None else f"200 result=1 ({value})"
        if op in ("DEL", "DELTREE") and len(words) >= 3:
            found = self.pbx.astdb.pop((words[2], words[3] if len(words) > 3 else ""), None)
            return f"200 result={1 if found is not None else 0}"
        return USAGE
