# -*- test-case-name: tests.unit.test_agi_wire,tests.protocol.test_agi_captures -*-
"""Sans-I/O FastAGI codec: bytes from Asterisk in, typed items out; commands in, bytes out.

No sockets, no clocks, no Twisted. The server, process-AGI mode, the simulated PBX and the
capture replays all use this one codec.

Wire facts (Asterisk 22 captures): lines end in a bare ``\\n``. A session opens with
``agi_name: value`` lines closed by an empty line. Each command then gets one reply line
(``200 result=N [(data)] [key=value...]``, ``510 ...``, ``511 ...``) except usage errors,
which are a block from ``520-...`` to ``520 End of proper usage.``. A bare ``HANGUP`` line
is pushed asynchronously, possibly before the reply to the command in flight: it is a
notice, never a reply. ``100 Trying`` is progress, not a reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from switchboard.cti.agi._env import AgiEnvironment, parse_env_line
from switchboard.cti.agi._quoting import (
    Arg,
    Quoted,
    UnsafeArgument,
    app_argument,
    format_command,
    parse_command_line,
)

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "AgiEnvironment",
    "AgiItem",
    "AgiParser",
    "Arg",
    "HangupNotice",
    "LineTooLong",
    "MalformedLine",
    "Progress",
    "Quoted",
    "Reply",
    "UnsafeArgument",
    "app_argument",
    "format_command",
    "parse_command_line",
    "parse_reply_line",
]

DEFAULT_MAX_LINE_BYTES: Final = 65_536
_USAGE_END: Final = "520 End of proper usage."
_RESULT_PREFIX: Final = "200 result="
_CODE = re.compile(r"^(\d{3})(?:[ -](.*))?$", re.DOTALL)
_PAIR = re.compile(r"[A-Za-z_]\w*=\S*")
# A pair starts a word: without the look-behind, a long run of word characters is
# re-scanned from each of its positions (quadratic).
_KEY_VALUE = re.compile(r"(?<!\S)([A-Za-z_]\w*)=(\S*)")
# Bare ``200 result=N`` replies repeat endlessly (N is a digit code, 0, 1 or -1) and a Reply
# is immutable, so one instance per distinct line is shared. Bounded: cleared when full.
_BARE_REPLIES: dict[str, Reply] = {}
_BARE_REPLIES_MAX: Final = 256


@dataclass(frozen=True, slots=True)
class Reply:
    """One complete reply to a command.

    ``code`` is 200 (done), 510 (unknown command), 511 (dead channel), 520 (usage error) or
    whatever else Asterisk sent. For 200, ``result`` is the text after ``result=`` (may be
    empty), ``data`` the parenthesised part and ``extras`` the trailing ``key=value`` pairs
    such as ``endpos``. For 520, ``text`` holds the whole usage block.
    """

    code: int
    text: str
    result: str | None = None
    data: str | None = None
    extras: tuple[tuple[str, str], ...] = ()

    @property
    def result_int(self) -> int | None:
        """The result as an integer, or None when empty or not a number."""
        try:
            return int(self.result) if self.result else None
        except ValueError:
            return None

    @property
    def endpos(self) -> int | None:
        """Sample offset where playback stopped (STREAM FILE, RECORD FILE), if reported."""
        for key, value in self.extras:
            if key == "endpos":
                try:
                    return int(value)
                except ValueError:
                    return None
        return None

    @property
    def timed_out(self) -> bool:
        """True when Asterisk flagged ``(timeout)`` (GET DATA, RECORD FILE)."""
        return self.data == "timeout"

    @property
    def usage(self) -> str:
        """The usage text of a 520 block, without the ``520`` framing lines."""
        lines = self.text.split("\n")
        return "\n".join(lines[1:-1]) if self.code == 520 else ""


@dataclass(frozen=True, slots=True)
class HangupNotice:
    """The bare ``HANGUP`` line: the channel hung up (or the session ended). Not a reply."""


@dataclass(frozen=True, slots=True)
class Progress:
    """A ``100 Trying`` style progress line; the real reply still follows."""

    text: str


@dataclass(frozen=True, slots=True)
class LineTooLong:
    """A line longer than the parser's limit; its bytes were discarded."""

    limit: int


