# -*- test-case-name: tests.unit.test_ami_frames,tests.protocol.test_ami_captures -*-
"""Sans-I/O AMI codec: bytes in, :class:`Message` values out; headers in, bytes out.

No sockets, no clocks, no Twisted. The same codec serves the client (``expect_banner=True``),
the simulated PBX parsing actions (``expect_banner=False``) and capture replay.

Wire facts (Asterisk 22 captures): a one-line banner with no blank line after it, then
``Name: value\\r\\n`` lines, a blank line ending each message. We also accept bare ``\\n``
and the ``\\r\\n\\n`` drift (asterisk/asterisk#761) by folding ``\\r\\n`` into ``\\n`` as the
bytes arrive. A bad frame is reported as a :class:`FrameError` value and parsing resumes at
the next blank line; a frame beyond ``max_message_bytes`` is reported as
:class:`MessageTooLarge` so that the adapter can cut the peer off.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "DEFAULT_MAX_MESSAGE_BYTES",
    "AmiParser",
    "Banner",
    "FrameError",
    "HeaderInjectionError",
    "Message",
    "MessageTooLarge",
    "ParsedItem",
    "encode_message",
]

DEFAULT_MAX_MESSAGE_BYTES: Final = 1_048_576
_ERROR_SNIPPET_BYTES: Final = 200
_END_COMMAND: Final = b"--END COMMAND--"
_STARTS: Final = (b"Event:", b"Response:")
_LONGEST_START: Final = max(map(len, _STARTS))
_setattr = object.__setattr__


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


class Message:
    """One immutable AMI message (action, response or event) with ordered headers.

    Built from the wire, a message keeps its bytes and only extracts what routing needs up
    front (``Event``, ``Response``, ``ActionID``); the full header list is parsed on first use.
    Repeated names (``Output``, ``Variable``, ``ChanVariable``) stay in order.
    """

    __slots__ = ("_action_id", "_event", "_headers", "_index", "_raw", "_response")

    _raw: bytes | None
    _headers: tuple[tuple[str, str], ...] | None
    _index: dict[str, list[str]] | None
    _event: str | None
    _response: str | None
    _action_id: str | None

    def __init__(self, headers: Iterable[tuple[str, str]]) -> None:
        hs = tuple((str(n), str(v)) for n, v in headers)
        _setattr(self, "_raw", None)
        _setattr(self, "_headers", hs)
        _setattr(self, "_index", None)
        _setattr(self, "_event", self.get("Event"))
        _setattr(self, "_response", self.get("Response"))
        _setattr(self, "_action_id", self.get("ActionID"))

    @classmethod
    def _from_wire(
        cls, raw: bytes, event: str | None, response: str | None, action_id: str | None
    ) -> Message:
        self = cls.__new__(cls)
        _setattr(self, "_raw", raw)
        _setattr(self, "_headers", None)
        _setattr(self, "_index", None)
        _setattr(self, "_event", event)
        _setattr(self, "_response", response)
        _setattr(self, "_action_id", action_id)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Message is immutable (tried to set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Message is immutable (tried to delete {name!r})")

    # -- routing fields (cheap) --------------------------------------------------------
    @property
    def event(self) -> str | None:
        return self._event

    @property
    def response(self) -> str | None:
        return self._response

    @property
    def action_id(self) -> str | None:
        return self._action_id

    @property
    def raw(self) -> bytes | None:
        """The header lines this message was parsed from, as bytes joined by ``\n`` (no
        blank line); ``None`` for a message built from headers. Lets a hot subscriber look
        for a name in the bytes before paying for the header parse."""
        return self._raw

    @property
    def action(self) -> str | None:
        """The ``Action`` header of a client request (server side), if any."""
        return self.get("Action")

    # -- full headers (lazy) -------------------------------------------------------------
    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        hs = self._headers
        if hs is None:
            assert self._raw is not None
            hs = _parse_headers(self._raw, (self._response or "").lower() == "follows")
            _setattr(self, "_headers", hs)
        return hs

    def _idx(self) -> dict[str, list[str]]:
        index = self._index
        if index is None:
            index = {}
            for name, value in self.headers:
                index.setdefault(name.lower(), []).append(value)
            _setattr(self, "_index", index)
        return index

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``default``.

        An event from the wire not parsed yet is read straight from its bytes when
        ``name`` is spelt as on the wire: subscribers read three or four headers of most
        events, and parsing all of them cost more than the parser itself. Any other case
        (spelt otherwise, absent, built from headers) takes the full parse."""
        raw = self._raw
        if raw is not None and self._index is None and self._response is None:
            value = _peek(raw, name)
            if value is not None:
                return value
        values = self._idx().get(name.lower())
        return values[0] if values else default

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in wire order."""
        return list(self._idx().get(name.lower(), ()))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._idx()

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.headers)

    def as_dict(self) -> dict[str, str | list[str]]:
        """Headers as a dict in first-seen order; a repeated name maps to a list of values."""
        out: dict[str, str | list[str]] = {}
        for name, value in self.headers:
            seen = out.get(name)
            if seen is None:
                out[name] = value
            elif isinstance(seen, list):
                seen.append(value)
            else:
                out[name] = [seen, value]
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.headers == other.headers

    def __hash__(self) -> int:
        return hash(self.headers)

    def __repr__(self) -> str:
        kind = (
            f"event={self._event!r}" if self._event is not None else f"response={self._response!r}"
        )
        return f"<Message {kind} action_id={self._action_id!r} headers={len(self.headers)}>"


_PEEK_KEYS: dict[str, tuple[bytes, bytes]] = {}  # name -> (b"Name:", b"\nName:")


def _peek(raw: bytes, name: str) -> str | None:
    """The value of the first ``name:`` line of ``raw`` (exact spelling), else None."""
    keys = _PEEK_KEYS.get(name)
    if keys is None:
        if len(_PEEK_KEYS) > 1024:  # names come from code, but bound it anyway
            _PEEK_KEYS.clear()
        key = name.encode("ascii", "replace") + b":"
        keys = _PEEK_KEYS[name] = (key, b"\n" + key)
    key, line_key = keys
    if raw.startswith(key):
        start = len(key)
    else:
        found = raw.find(line_key)
        if found < 0:
            return None
        start = found + len(line_key)
    end = raw.find(b"\n", start)
    value = raw[start:end] if end >= 0 else raw[start:]
    if value.endswith(b"\r"):
        value = value[:-1]
    if value.startswith(b" "):
        value = value[1:]
    return _decode(value)


def _parse_headers(raw: bytes, follows: bool) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    append = out.append
    in_output = False
    for line in _decode(raw).split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if follows and (in_output or ":" not in line):
            # Legacy ``Response: Follows``: raw CLI lines up to ``--END COMMAND--``.
            in_output = True
            if line.endswith(_END_COMMAND.decode()):
                line = line[: -len(_END_COMMAND)]
                if line:
                    append(("Output", line))
                break
            append(("Output", line))
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        append((name.strip(), value))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Banner:
    """The greeting line, e.g. ``Asterisk Call Manager/11.0.0``."""

    text: str

    @property
    def name(self) -> str:
        return self.text.rpartition("/")[0] or self.text

    @property
    def version(self) -> str | None:
        return self.text.rpartition("/")[2] if "/" in self.text else None


@dataclass(frozen=True, slots=True)
class FrameError:
    """A frame that could not be parsed; parsing resumed at the next blank line."""

    reason: str
    data: bytes  # the offending bytes, truncated to a few hundred

    @classmethod
    def of(cls, reason: str, data: bytes) -> FrameError:
        return cls(reason, bytes(data[:_ERROR_SNIPPET_BYTES]))


@dataclass(frozen=True, slots=True)
class MessageTooLarge(FrameError):
    """A line or message grew beyond the bound; the adapter should drop the peer.

    ``size`` is a lower bound (``limit + 1``): the rest is never read into memory.
    """

    size: int = 0
    limit: int = 0


ParsedItem = Banner | Message | FrameError


class HeaderInjectionError(ValueError):
    """A header name or value to encode contains CR, LF or NUL (or a bad name)."""


def encode_message(headers: Iterable[tuple[str, str]]) -> bytes:
    """Serialize headers to one AMI message (``\\r\\n`` lines plus a blank line).

    CR and LF would end the header early; NUL ends the C string Asterisk reads it into,
    silently cutting the value. All three are refused, as the AGI codec does.
    """
    parts: list[str] = []
    for name, value in headers:
        if not name or ":" in name or name != name.strip() or _forbidden(name):
            raise HeaderInjectionError(f"invalid AMI header name {name!r}")
        if (bad := _forbidden(value)) is not None:
            raise HeaderInjectionError(
                f"{bad!r} in the value of AMI header {name!r}: remove it before sending"
            )
        parts.append(f"{name}: {value}\r\n")
    parts.append("\r\n")
    return "".join(parts).encode("utf-8")


def _forbidden(text: str) -> str | None:
    for char in "\r\n\0":
        if char in text:
            return char
    return None


class AmiParser:
    """Incremental AMI frame parser. ``feed`` never raises; it returns what is complete.

    Linear in its input and independent of how the input is cut into reads: every
    decision (where a message ends, whether it is too large, where parsing resumes after
    one that is) depends only on the bytes, and waits when it needs bytes not yet read.
    A message's size is its length with ``\\r\\n`` folded and without the blank line that
    ends it; above ``max_message_bytes`` it is reported once as :class:`MessageTooLarge`
    and parsing resumes after the first blank line found from the limit onwards.
    """

    def __init__(
        self, expect_banner: bool = True, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    ) -> None:
        self._want_banner = expect_banner
        self._max = max_message_bytes
        # Normalised bytes (CRLF folded to LF) from the start of the current message.
        self._buf = bytearray()
        self._cr = False  # the previous chunk ended with a lone CR
        self._discarding = False  # after MessageTooLarge: skip to the next blank line
        # Where the searches of the current message carry on, so no byte is scanned twice.
        self._scan = 0  # for the blank line (or, before the banner, the line feed)
        self._follows: bool | None = None  # legacy ``Response: Follows``; None: not known yet
        self._end_cmd_scan = 0  # Follows: where the search for --END COMMAND-- carries on
        self._end_cmd_seen = False

    @property
    def buffered(self) -> int:
        """Bytes held while waiting for the end of a message."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[ParsedItem]:
        if not data:
            return []
        if self._cr:
            data = b"\r" + data
        self._cr = data.endswith(b"\r")
        if self._cr:
            data = data[:-1]
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n")
        out: list[ParsedItem] = []
        buf = self._buf
        buf += data
        if not (self._discarding or self._want_banner or self._follows):
            self._split_plain(buf, out)
        while buf:
            if self._discarding:
                if not self._skip_to_blank_line(buf, self._scan):
                    break
            elif self._want_banner:
                if not self._take_banner(buf, out):
                    break
            else:
                skip = 0
                while skip < len(buf) and buf[skip] == 0x0A:  # blank lines between messages
                    skip += 1
                if skip:
                    del buf[:skip]  # cheap: a bytearray drops its head without copying
                    self._scan = max(self._scan - skip, 0)
                    continue
                end = self._message_end(buf)
                if end < 0:
                    if self._least_size(buf) > self._max:
                        self._too_large(buf, out)
                        continue
                    break
                if end > self._max:
                    self._too_large(buf, out)
                    continue
                raw = bytes(buf[:end])
                del buf[: end + 2]
                self._next_message()
                out.append(_frame(raw.rstrip(b"\n")))
        return out

    def _split_plain(self, buf: bytearray, out: list[ParsedItem]) -> None:
        """Fast path: cut every complete ordinary message at once (one C-level split).

        Stops at the first message it cannot judge alone (a ``Response: Follows``, one
        over the limit), which the general loop of :meth:`feed` then takes.
        """
        last = buf.rfind(b"\n\n", self._scan)  # none before _scan: no byte read twice
        if last < 0:
            return
        limit = self._max
        consumed = 0
        parts = bytes(buf[: last + 2]).split(b"\n\n")
        parts.pop()  # what follows the last separator split from the left: not complete
        for raw in parts:
            size = len(raw)
            if raw[:1] == b"\n":
                raw = raw.lstrip(b"\n")
            if raw:
                if len(raw) > limit or raw[:17].lower() == b"response: follows":
                    break
                out.append(_frame(raw))
            consumed += size + 2
        if consumed:
            del buf[:consumed]
            self._next_message()

    def _next_message(self) -> None:
        self._scan = 0
        self._follows = None
        self._end_cmd_scan = 0
        self._end_cmd_seen = False

    def _take_banner(self, buf: bytearray, out: list[ParsedItem]) -> bool:
        nl = buf.find(b"\n", self._scan)
        if nl < 0:
            self._scan = len(buf)
            if len(buf) > self._max:
                self._want_banner = False
                self._too_large(buf, out)
                return True
            return False
        self._want_banner = False
        self._scan = 0
        line = bytes(buf[:nl])
        if b":" in line:
            return True  # no banner: the peer started straight with a message
        if nl > self._max:
            self._too_large(buf, out)
            return True
        out.append(Banner(_decode(line.rstrip(b"\r")).strip()))
        del buf[: nl + 1]
        return True

    def _message_end(self, buf: bytearray) -> int:
        """Where the blank line ending the message at the head of ``buf`` starts, or -1."""
        if self._follows is None:
            if len(buf) < 17:
                end = buf.find(b"\n\n")
                if end < 0:
                    return -1
                self._follows = False  # ended before it could say "Response: Follows"
            else:
                self._follows = buf[:17].lower() == b"response: follows"
        if not self._follows:
            end = buf.find(b"\n\n", self._scan)
            if end < 0:
                self._scan = max(len(buf) - 1, 0)
            return end
        # Legacy Command output may hold blank lines: the message goes on to the blank line
        # after --END COMMAND--, unless a blank line is followed by the start of a message
        # (an unterminated output must never swallow the next message).
        while (end := buf.find(b"\n\n", self._scan)) >= 0:
            if not self._end_cmd_seen:
                self._end_cmd_seen = buf.find(_END_COMMAND, self._end_cmd_scan, end) >= 0
                self._end_cmd_scan = max(self._end_cmd_scan, end - len(_END_COMMAND) + 1)
            if self._end_cmd_seen:
                return end
            ahead = bytes(buf[end + 2 : end + 2 + _LONGEST_START])
            if ahead.startswith(_STARTS):
                return end
            if len(ahead) < _LONGEST_START and any(s.startswith(ahead) for s in _STARTS):
                self._scan = end  # not enough bytes yet to tell
                return -1
            self._scan = end + 1
        self._scan = max(len(buf) - 1, self._scan)
        return -1

    def _least_size(self, buf: bytearray) -> int:
        """The smallest size the unfinished message at the head of ``buf`` can end with."""
        if self._follows and buf.startswith(b"\n\n", self._scan):
            return self._scan  # a blank line that may yet end it
        return len(buf) - (1 if buf.endswith(b"\n") else 0)

    def _too_large(self, buf: bytearray, out: list[ParsedItem]) -> None:
        # The snippet and the resume point depend only on the first bytes past the limit,
        # which every way of cutting the input has seen by now.
        limit = self._max
        out.append(_too_large(bytes(buf[: min(_ERROR_SNIPPET_BYTES, limit + 1)]), limit))
        self._next_message()
        self._discarding = True
        self._skip_to_blank_line(buf, limit)

    def _skip_to_blank_line(self, buf: bytearray, start: int) -> bool:
        """Drop bytes up to the end of the next blank line; False if it is not there yet."""
        end = buf.find(b"\n\n", start)
        if end < 0:
            del buf[:-1]  # keep one byte so a blank line split across reads is still seen
            self._scan = 0
            return False
        del buf[: end + 2]
        self._discarding = False
        self._scan = 0
        return True


