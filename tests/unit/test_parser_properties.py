"""Every parser of peer input, fed anything: no exception, and the values it returns can be
read in full (AMI headers are parsed lazily, so reading them is part of parsing).

Bounded here; ``make fuzz`` runs the same properties with a much larger budget."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from switchboard.cti.agi.wire import (
    AgiEnvironment,
    AgiParser,
    Reply,
    parse_command_line,
    parse_reply_line,
)
from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.testing.ami import feed_all, split_at
from tests.fuzz_budget import budget

_ami_words = st.sampled_from(
    [
        b"Event: ",
        b"Response: Follows",
        b"ActionID:",
        b"--END COMMAND--",
        b"\r\n",
        b"\n",
        b"\r",
        b": ",
        b"x",
        b"\xff",
        b"Output: a",
        b"\n\n",
    ]
)
_ami_streams = st.one_of(st.binary(max_size=300), st.lists(_ami_words, max_size=60).map(b"".join))


def _read_all(message: Message) -> None:
    message.as_dict()
    message.get("ActionID")
    message.get_all("Output")
    repr(message)


@budget(300)
@given(_ami_streams, st.lists(st.integers(0, 400), max_size=8), st.booleans())
def test_ami_parser_takes_anything(stream: bytes, cuts: list[int], banner: bool) -> None:
    parser = AmiParser(expect_banner=banner, max_message_bytes=128)
    items = feed_all(parser, split_at(stream, sorted(c for c in cuts if c <= len(stream))))
    assert items == AmiParser(expect_banner=banner, max_message_bytes=128).feed(stream)
    for item in items:
        if isinstance(item, Message):
            _read_all(item)


_agi_names = st.sampled_from(
    ["agi_request", "agi_network_script", "agi_arg_1", "agi_arg_\u0663", "agi_callerid", "x"]
)
_agi_values = st.text(alphabet='agi:/[]?#&=%.1x \t\\"()', max_size=30)
_agi_lines = st.one_of(
    st.tuples(_agi_names, _agi_values).map(lambda p: f"{p[0]}: {p[1]}"),
    st.text(max_size=40),
    st.sampled_from(["HANGUP", "520-usage", "520 End of proper usage.", "200 result=1 (x)"]),
)


@budget(300)
@given(st.lists(_agi_lines, max_size=12), st.binary(max_size=80), st.integers(0, 200))
def test_agi_parser_takes_anything(lines: list[str], noise: bytes, cut: int) -> None:
    stream = "".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass") + noise
    parser = AgiParser(max_line_bytes=64)
    items = parser.feed(stream[:cut]) + parser.feed(stream[cut:])
    assert items == AgiParser(max_line_bytes=64).feed(stream)
    for item in items:
        if isinstance(item, AgiEnvironment):
            assert isinstance(item.script, str) and all(isinstance(a, str) for a in item.args)
        if isinstance(item, Reply):
            _ = (item.result_int, item.endpos, item.usage, item.timed_out)


@budget(300)
@given(st.text(max_size=120))
def test_reply_lines_and_command_lines_take_any_text(text: str) -> None:
    reply = parse_reply_line(text)
    if isinstance(reply, Reply):
        _ = (reply.result_int, reply.endpos, reply.usage)
    assert all(isinstance(word, str) for word in parse_command_line(text))
