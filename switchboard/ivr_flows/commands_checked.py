# -*- test-case-name: tests.ivr.test_failed_commands -*-
"""Prompts and applications as a real Asterisk 22 answers them (the agi-failures capture).

* ``STREAM FILE`` of a missing file answers ``200 result=-1 endpos=0`` at once, with the
  caller still there. A missing prompt must not cost the caller the call: it is logged
  once per file in a session (with the language) and the flow goes on as if it had played.
* ``GET DATA`` with a missing prompt answers ``-1`` at once without listening; the digits
  are then asked for again behind a short silence, so the caller can still choose.
* ``EXEC`` of an application Asterisk does not have (a module not loaded, such as
  app_voicemail) answers ``-2``; an application that fails answers ``-1`` with the caller
  still up. Both are :class:`ApplicationFailed`, which takes the flow's error path.

A hang-up is still a hang-up: the typed helpers raise ``AgiHangup`` when a ``HANGUP``
follows the ``-1``, and only a protocol failure raises anything else.
"""

from __future__ import annotations

from typing import Any

from switchboard.cti.agi.channel import AgiChannel
from switchboard.cti.agi.errors import AgiCommandFailed
from switchboard.ivr_flows.effects import CONTINUE_PROMPT, Entered, ExecApp, GetData, Played

__all__ = ["ApplicationFailed", "MissingPrompts", "checked_exec", "get_digits", "stream_prompt"]

NO_SUCH_APPLICATION = -2


class ApplicationFailed(Exception):
    """``EXEC app`` did not run (``-2``) or failed with the caller still there (``-1``)."""

    def __init__(self, app: str, result: int) -> None:
        reason = (
            "no such application (is its module loaded?)"
            if (result == NO_SUCH_APPLICATION)
            else "the application failed"
        )
        super().__init__(f"EXEC {app}: {reason}, result {result}")
        self.app, self.result = app, result

    @property
    def outcome(self) -> str:
        """What the session record says happened, e.g. ``voicemail_unavailable``."""
        name = self.app.lower()
        return f"{name}_unavailable" if self.result == NO_SUCH_APPLICATION else f"{name}_failed"


class MissingPrompts:
    """The prompts one session found missing; each is logged once."""

    def __init__(self, log: Any, language: str) -> None:
        self.log, self.language = log, language
        self.files: list[str] = []

    def report(self, file: str) -> None:
        if file not in self.files:
            self.files.append(file)
            self.log.warning("ivr_prompt_missing", file=file, language=self.language)


async def stream_prompt(
    channel: AgiChannel, file: str, escape_digits: str, missing: MissingPrompts
) -> Played:
    try:
        return Played((await channel.stream_file(file, escape_digits)).digit)
    except AgiCommandFailed:  # the file is missing (a hang-up raises AgiHangup)
        missing.report(file)
        return Played(None)


async def get_digits(channel: AgiChannel, effect: GetData, missing: MissingPrompts) -> Entered:
    try:
        got = await channel.get_data(effect.file, effect.timeout_ms, effect.max_digits)
    except AgiCommandFailed:
        missing.report(effect.file)
        if effect.file == CONTINUE_PROMPT:
            return Entered("", timed_out=True)
        try:
            got = await channel.get_data(CONTINUE_PROMPT, effect.timeout_ms, effect.max_digits)
        except AgiCommandFailed:
            missing.report(CONTINUE_PROMPT)
            return Entered("", timed_out=True)
    return Entered(got.digits, got.timed_out)


async def checked_exec(channel: AgiChannel, effect: ExecApp) -> None:
    """Run the application; raise :class:`ApplicationFailed` unless it ran (or the caller
    hung up, which raises ``AgiHangup``: VoiceMail answers ``-1`` when the caller hangs up
    after the message)."""
    reply = await channel.exec(effect.app, effect.data)
    result = reply.result_int or 0
    if result == NO_SUCH_APPLICATION:
        raise ApplicationFailed(effect.app, result)
    if result < 0:
        # Is the caller still there? A dead channel answers 511 (AgiDeadChannel, a hang-up).
        await channel.channel_status()
        if not channel.caller_gone:
            raise ApplicationFailed(effect.app, result)
