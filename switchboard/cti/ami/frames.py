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
        """The first value of header ``name`` (case-insensitive), or ``default``."""
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
    """A line or message grew beyond the bound; the adapter should drop the peer."""

    size: int = 0
    limit: int = 0


ParsedItem = Banner | Message | FrameError


class HeaderInjectionError(ValueError):
    """A header name or value to encode contains CR or LF (or a bad name)."""


def encode_message(headers: Iterable[tuple[str, str]]) -> bytes:
    """Serialize headers to one AMI message (``\\r\\n`` lines plus a blank line)."""
    parts: list[str] = []
    for name, value in headers:
        if not name or ":" in name or name != name.strip() or _has_crlf(name):
            raise HeaderInjectionError(f"invalid AMI header name {name!r}")
        if _has_crlf(value):
            raise HeaderInjectionError(f"CR or LF in the value of AMI header {name!r}")
        parts.append(f"{name}: {value}\r\n")
    parts.append("\r\n")
    return "".join(parts).encode("utf-8")


def _has_crlf(text: str) -> bool:
    return "\r" in text or "\n" in text


class AmiParser:
    """Incremental AMI frame parser. ``feed`` never raises; it returns what is complete."""

    def __init__(
        self, expect_banner: bool = True, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    ) -> None:
        self._want_banner = expect_banner
        self._max = max_message_bytes
        self._buf = b""  # normalised: CRLF folded to LF
        self._cr = False  # the previous chunk ended with a lone CR
        self._discarding = False  # after MessageTooLarge: skip to the next blank line

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
        if self._buf:
            if (
                not self._want_banner
                and not self._discarding
                and b"\n\n" not in data
                and b"\n\n" not in self._buf[-1:] + data[:1]
            ):
                self._buf += data  # still inside one message: skip the re-scan
                if len(self._buf) > self._max:
                    out.append(_too_large(self._buf, self._max))
                    self._buf = b""
                    self._discarding = True
                return out
            buf = self._buf + data
        else:
            buf = data
        if self._want_banner:
            buf = self._take_banner(buf, out)
            if self._want_banner:
                self._buf = buf
                return out
        if self._discarding:
            buf = self._skip_oversized(buf)
            if self._discarding:
                return out
        parts = buf.split(b"\n\n")
        rest = parts.pop()
        limit = self._max
        i = 0
        n = len(parts)
        while i < n:
            raw = parts[i]
            i += 1
            if raw.startswith(b"\n"):
                raw = raw.lstrip(b"\n")
                if not raw:
                    continue
            elif not raw:
                continue
            if raw[:17].lower() == b"response: follows" and _END_COMMAND not in raw:
                # Legacy Command output may hold blank lines: join until the end marker.
                # A part that starts like a message ends the search: never swallow it.
                while i < n and _END_COMMAND not in raw and not parts[i].startswith(_STARTS):
                    raw = raw + b"\n\n" + parts[i]
                    i += 1
                if _END_COMMAND not in raw and i >= n:
                    rest = raw + b"\n\n" + rest
                    break
            if len(raw) > limit:
                out.append(_too_large(raw, limit))
                continue
            out.append(_frame(raw))
        if len(rest) > limit:
            out.append(_too_large(rest, limit))
            self._discarding = True
            rest = b""
        self._buf = rest
        return out

    def _take_banner(self, buf: bytes, out: list[ParsedItem]) -> bytes:
        nl = buf.find(b"\n")
        if nl < 0:
            if len(buf) > self._max:
                out.append(_too_large(buf, self._max))
                self._want_banner = False
                self._discarding = True
                return b""
            return buf
        self._want_banner = False
        line = buf[:nl].rstrip(b"\r")
        if b":" in line:
            return buf  # no banner: the peer started straight with a message
        out.append(Banner(_decode(line).strip()))
        return buf[nl + 1 :]

    def _skip_oversized(self, buf: bytes) -> bytes:
        end = buf.find(b"\n\n")
        if end < 0:
            self._buf = buf[-1:]  # keep one byte so a split blank line is still seen
            return b""
        self._discarding = False
        return buf[end + 2 :]


def _too_large(raw: bytes, limit: int) -> MessageTooLarge:
    return MessageTooLarge(
        f"message exceeds {limit} bytes", bytes(raw[:_ERROR_SNIPPET_BYTES]), len(raw), limit
    )


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
