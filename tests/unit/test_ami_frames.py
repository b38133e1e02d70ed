"""The sans-I/O AMI codec: framing, tolerance, bounds, encoding, and properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchboard.cti.ami.frames import (
    AmiParser,
    Banner,
    FrameError,
    HeaderInjectionError,
    Message,
    MessageTooLarge,
    encode_message,
)
from switchboard.testing.ami import feed_all, split_at

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "captures"
MD5_STREAM = (FIXTURES / "ami-actions" / "ami-md5-login.from-asterisk.raw").read_bytes()
ACTIONS_HEAD = (FIXTURES / "ami-actions" / "ami-actions.from-asterisk.raw").read_bytes()[:6000]
BANNER = b"Asterisk Call Manager/11.0.0\r\n"


def _messages(items: list) -> list[Message]:
    return [i for i in items if isinstance(i, Message)]


def test_banner_then_message() -> None:
    items = AmiParser().feed(BANNER + b"Response: Success\r\nActionID: a1\r\nPing: Pong\r\n\r\n")
    assert items[0] == Banner("Asterisk Call Manager/11.0.0")
    assert items[0].version == "11.0.0" and items[0].name == "Asterisk Call Manager"
    msg = items[1]
    assert isinstance(msg, Message)
    assert (msg.response, msg.action_id, msg.event) == ("Success", "a1", None)
    assert msg.get("ping") == "Pong" and "PING" in msg and "Nope" not in msg


def test_repeated_headers_and_empty_values_keep_order() -> None:
    raw = b"Event: X\r\nVariable: a=1\r\nOutput: \r\nVariable: b=2\r\nPausedReason: \r\n\r\n"
    [msg] = AmiParser(expect_banner=False).feed(raw)
    assert msg.get_all("variable") == ["a=1", "b=2"]
    assert msg.get("Output") == "" and msg.get("PausedReason") == ""
    assert msg.headers[0] == ("Event", "X")
    assert msg.as_dict()["Variable"] == ["a=1", "b=2"]


def test_bare_lf_and_crlf_lf_drift_are_tolerated() -> None:
    data = b"Event: A\nX: 1\n\nEvent: B\r\nY: 2\r\n\nEvent: C\r\n\r\n"
    assert [m.event for m in AmiParser(expect_banner=False).feed(data)] == ["A", "B", "C"]


def test_cr_split_across_chunks() -> None:
    parser = AmiParser(expect_banner=False)
    assert parser.feed(b"Event: A\r\nX: 1\r") == []
    assert parser.feed(b"\n\r") == []
    [msg] = parser.feed(b"\n")
    assert msg.headers == (("Event", "A"), ("X", "1"))


def test_two_events_in_one_chunk_keep_their_order() -> None:
    items = AmiParser(expect_banner=False).feed(b"Event: First\r\n\r\nEvent: Second\r\n\r\n")
    assert [m.event for m in items] == ["First", "Second"]


def test_bad_frame_resyncs_at_next_blank_line() -> None:
    data = b"garbage without colon\r\nmore\r\n\r\nEvent: Good\r\nA: b\r\n\r\n"
    items = AmiParser(expect_banner=False).feed(data)
    assert isinstance(items[0], FrameError) and items[0].data.startswith(b"garbage")
    assert items[1].event == "Good"


def test_routing_fields_found_out_of_order_and_any_case() -> None:
    [msg] = AmiParser(expect_banner=False).feed(b"actionid: z\r\nresponse: Error\r\n\r\n")
    assert (msg.response, msg.action_id) == ("Error", "z")
    [ev] = AmiParser(expect_banner=False).feed(b"Event: E\r\nactionID: q\r\n\r\n")
    assert ev.action_id == "q"


def test_server_side_parses_actions() -> None:
    [act] = AmiParser(expect_banner=False).feed(b"Action: Ping\r\nActionID: 7\r\n\r\n")
    assert act.action == "Ping" and act.action_id == "7" and act.event is None


def test_legacy_follows_output_with_blank_lines() -> None:
    data = (
        b"Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\n"
        b"line one\nline: two\n\nafter blank\n--END COMMAND--\r\n\r\nEvent: Next\r\n\r\n"
    )
    parser = AmiParser(expect_banner=False)
    items = feed_all(parser, split_at(data, [40, 60, 75]))
    assert [type(i) for i in items] == [Message, Message]
    assert items[0].get_all("Output") == ["line one", "line: two", "", "after blank"]
    assert items[0].action_id == "c1" and items[1].event == "Next"


def test_endless_line_is_reported_and_parser_recovers() -> None:
    parser = AmiParser(expect_banner=False, max_message_bytes=1024)
    items = parser.feed(b"Event: Flood\r\nX: " + b"a" * 600)
    assert items == []
    [too_big] = parser.feed(b"b" * 600)
    assert isinstance(too_big, MessageTooLarge) and too_big.limit == 1024
    assert parser.buffered <= 1
    assert parser.feed(b"c" * 5000) == []  # still discarding, memory bounded
    assert parser.buffered <= 1
    [msg] = parser.feed(b"\r\n\r\nEvent: Fine\r\n\r\n")
    assert msg.event == "Fine"


def test_complete_oversized_message_is_reported() -> None:
    parser = AmiParser(expect_banner=False, max_message_bytes=1024)
    items = parser.feed(b"Event: Big\r\nX: " + b"a" * 2000 + b"\r\n\r\nEvent: Ok\r\n\r\n")
    assert isinstance(items[0], MessageTooLarge) and items[1].event == "Ok"


def test_endless_banner_is_bounded() -> None:
    parser = AmiParser(max_message_bytes=1024)
    [err] = parser.feed(b"A" * 2000)
    assert isinstance(err, MessageTooLarge)


def test_message_is_immutable_and_comparable() -> None:
    msg = Message([("Event", "X"), ("ActionID", "1")])
    with pytest.raises(AttributeError):
        msg._event = "Y"  # type: ignore[misc]
    assert msg.event == "X" and msg.action_id == "1"
    [parsed] = AmiParser(expect_banner=False).feed(encode_message(msg.headers))
    assert parsed == msg and hash(parsed) == hash(msg)


def test_a_parsed_message_exposes_its_wire_bytes_read_only() -> None:
    [msg] = AmiParser(expect_banner=False).feed(b"Event: VarSet\r\nVariable: __X\r\n\r\n")
    assert msg.raw == b"Event: VarSet\nVariable: __X"
    with pytest.raises(AttributeError, match="immutable"):
        msg.raw = b""  # type: ignore[misc]
    assert Message([("Event", "VarSet")]).raw is None  # built, never on the wire


def test_encode_refuses_header_injection() -> None:
    with pytest.raises(HeaderInjectionError):
        encode_message([("Action", "Setvar"), ("Value", "x\r\nAction: Hangup")])
    with pytest.raises(HeaderInjectionError):
        encode_message([("Bad:Name", "x")])
    assert encode_message([("Action", "Ping"), ("Empty", "")]) == (
        b"Action: Ping\r\nEmpty: \r\n\r\n"
    )


# -- properties ---------------------------------------------------------------------------
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=len(ACTIONS_HEAD)), max_size=40))
def test_any_split_yields_the_same_messages(cuts: list[int]) -> None:
    expected = AmiParser().feed(ACTIONS_HEAD)
    assert feed_all(AmiParser(), split_at(ACTIONS_HEAD, cuts)) == expected


@settings(max_examples=60)
@given(st.integers(min_value=1, max_value=64))
def test_every_chunk_size_yields_the_same_messages(size: int) -> None:
    chunks = [MD5_STREAM[i : i + size] for i in range(0, len(MD5_STREAM), size)]
    assert feed_all(AmiParser(), chunks) == AmiParser().feed(MD5_STREAM)


@settings(max_examples=300)
@given(st.binary(max_size=300), st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_garbage_never_raises_and_never_eats_a_following_message(
    garbage: bytes, cuts: list[int]
) -> None:
    tail = b"\r\n\r\nEvent: Survivor\r\nActionID: s1\r\n\r\n"
    items = feed_all(AmiParser(expect_banner=False), split_at(garbage + tail, cuts))
    last = items[-1]
    assert isinstance(last, Message)
    assert last.event == "Survivor" and last.action_id == "s1"


_names = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"),
    min_size=1,
    max_size=12,
)
_values = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\0"), max_size=30
).map(lambda v: v.strip(" ") and v.lstrip(" "))


@settings(max_examples=200)
@given(st.lists(st.tuples(_names, _values), min_size=1, max_size=8))
def test_encode_parse_round_trip(headers: list[tuple[str, str]]) -> None:
    headers = [("Event", "RoundTrip"), *headers]
    [msg] = AmiParser(expect_banner=False).feed(encode_message(headers))
    assert msg.headers == tuple(headers)


@given(st.text(max_size=10), st.sampled_from(["\r", "\n", "\r\n"]), st.text(max_size=10))
def test_cr_or_lf_in_a_value_is_refused(a: str, bad: str, b: str) -> None:
    with pytest.raises(HeaderInjectionError):
        encode_message([("Action", "UserEvent"), ("Body", a + bad + b)])


def test_unterminated_follows_never_swallows_the_next_message() -> None:
    data = b"Response: Follows\r\nActionID: c\r\nout\r\n\r\nEvent: After\r\n\r\n"
    items = AmiParser(expect_banner=False).feed(data)
    assert [m.response or m.event for m in items] == ["Follows", "After"]