def _too_large(head: bytes, limit: int) -> MessageTooLarge:
    return MessageTooLarge(f"message exceeds {limit} bytes", head, limit + 1, limit)


def _frame(raw: bytes) -> Message | FrameError:
    nl = raw.find(b"\n")
    first = raw if nl < 0 else raw[:nl]
    name, sep, value = first.partition(b":")
    if not sep or not name or name != name.strip():
        return FrameError.of("first line is not 'Name: value'", raw)
    lname = name.lower()
    if lname == b"event":
        event, response = _decode(value).strip(), None
    elif lname == b"response":
        event, response = None, _decode(value).strip()
    else:
        # Actions (server side) or an unusual order: let the full parse find the fields.
        msg = Message._from_wire(raw, None, None, None)
        _setattr(msg, "_event", msg.get("Event"))
        _setattr(msg, "_response", msg.get("Response"))
        _setattr(msg, "_action_id", msg.get("ActionID"))
        return msg
    pos = raw.find(b"\nActionID:")
    if pos < 0:
        pos = raw.lower().find(b"\nactionid:")
    action_id = None
    if pos >= 0:
        end = raw.find(b"\n", pos + 10)
        action_id = _decode(raw[pos + 10 : end if end >= 0 else len(raw)]).strip()
    return Message._from_wire(raw, event, response, action_id)
