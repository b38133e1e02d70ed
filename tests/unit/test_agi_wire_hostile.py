"""The AGI codec against a hostile peer: linear parsing, and no exception on any input
(issue 9, items 4 and 6)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchboard.cti.agi.wire import (
    AgiEnvironment,
    AgiParser,
    LineTooLong,
    Reply,
    UnsafeArgument,
    app_argument,
    format_command,
    parse_command_line,
    parse_reply_line,
)
from tests.fuzz_budget import budget

_OLD_TRAILER = re.compile(r"^(?: [A-Za-z_]\w*=\S*)*$")


def _data_by_trying_every_parenthesis(tail: str) -> str | None:
    """The former rule, quadratic but plainly right: the last ')' followed only by pairs."""
    end = len(tail)
    while (end := tail.rfind(")", 0, end)) > 0:
        if _OLD_TRAILER.match(tail[end + 1 :]):
            return tail[1:end]
    return None


def test_many_closing_parentheses_parse_in_one_pass() -> None:
    # The shape from issue 9: seconds at 32-64 KB, a concurrent call stalled 8 s.
    line = "200 result=1 (" + ") a=b" * 12_000 + " !"
    reply = parse_reply_line(line)
    # No ')' is followed only by key=value pairs (the line ends in " !"): no data.
    assert reply.result == "1" and reply.data is None
    assert len(reply.extras) == 12_000 and reply.extras[-1] == ("a", "b")


def test_a_long_word_without_a_pair_is_not_rescanned_from_each_position() -> None:
    line = "200 result=1 " + "a" * 60_000 + " endpos=5"
    assert parse_reply_line(line).extras == (("endpos", "5"),)


def test_data_holding_parentheses_and_pairs_keeps_its_trailer() -> None:
    reply = parse_reply_line("200 result=1 (f(x) y=1) endpos=7 z=")
    assert reply.data == "f(x) y=1" and reply.extras == (("endpos", "7"), ("z", ""))


def test_a_line_sent_one_byte_at_a_time_is_parsed_once_complete() -> None:
    parser = AgiParser(max_line_bytes=65_536)
    parser.feed(b"agi_network: yes\n\n")
    line = b"200 result=1 (" + b"x" * 60_000 + b")\n"
    items = [item for i in range(len(line)) for item in parser.feed(line[i : i + 1])]
    assert [type(i) for i in items] == [Reply] and items[0].data == "x" * 60_000


def test_a_bad_request_url_never_raises_out_of_the_parser() -> None:
    # urlsplit raises ValueError on this host; Twisted logged it with no call context.
    (env,) = AgiParser().feed(
        b"agi_network: yes\nagi_network_script: main-menu?x=1\n"
        b"agi_request: agi://[::1/main-menu?x=1\n\n"
    )
    assert env.script == "main-menu" and dict(env.query) == {"x": "1"}


def test_script_and_query_come_from_the_url_without_a_network_script() -> None:
    env = AgiEnvironment.from_pairs([("agi_request", "agi://[::1/sales%20line?lang=fr#x")])
    assert env.script == "sales line" and dict(env.query) == {"lang": "fr"}


def test_a_superscript_digit_in_an_argument_name_is_not_an_argument() -> None:
    env = AgiEnvironment.from_pairs([("agi_arg_1", "a"), ("agi_arg_\u00b2", "b")])
    assert env.args == ("a",)


@pytest.mark.parametrize("bad", [",", "|", '"', "\\", "\n", "\0"])
def test_an_application_argument_refuses_its_separators(bad: str) -> None:
    with pytest.raises(UnsafeArgument, match="mailbox"):
        app_argument(f"1001{bad}x", "mailbox")


def test_checked_arguments_reach_the_application_whole() -> None:
    data = ",".join([app_argument("PJSIP/1001@trunk"), "20"])
    assert parse_command_line(format_command("EXEC", "Dial", data).decode()) == [
        "EXEC",
        "Dial",
        "PJSIP/1001@trunk,20",
    ]


# -- properties --------------------------------------------------------------------------

_tails = st.text(alphabet="() a=b_\t!x1", max_size=40)


@budget(500)
@given(_tails)
def test_the_data_is_what_the_former_rule_found(tail: str) -> None:
    tail = "(" + tail
    assert parse_reply_line("200 result=1 " + tail).data == _data_by_trying_every_parenthesis(tail)


_env_names = st.sampled_from(
    ["agi_request", "agi_network_script", "agi_arg_1", "agi_arg_\u00b2", "agi_arg_99", "agi_x"]
)
_url_text = st.text(alphabet="agi:/[]?#&=%:.1x ", max_size=30)


@budget(300)
@given(st.lists(st.tuples(_env_names, _url_text), max_size=6))
def test_any_environment_gives_an_environment(pairs: list[tuple[str, str]]) -> None:
    block = b"".join(f"{n}: {v}\n".encode() for n, v in pairs) + b"\n"
    items = AgiParser().feed(block)
    assert isinstance(items[-1], AgiEnvironment)


_reply_lines = st.one_of(
    st.text(alphabet="0125 result=()-a\t!", max_size=60),
    st.builds(lambda t: "200 result=1 " + t, _tails),
)


@budget(300)
@given(st.lists(_reply_lines, max_size=8), st.lists(st.integers(0, 600), max_size=10))
def test_replies_parse_the_same_however_they_are_cut(lines: list[str], cuts: list[int]) -> None:
    stream = b"agi_network: yes\n\n" + b"".join(line.encode() + b"\n" for line in lines)
    whole = AgiParser(max_line_bytes=32).feed(stream)
    parser = AgiParser(max_line_bytes=32)
    bounds = sorted(c for c in cuts if c <= len(stream))
    pieces = [stream[a:b] for a, b in zip([0, *bounds], [*bounds, len(stream)], strict=True)]
    assert [i for piece in pieces for i in parser.feed(piece)] == whole


@budget(200)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_an_accepted_application_argument_is_one_argument(value: str) -> None:
    try:
        checked = app_argument(value)
    except UnsafeArgument:
        return
    [_, _, data] = parse_command_line(format_command("EXEC", "Dial", checked + ",5").decode())
    assert data.split(",") == [value, "5"]


def test_an_endless_environment_is_cut_at_the_line_limit() -> None:
    parser = AgiParser(max_line_bytes=1024)
    items = []
    for _ in range(200):  # 200 * 16 bytes, never the blank line
        items += parser.feed(b"agi_padding: xx\n")
    assert items == [LineTooLong(1024)]
    assert parser.feed(b"\n200 result=0\n") == []  # nothing more is parsed


@budget(200)
@given(st.integers(1000, 1100), st.lists(st.integers(0, 1200), max_size=6))
def test_the_environment_limit_does_not_depend_on_reads(size: int, cuts: list[int]) -> None:
    line = b"agi_x: " + b"y" * 90 + b"\n"
    env = line * (size // len(line)) + b"agi_z: " + b"z" * (size % len(line)) + b"\n\n"
    stream = env + b"200 result=1\n"
    whole = AgiParser(max_line_bytes=1024).feed(stream)
    parser = AgiParser(max_line_bytes=1024)
    bounds = sorted(c for c in cuts if c <= len(stream))
    pieces = [stream[a:b] for a, b in zip([0, *bounds], [*bounds, len(stream)], strict=True)]
    assert [i for piece in pieces for i in parser.feed(piece)] == whole
