"""The sans-I/O FastAGI codec: replies, environment, quoting, bounds, and properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switchboard.cti.agi.wire import (
    AgiEnvironment,
    AgiParser,
    HangupNotice,
    LineTooLong,
    MalformedLine,
    Progress,
    Quoted,
    Reply,
    UnsafeArgument,
    format_command,
    parse_command_line,
    parse_reply_line,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "captures"
RX_STREAMS = sorted(FIXTURES.glob("*/agi/*.rx.raw"))


@pytest.mark.parametrize(
    ("line", "result", "data", "endpos"),
    [
        ("200 result=0", "0", None, None),
        ("200 result=49 endpos=13440", "49", None, 13440),
        ("200 result=-1 endpos=15840", "-1", None, 15840),
        ("200 result=", "", None, None),
        ("200 result= (timeout)", "", "timeout", None),
        ("200 result=1 (sales)", "1", "sales", None),
        (
            "200 result=1 (5551005|Eve Customer|1.23|1.24)",
            "1",
            "5551005|Eve Customer|1.23|1.24",
            None,
        ),
        ("200 result=1 (a (b) c)", "1", "a (b) c", None),
        ("200 result=0 (timeout) endpos=8000", "0", "timeout", 8000),
        ("200 result=1 ()", "1", "", None),
    ],
)
def test_200_replies_are_split_into_result_data_and_extras(
    line: str, result: str, data: str | None, endpos: int | None
) -> None:
    reply = parse_reply_line(line)
    assert isinstance(reply, Reply)
    assert (reply.code, reply.result, reply.data, reply.endpos) == (200, result, data, endpos)


def test_get_data_timeout_flag_and_integer_result() -> None:
    reply = parse_reply_line("200 result= (timeout)")
    assert isinstance(reply, Reply) and reply.timed_out and reply.result_int is None
    reply = parse_reply_line("200 result=45")
    assert isinstance(reply, Reply) and reply.result_int == 45 and not reply.timed_out


def test_error_codes_notices_and_progress_are_classified() -> None:
    assert parse_reply_line("510 Invalid or unknown command") == Reply(
        510, "510 Invalid or unknown command"
    )
    dead = parse_reply_line("511 Command Not Permitted on a dead channel or intercept routine")
    assert isinstance(dead, Reply) and dead.code == 511
    assert parse_reply_line("HANGUP") == HangupNotice()
    assert parse_reply_line("100 Trying...") == Progress("100 Trying...")
    assert isinstance(parse_reply_line("hello"), MalformedLine)


def test_usage_block_is_one_reply_and_hangup_between_replies_is_a_notice() -> None:
    parser = AgiParser()
    items = parser.feed(b"agi_network: yes\n\n200 result=-1\nHANGUP\n")
    assert items[1:] == [Reply(200, "200 result=-1", "-1"), HangupNotice()]
    items = parser.feed(b"520-Invalid command syntax.  Proper usage follows:\nline one\n")
    assert items == []
    (usage,) = parser.feed(b"line two\n520 End of proper usage.\n")
    assert isinstance(usage, Reply) and usage.code == 520
    assert usage.usage == "line one\nline two"


def test_environment_with_args_and_query_parameters() -> None:
    parser = AgiParser()
    (env,) = parser.feed(
        b"agi_network: yes\n"
        b"agi_network_script: main-menu?lang=yue\n"
        b"agi_request: agi://127.0.0.1:4573/main-menu?lang=yue&vip=\n"
        b"agi_channel: Local/s@switchboard-ivr-0000000b;2\n"
        b"agi_uniqueid: 1795369105.24\n"
        b"agi_callerid: 5551005\n"
        b"agi_accountcode: \n"
        b"agi_arg_2: en\n"
        b"agi_arg_1: 5551005\n"
        b"agi_arg_10: ten\n"
        b"\n"
    )
    assert isinstance(env, AgiEnvironment)
    assert env.script == "main-menu"
    assert dict(env.query) == {"lang": "yue", "vip": ""}
    assert env.args[:2] == ("5551005", "en") and env.args[-1] == "ten"
    assert env.network and env.channel.endswith(";2") and env.callerid == "5551005"
    assert env.get("accountcode") == "" and env.uniqueid == "1795369105.24"


def test_process_agi_request_gives_the_script_name() -> None:
    env = AgiEnvironment.from_pairs([("agi_request", "main-menu")])
    assert env.script == "main-menu" and not env.network


def test_over_long_line_is_reported_once_and_parsing_resumes() -> None:
    parser = AgiParser(max_line_bytes=16)
    assert parser.feed(b"\n") != []  # empty environment
    assert parser.feed(b"200 result=" + b"9" * 10) == [LineTooLong(16)]
    assert parser.feed(b"9" * 1000) == []
    assert parser.feed(b"\n200 result=0\n") == [Reply(200, "200 result=0", "0")]


@pytest.mark.parametrize(
    ("verb", "args", "wire"),
    [
        (
            "STREAM FILE",
            ("tt-monkeysintro", Quoted("0123456789*#")),
            b'STREAM FILE tt-monkeysintro "0123456789*#"\n',
        ),
        ("SAY DIGITS", ("245", Quoted("")), b'SAY DIGITS 245 ""\n'),
        ("GET DATA", ("beep", 4000, 4), b"GET DATA beep 4000 4\n"),
        ("SET VARIABLE", ("X", ""), b'SET VARIABLE X ""\n'),
        ("SET VARIABLE", ("X", 'say "hi" \\o/'), b'SET VARIABLE X "say \\"hi\\" \\\\o/"\n'),
        (
            "EXEC",
            ("Dial", "Local/agent1001@switchboard-agents/n,12,g"),
            b"EXEC Dial Local/agent1001@switchboard-agents/n,12,g\n",
        ),
        ("VERBOSE", (Quoted("a b"), 1), b'VERBOSE "a b" 1\n'),
    ],
)
def test_commands_are_quoted_only_where_needed(verb: str, args: tuple, wire: bytes) -> None:
    assert format_command(verb, *args) == wire


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "\n", "x\0"])
def test_cr_lf_and_nul_are_refused(bad: str) -> None:
    with pytest.raises(UnsafeArgument):
        format_command("SET VARIABLE", "X", bad)
    with pytest.raises(UnsafeArgument):
        format_command("VERBOSE", Quoted(bad))
    with pytest.raises(UnsafeArgument):
        format_command(f"VERBOSE {bad}")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('SAY DIGITS 2 ""', ["SAY", "DIGITS", "2", ""]),
        ('VERBOSE "a  b" 1', ["VERBOSE", "a  b", "1"]),
        ("  A\t B  ", ["A", "B"]),
        ('X ab"c d"e', ["X", "abc de"]),
        ('X a\\ b "q\\"q" \\\\', ["X", "a b", 'q"q', "\\"]),
        ("X trailing\\", ["X", "trailing"]),
        ("", []),
    ],
)
def test_command_lines_split_as_asterisk_does(line: str, words: list[str]) -> None:
    assert parse_command_line(line) == words


# -- properties ------------------------------------------------------------------------------

_safe_text = st.text(
    alphabet=st.characters(blacklist_characters="\r\n\0", blacklist_categories=("Cs",)),
    max_size=30,
)


@given(st.lists(st.one_of(_safe_text, _safe_text.map(Quoted), st.integers()), max_size=6))
def test_quoting_round_trips_through_parse_command_line(args: list) -> None:
    line = format_command("SET VARIABLE", *args).decode()
    expected = [a.value if isinstance(a, Quoted) else str(a) for a in args]
    assert parse_command_line(line) == ["SET", "VARIABLE", *expected]


@given(_safe_text, st.sampled_from(["\r", "\n"]), _safe_text)
def test_any_argument_with_cr_or_lf_is_refused(head: str, bad: str, tail: str) -> None:
    with pytest.raises(UnsafeArgument):
        format_command("VERBOSE", head + bad + tail)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_split_of_a_captured_stream_parses_the_same(data: st.DataObject) -> None:
    raw = data.draw(st.sampled_from(RX_STREAMS)).read_bytes()
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=12)))
    whole = AgiParser().feed(raw)
    parser = AgiParser()
    pieces = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    assert [item for piece in pieces for item in parser.feed(piece)] == whole


@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=5))
def test_arbitrary_bytes_never_raise(raw: bytes, cuts: list[int]) -> None:
    parser = AgiParser(max_line_bytes=64)
    bounds = sorted(c for c in cuts if c <= len(raw))
    for a, b in zip([0, *bounds], [*bounds, len(raw)], strict=True):
        parser.feed(raw[a:b])
    for chunk in ([raw], [raw[:1], raw[1:]]):
        split = AgiParser(max_line_bytes=64)
        assert [i for c in chunk for i in split.feed(c)] == AgiParser(max_line_bytes=64).feed(raw)