@dataclass(frozen=True, slots=True)
class MalformedLine:
    """A line that is neither a reply, a notice nor (in the environment) ``name: value``."""

    line: str
    reason: str


AgiItem = AgiEnvironment | Reply | HangupNotice | Progress | LineTooLong | MalformedLine


def parse_reply_line(line: str) -> Reply | HangupNotice | Progress | MalformedLine:
    """Classify one complete single line sent by Asterisk after the environment."""
    if line.startswith(_RESULT_PREFIX):
        # Nearly every reply is ``200 result=...``: skip the general match, and for the
        # common bare ``200 result=N`` skip the data and key=value scan as well.
        if (reply := _BARE_REPLIES.get(line)) is not None:
            return reply
        value, space, tail = line[len(_RESULT_PREFIX) :].partition(" ")
        if space:
            return _result_reply(line, value, tail)
        if len(_BARE_REPLIES) >= _BARE_REPLIES_MAX:
            _BARE_REPLIES.clear()
        reply = _BARE_REPLIES[line] = Reply(200, line, value)
        return reply
    if line == "HANGUP":
        return HangupNotice()
    match = _CODE.match(line)
    if match is None:
        return MalformedLine(line, "not a reply")
    code = int(match.group(1))
    rest = match.group(2) or ""
    if code == 100:
        return Progress(line)
    if code != 200:
        return Reply(code=code, text=line)
    if not rest.startswith("result="):
        return Reply(code=200, text=line)
    value, _, tail = rest[len("result=") :].partition(" ")
    return _result_reply(line, value, tail)


def _result_reply(line: str, value: str, tail: str) -> Reply:
    """A ``200 result=<value> <tail>`` reply: ``(data)`` and ``key=value`` pairs from ``tail``."""
    data: str | None = None
    if tail.startswith("("):
        # The data may itself hold ')' (GET FULL VARIABLE); it ends at the last ')' that is
        # followed only by key=value pairs. Walking the space-separated words from the
        # right finds it in one pass (trying each ')' with a regex was quadratic).
        words = tail.split(" ")
        end = len(tail)
        for index in range(len(words) - 1, -1, -1):
            word = words[index]
            end -= len(word)
            if word.endswith(")") and end + len(word) > 1:
                close = end + len(word) - 1
                data, tail = tail[1:close], tail[close + 1 :]
                break
            if index == 0 or not _PAIR.fullmatch(word):
                break
            end -= 1  # the space before this word
    else:
        tail = " " + tail if tail else ""
    extras = tuple((m.group(1), m.group(2)) for m in _KEY_VALUE.finditer(tail))
    return Reply(code=200, text=line, result=value, data=data, extras=extras)


