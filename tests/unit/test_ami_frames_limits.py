"""AMI codec against a hostile peer: size limits on every message shape, linear parsing,
and results that never depend on how the input was cut into reads (issue 9, items 4, 8)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from switchboard.cti.ami.frames import AmiParser, FrameError, Message, MessageTooLarge
from switchboard.testing.ami import feed_all, split_at
from tests.fuzz_budget import budget

LIMIT = 1024


def _byte_by_byte(data: bytes, limit: int = LIMIT) -> list:
    parser = AmiParser(expect_banner=False, max_message_bytes=limit)
    return [item for i in range(len(data)) for item in parser.feed(data[i : i + 1])]


def _whole(data: bytes, limit: int = LIMIT) -> list:
    return AmiParser(expect_banner=False, max_message_bytes=limit).feed(data)


def _event_of_size(size: int, name: str = "Sized") -> bytes:
    """An event whose folded size (without the closing blank line) is exactly ``size``."""
    head = f"Event: {name}\nX: ".encode()
    return head + b"x" * (size - len(head))


def test_follows_without_end_marker_is_cut_at_the_limit() -> None:
    # Blank lines and no --END COMMAND--: each read used to re-join every part so far,
    # so 1 MB took minutes and MessageTooLarge never fired.
    body = b"Response: Follows\r\nActionID: c1\r\n" + b"output line\r\n\r\n" * 150_000
    parser = AmiParser(expect_banner=False)  # the default 1 MiB limit
    items = feed_all(parser, [body[i : i + 4096] for i in range(0, len(body), 4096)])
    assert isinstance(items[0], MessageTooLarge)
    assert [type(i) for i in items].count(MessageTooLarge) == 1
    assert parser.buffered < 4096 + 32  # memory stays bounded after the cut


def test_too_large_then_blank_line_split_between_its_two_line_feeds() -> None:
    parser = AmiParser(expect_banner=False, max_message_bytes=LIMIT)
    [too_big] = parser.feed(b"Event: Flood\nX: " + b"a" * 2000 + b"\n")
    assert isinstance(too_big, MessageTooLarge)
    # The read ends between the two line feeds of the blank line: the next message stays.
    [after] = parser.feed(b"\nEvent: After\n\n")
    assert isinstance(after, Message) and after.event == "After"


def test_message_exactly_at_the_limit_passes_whole_and_byte_by_byte() -> None:
    data = _event_of_size(LIMIT) + b"\r\n\r\nEvent: Next\r\n\r\n".replace(b"\r", b"")
    whole = _whole(data)
    assert [type(i) for i in whole] == [Message, Message]
    assert _byte_by_byte(data) == whole


def test_message_one_byte_over_the_limit_fails_whole_and_byte_by_byte() -> None:
    data = _event_of_size(LIMIT + 1) + b"\n\nEvent: Next\n\n"
    whole = _whole(data)
    assert isinstance(whole[0], MessageTooLarge) and whole[1].event == "Next"
    assert _byte_by_byte(data) == whole


def test_crlf_counts_as_one_byte_towards_the_limit() -> None:
    data = _event_of_size(LIMIT).replace(b"\n", b"\r\n") + b"\r\n\r\n"
    assert [type(i) for i in _byte_by_byte(data)] == [Message]


def test_banner_longer_than_the_limit_is_refused_however_it_arrives() -> None:
    data = b"A" * (LIMIT + 5) + b"\r\nEvent: X\r\n\r\nEvent: Y\r\n\r\n"
    whole = AmiParser(max_message_bytes=LIMIT).feed(data)
    parser = AmiParser(max_message_bytes=LIMIT)
    assert feed_all(parser, [data[i : i + 7] for i in range(0, len(data), 7)]) == whole
    assert isinstance(whole[0], MessageTooLarge) and whole[-1].event == "Y"


# -- properties: chunking never changes the result, around the limit too ------------------

SMALL_LIMIT = 64

_follows = st.builds(
    lambda lines, end: (
        b"Response: Follows\nActionID: f\n"
        + b"\n".join(lines)
        + (b"\n--END COMMAND--" if end else b"")
    ),
    st.lists(st.sampled_from([b"", b"out", b"key: v", b"Event", b"--END"]), max_size=12),
    st.booleans(),
)
_near_limit = st.integers(SMALL_LIMIT - 3, SMALL_LIMIT + 3).map(_event_of_size)
_any_event = st.integers(12, SMALL_LIMIT * 3).map(_event_of_size)
_garbage = st.binary(max_size=40)
_separator = st.sampled_from([b"\n\n", b"\r\n\r\n", b"\n\n\n", b"\r\n\n"])


@st.composite
def _streams(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.one_of(_near_limit, _any_event, _follows, _garbage), max_size=8))
    stream = b"".join(part + draw(_separator) for part in parts)
    if draw(st.booleans()):
        stream = stream.replace(b"\n", b"\r\n")
    return stream


@budget(300)
@given(_streams(), st.lists(st.integers(0, 2000), max_size=12), st.booleans())
def test_chunking_never_changes_the_result(stream: bytes, cuts: list[int], banner: bool) -> None:
    if banner:
        stream = b"Asterisk Call Manager/11.0.0\r\n" + stream
    whole = AmiParser(expect_banner=banner, max_message_bytes=SMALL_LIMIT).feed(stream)
    chunks = split_at(stream, sorted(c for c in cuts if c <= len(stream)))
    parser = AmiParser(expect_banner=banner, max_message_bytes=SMALL_LIMIT)
    assert feed_all(parser, chunks) == whole
    one_by_one = AmiParser(expect_banner=banner, max_message_bytes=SMALL_LIMIT)
    assert feed_all(one_by_one, [stream[i : i + 1] for i in range(len(stream))]) == whole


@budget(200)
@given(_streams())
def test_a_message_after_anything_survives_and_memory_stays_bounded(stream: bytes) -> None:
    parser = AmiParser(expect_banner=False, max_message_bytes=SMALL_LIMIT)
    items = feed_all(parser, [stream[i : i + 5] for i in range(0, len(stream), 5)])
    assert parser.buffered <= SMALL_LIMIT + 2 * 5 + 16
    items += parser.feed(b"\r\n\r\nEvent: Survivor\r\n\r\n")
    assert isinstance(items[-1], Message) and items[-1].event == "Survivor"
    assert all(isinstance(i, Message | FrameError) for i in items)
