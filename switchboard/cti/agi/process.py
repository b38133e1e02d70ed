# -*- test-case-name: tests.integration.test_agi_process -*-
"""Process-AGI mode: run a registered handler over stdin/stdout through pyst2's ``AGI``.

For sites that run ``AGI(/path/to/switchboard-agi,main-menu)`` instead of FastAGI.
pyst2 reads the environment, installs its SIGHUP handler and writes the commands; the
replies are classified by our own codec, so a handler behaves exactly as under FastAGI:
same bytes, same values, same named errors. Differences that remain are Asterisk's:
process AGI reports a hangup with SIGHUP (pyst2 records it) rather than a ``HANGUP`` line,
and the script name comes from the command line rather than ``agi_network_script``.

Arguments: ``AGI(switchboard-agi,main-menu,${CALLERID(num)})`` sends ``agi_arg_1:
main-menu``, ``agi_arg_2: <number>``; FastAGI's ``AGI(agi://host/main-menu,${CALLERID(num)})``
sends the number as ``agi_arg_1``. :func:`fastagi_view` drops the script name, so a flow
sees the same ``agi_arg_N`` either way (``res_agi.c``, ``setup_env``: ``agi_arg_%d`` for
every dialplan argument after the first).

stdout is the AGI channel: nothing else may write to it (see :func:`run_process_agi`).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Mapping
from typing import IO, Any

import structlog
from asterisk.agi import AGI
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import deferLater

from switchboard.cti.agi._runner import start_handler
from switchboard.cti.agi.channel import Handler
from switchboard.cti.agi.errors import (
    AgiConnectionLost,
    AgiHangup,
    AgiProtocolError,
    error_for_reply,
)
from switchboard.cti.agi.helpers import TypedCommands
from switchboard.cti.agi.wire import (
    AgiEnvironment,
    AgiParser,
    Arg,
    HangupNotice,
    LineTooLong,
    MalformedLine,
    Reply,
    format_command,
)

__all__ = ["ProcessSession", "fastagi_view", "run_process_agi"]

logger = structlog.get_logger(__name__)
_SLEEP_STEP_S = 0.1
_SETTLE_S = 0.2  # SIGHUP follows a -1 within milliseconds when the caller left


class ProcessSession(TypedCommands):
    """:class:`~switchboard.cti.agi.channel.AgiChannel` over one pyst2 ``AGI`` object."""

    def __init__(
        self,
        agi: AGI,
        script: str,
        clock: IReactorTime,
        max_line_bytes: int = 65_536,
        after_first_command: Callable[[], object] | None = None,
    ) -> None:
        self._agi = agi
        self._clock = clock
        self._after_first_command = after_first_command
        self._env = fastagi_view(agi.env, script)
        self._parser = AgiParser(max_line_bytes, expect_env=False)
        self._hangup_line = False
        self.log = logger.bind(
            channel=self._env.channel,
            uniqueid=self._env.uniqueid,
            call_id=self._env.uniqueid,
            script=script,
        )

    @property
    def env(self) -> AgiEnvironment:
        return self._env

    @property
    def caller_gone(self) -> bool:
        return bool(self._agi._got_sighup) or self._hangup_line

    async def command(self, verb: str, *args: Arg) -> Reply:
        line = format_command(verb, *args).decode("utf-8")
        try:
            self._agi.send_command(line.removesuffix("\n"))
        except BrokenPipeError:
            raise AgiConnectionLost("stdout closed") from None
        if self._after_first_command is not None:
            warm_up, self._after_first_command = self._after_first_command, None
            warm_up()  # while Asterisk carries the command out
        reply = self._read_reply()
        if reply.code == 200:
            return reply
        raise error_for_reply(reply)

    def _read_reply(self) -> Reply:
        while True:
            raw = self._agi.stdin.readline()
            if not raw:
                raise (
                    AgiHangup("caller hung up")
                    if self.caller_gone
                    else AgiConnectionLost("stdin closed")
                )
            if isinstance(raw, str):
                raw = raw.encode("utf-8", "surrogateescape")
            if not raw.endswith(b"\n"):
                raw += b"\n"
            for item in self._parser.feed(raw):
                if isinstance(item, Reply):
                    return item
                if isinstance(item, HangupNotice):
                    self._hangup_line = True
                elif isinstance(item, LineTooLong | MalformedLine):
                    raise AgiProtocolError(f"unreadable reply: {item!r}"[:200])

    async def _hangup_follows(self) -> bool:
        await deferLater(self._clock, _SETTLE_S, lambda: None)
        return self.caller_gone

    async def sleep(self, seconds: float) -> None:
        # On the reactor (never blocking), in steps so that a SIGHUP ends the wait early.
        deadline = self._clock.seconds() + seconds
        while not self.caller_gone:
            left = deadline - self._clock.seconds()
            if left <= 0:
                return
            await deferLater(self._clock, min(left, _SLEEP_STEP_S), lambda: None)
        raise AgiHangup("caller hung up")


def fastagi_view(variables: Mapping[str, str], script: str) -> AgiEnvironment:
    """The environment as FastAGI would give it: ``agi_arg_1`` is the first argument
    after the script's name, not the name itself."""
    pairs = dict(variables)
    numbered = sorted(
        (int(name.removeprefix("agi_arg_")), value)
        for name, value in pairs.items()
        if name.startswith("agi_arg_") and name.removeprefix("agi_arg_").isdigit()
    )
    values = [value for _, value in numbered]
    if values and values[0] == script:
        for name in [name for name in pairs if name.startswith("agi_arg_")]:
            del pairs[name]
        pairs.update({f"agi_arg_{n}": value for n, value in enumerate(values[1:], start=1)})
    return dataclasses.replace(AgiEnvironment.from_pairs(pairs.items()), script=script)


def _run(handler: Handler, session: ProcessSession, reactor: Any) -> int:
    """The FastAGI server's runner (same log lines); 0 when the handler ended well."""
    outcome: list[bool] = []
    waiting = [False]  # the reactor runs: stop it when the handler ends

    def ended(well: bool) -> None:
        outcome.append(well)
        if waiting[0]:
            reactor.stop()

    start_handler(handler, session, done=ended)
    if not outcome:
        # The handler awaits a timer or the database: run the reactor until it ends.
        # Twisted's signal handlers stay out: pyst2's SIGHUP handler tells of a hang-up.
        waiting[0] = True
        reactor.run(installSignalHandlers=False)
    return 0 if outcome and outcome[0] else 1


def run_process_agi(
    script: str,
    handlers: Mapping[str, Handler],
    reactor: Any,
    stdin: IO[bytes] | None = None,
    stdout: IO[str] | None = None,
    max_line_bytes: int = 65_536,
    after_first_command: Callable[[], object] | None = None,
) -> int:
    """Run ``handlers[script]`` as a process AGI; returns the exit status (0 = done).

    The caller must make sure nothing else writes to ``stdout`` (logs go elsewhere).
    ``after_first_command`` runs once the first command is written (to start loading,
    while the caller hears it, what the call needs later).
    """
    with open(os.devnull, "w") as quiet:
        agi = AGI(stdin=stdin or sys.stdin.buffer, stdout=stdout or sys.stdout, stderr=quiet)
        session = ProcessSession(agi, script, reactor, max_line_bytes, after_first_command)
        handler = handlers.get(script)
        if handler is None:
            session.log.warning("agi_script_not_found", known=sorted(handlers))
            return 2
        session.log.info("agi_session_started", callerid=session.env.callerid)
        return _run(handler, session, reactor)
