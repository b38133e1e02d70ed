# -*- test-case-name: tests.sim.test_app_args -*-
"""Arguments cut as Asterisk 22 cuts them: main/app.c ``__ast_app_separate_args`` (the
standard macros, quotes and backslashes removed) and main/manager.c
``man_do_variable_value`` for the ``Variable:`` headers of an Originate."""

from __future__ import annotations

from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.sim._app_args import originate_variables, separate_args
from tests.sim.test_ami import session


def test_commas_separate_only_at_the_top_level() -> None:
    assert separate_args("sales,t,,,30") == ["sales", "t", "", "", "30"]
    assert separate_args("Local/1001@agents/n,20,M(greet,en)") == [
        "Local/1001@agents/n",
        "20",
        "M(greet,en)",
    ]
    assert separate_args("a[1,2],b") == ["a[1,2]", "b"]
    # Quotes group and are removed; a backslash keeps the next character literally.
    assert separate_args('"/var/spool/a,b.wav",b') == ["/var/spool/a,b.wav", "b"]
    assert separate_args(r"x\,y,z") == ["x,y", "z"]
    assert separate_args(r"say \"hi\"") == ['say "hi"']
    # A trailing comma leaves one more, empty, argument; nothing leaves none.
    assert separate_args("sales,") == ["sales", ""]
    assert separate_args("") == []


def test_a_bounded_count_keeps_the_rest_unsplit() -> None:
    assert separate_args("a,b,c,d", limit=2) == ["a", "b,c,d"]
    assert separate_args('a,"b",c', limit=2) == ["a", '"b",c']


def test_one_variable_header_may_set_several_variables() -> None:
    headers = ["A=1,B=2", '  NOTE="late, again"', r"LIST=x\,y", "NOVALUE", "=orphan", "E="]
    assert originate_variables(headers) == [
        ("A", "1"),
        ("B", "2"),
        ("NOTE", "late, again"),
        ("LIST", "x,y"),
        ("E", ""),
    ]


def test_the_simulated_originate_sets_every_variable_of_a_header() -> None:
    # A client that sends ``Variable: A=1,B=2`` gets two variables from a real Asterisk;
    # the simulator must not hand it one variable named A with the value "1,B=2".
    _clock, proto, transport = session()
    pbx = proto.handler.pbx
    proto.dataReceived(
        b"Action: Login\r\nUsername: u\r\nSecret: s3cret\r\nEvents: off\r\n\r\n"
        b"Action: Originate\r\nActionID: o1\r\nChannel: Local/100@switchboard-ivr\r\n"
        b"Context: switchboard-ivr\r\nExten: 100\r\nPriority: 1\r\nAsync: true\r\n"
        b"Variable: CALLBACK_ID=cb-7,CALLBACK_NUMBER=13800138000\r\n"
        b'Variable: NOTE="late, again"\r\n\r\n'
    )
    replies = [m for m in AmiParser().feed(transport.value()) if isinstance(m, Message)]
    assert any(m.action_id == "o1" and m.response == "Success" for m in replies)
    legs = [c for c in pbx.channels.values() if c.name.startswith("Local/100@switchboard-ivr")]
    assert legs, "the Originate opened no Local pair"
    for leg in legs:
        assert leg.variables.get("CALLBACK_ID") == "cb-7"
        assert leg.variables.get("CALLBACK_NUMBER") == "13800138000"
        assert leg.variables.get("NOTE") == "late, again"