class AgiParser:
    """Incremental parser for everything Asterisk sends on one AGI session.

    ``feed(data)`` returns the items completed by ``data``, in order: first one
    :class:`AgiEnvironment`, then replies and notices. Chunk boundaries never change the
    result. Peer errors come back as :class:`LineTooLong` / :class:`MalformedLine` values.
    """

    __slots__ = (
        "_closed",
        "_env",
        "_env_bytes",
        "_limit",
        "_pending",
        "_pending_bytes",
        "_skipping",
        "_usage",
        "_usage_bytes",
    )

    def __init__(
        self, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES, expect_env: bool = True
    ) -> None:
        self._limit = max_line_bytes
        # The bytes after the last line feed, kept as the reads came: joined only once a
        # line feed arrives, so a line sent a byte at a time costs linear time, not quadratic.
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._skipping = False  # inside an over-long line, until its newline
        # None once the environment is complete (process AGI: pyst2 has already read it).
        self._env: list[tuple[str, str]] | None = [] if expect_env else None
        self._usage: list[str] | None = None
        self._usage_bytes = 0
        # The environment as a whole is bounded by the line limit too (a real one is about
        # 1 KB): endless agi_* lines would otherwise grow memory until the timeout.
        self._env_bytes = 0
        self._closed = False  # after an oversized environment: nothing more is parsed

    def feed(self, data: bytes) -> list[AgiItem]:
        """Consume ``data`` and return the items it completed."""
        if self._closed:
            return []
        if (
            self._env is None
            and self._usage is None
            and not self._pending
            and not self._skipping
            and 0 <= data.find(b"\n") == len(data) - 1
            and len(data) <= self._limit
        ):
            # The common case after the environment: one read holds exactly one line.
            line = data[:-1].removesuffix(b"\r").decode("utf-8", "replace")
            if not line.startswith("520-"):
                return [parse_reply_line(line)]
        if b"\n" not in data:
            return self._hold(data)
        items: list[AgiItem] = []
        if self._pending:
            self._pending.append(data)
            buffer = b"".join(self._pending)
            self._pending, self._pending_bytes = [], 0
        else:
            buffer = data
        start = self._env_block(buffer, items) if self._env is not None else 0
        limit = self._limit
        while (newline := buffer.find(b"\n", start)) >= 0:
            raw = buffer[start:newline]
            start = newline + 1
            if self._skipping:
                self._skipping = False
                continue
            if len(raw) > limit:
                items.append(LineTooLong(limit))
                continue
            if self._env is not None:
                self._env_bytes += len(raw) + 1
                if self._env_bytes > limit:
                    items.append(LineTooLong(limit))
                    self._closed, self._env, self._pending = True, None, []
                    return items
            line = raw.removesuffix(b"\r").decode("utf-8", "replace")
            if self._env is None and self._usage is None and not line.startswith("520-"):
                items.append(parse_reply_line(line))  # the common case, without _line()
            else:
                self._line(line, items)
        if start < len(buffer):
            items += self._hold(buffer[start:])
        return items

    def _hold(self, data: bytes) -> list[AgiItem]:
        """Keep ``data`` (no line feed in it) for the line it starts or continues."""
        if self._skipping:
            return []
        self._pending.append(data)
        self._pending_bytes += len(data)
        if self._pending_bytes <= self._limit:
            return []
        self._pending, self._pending_bytes = [], 0
        self._skipping = True  # the rest of this line is dropped as it comes
        return [LineTooLong(self._limit)]

    def _env_block(self, buffer: bytes, items: list[AgiItem]) -> int:
        """Parse a whole environment block at once when ``buffer`` holds all of it.

        Asterisk sends the environment in one or two writes, so this usually saves the
        per-line work of :meth:`feed`. It only takes the simple case (no CR, no over-long
        line, not inside a skipped line); anything else is left to the line loop, which
        gives the same items. Returns where the line loop should carry on.
        """
        end = buffer.find(b"\n\n")
        # The block must start with a line: a leading newline is itself the blank line.
        if (
            end <= 0
            or buffer[0] == 0x0A
            or self._skipping
            or self._env_bytes + end + 2 > self._limit  # the line loop reports it
        ):
            return 0
        block = buffer[:end]
        if b"\r" in block:
            return 0
        env = self._env
        assert env is not None
        for line in block.decode("utf-8", "replace").split("\n"):
            # parse_env_line(), inlined: this loop runs for every line of every call.
            name, colon, value = line.partition(":")
            if colon and (name := name.strip()):
                env.append((name, value.removeprefix(" ")))
            else:
                items.append(MalformedLine(line, "environment line without ':'"))
        items.append(AgiEnvironment.from_pairs(env))
        self._env = None
        return end + 2

    def _line(self, line: str, items: list[AgiItem]) -> None:
        if self._env is not None:
            if line == "":
                items.append(AgiEnvironment.from_pairs(self._env))
                self._env = None
            elif (pair := parse_env_line(line)) is None:
                items.append(MalformedLine(line, "environment line without ':'"))
            else:
                self._env.append(pair)
            return
        if self._usage is not None:
            self._usage.append(line)
            self._usage_bytes += len(line) + 1
            if line.startswith("520 "):
                items.append(Reply(code=520, text="\n".join(self._usage)))
                self._usage = None
            elif self._usage_bytes > self._limit:
                items.append(LineTooLong(self._limit))
                self._usage = None
            return
        if line.startswith("520-"):
            self._usage, self._usage_bytes = [line], len(line) + 1
            return
        items.append(parse_reply_line(line))
