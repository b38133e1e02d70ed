# -*- test-case-name: tests.integration.test_agi_process -*-
"""Process-AGI mode: run a registered handler over stdin/stdout through pyst2's ``AGI``.

For sites that run ``AGI(/path/to/switchboard-agi,main-menu)`` instead of FastAGI.
pyst2 reads the environment, installs its SIGHUP handler and writes the commands; the
replies are classified by our own codec, so a handler behaves exactly as under FastAGI:
same bytes, same values, same named errors. Differences that remain are Asterisk's:
process AGI reports a hangup with SIGHUP (pyst2 records it) rather than a ``HANGUP`` line,
and the script name comes from the command line rather than ``agi_network_script``.

stdout is the AGI channel: nothing else may write to it (see :func:`run_process_agi`).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Mapping
from typing import IO, Any

import structlog
from asterisk.agi import AGI
from twisted.internet.defer import Deferred

from switchboard.cti.agi.channel import Handler
from switchboard.cti.agi.errors import (
    AgiConnectionLost,
    AgiDeadChannel,
    AgiHangup,
    AgiProtocolError,
    AgiUnknownCommand,
    AgiUsageError,
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

__all__ = ["ProcessSession", "run_process_agi"]

logger = structlog.get_logger(__name__)
_SLEEP_STEP_S = 0.1
_SETTLE_S = 0.2  # SIGHUP follows a -1 within milliseconds when the caller left


class ProcessSession(TypedCommands):
    """:class:`~switchboard.cti.agi.channel.AgiChannel` over one pyst2 ``AGI`` object."""

    def __init__(self, agi: AGI, script: str, max_line_bytes: int = 65_536) -> None:
        self._agi = agi
        env = AgiEnvironment.from_pairs(agi.env.items())
        self._env = dataclasses.replace(env, script=script)
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
        reply = self._read_reply()
        if reply.code == 200:
            return reply
        if reply.code == 511:
            raise AgiDeadChannel(reply)
        if reply.code == 510:
            raise AgiUnknownCommand(reply)
        if reply.code == 520:
            raise AgiUsageError(reply)
        raise AgiProtocolError(f"unexpected reply: {reply.text[:200]!r}")

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
        time.sleep(_SETTLE_S)
        return self.caller_gone

    async def sleep(self, seconds: float) -> None:
        # One process per call: blocking is fine, but wake up for SIGHUP.
        deadline = time.monotonic() + seconds
        while not self.caller_gone:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, _SLEEP_STEP_S))
        raise AgiHangup("caller hung up")


def _run(handler: Handler, session: ProcessSession) -> int:
    async def body() -> int:
        try:
            await handler(session)
        except AgiHangup as exc:
            session.log.info("agi_handler_ended_by_hangup", reason=str(exc))
        except Exception:
            session.log.exception("agi_handler_failed")
            return 1
        return 0

    done = Deferred.fromCoroutine(body())
    outcome: list[Any] = []

    def keep(value: Any) -> None:
        outcome.append(value)

    done.addBoth(keep)
    if not outcome:
        # The handler awaits something outside the session: run a reactor until it ends.
        from twisted.internet import reactor

        done.addBoth(lambda _: reactor.stop())  # type: ignore[attr-defined]
        reactor.run()  # type: ignore[attr-defined]
    return outcome[0] if outcome and isinstance(outcome[0], int) else 1


def run_process_agi(
    script: str,
    handlers: Mapping[str, Handler],
    stdin: IO[bytes] | None = None,
    stdout: IO[str] | None = None,
    max_line_bytes: int = 65_536,
) -> int:
    """Run ``handlers[script]`` as a process AGI; returns the exit status (0 = done).

    The caller must make sure nothing else writes to ``stdout`` (logs go to stderr).
    """
    with open(os.devnull, "w") as quiet:
        agi = AGI(stdin=stdin or sys.stdin.buffer, stdout=stdout or sys.stdout, stderr=quiet)
        session = ProcessSession(agi, script, max_line_bytes)
        handler = handlers.get(script)
        if handler is None:
            session.log.warning("agi_script_not_found", known=sorted(handlers))
            return 2
        session.log.info("agi_session_started", callerid=session.env.callerid)
        return _run(handler, session)
