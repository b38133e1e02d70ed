# -*- test-case-name: tests.sim.test_functions -*-
"""Dialplan functions set like variables: main/pbx_variables.c
(``pbx_builtin_setvar_helper``) writes a name ending in ``)`` through the function, so
Asterisk raises no ``VarSet`` for it, and reads it back through the function."""

from __future__ import annotations

from typing import Any

from switchboard.cti.ami.frames import AmiParser, Message
from tests.sim.test_ami import session


def _watched_channel() -> tuple[Any, Any, Any, list[dict[str, str]]]:
    """An AMI session, its transport, the ``;2`` of a new Local pair and the events seen."""
    _clock, proto, transport = session()
    pbx = proto.handler.pbx
    _one, two = pbx.new_local_pair("s", "switchboard-ivr")
    seen: list[dict[str, str]] = []
    pbx.subscribe(lambda headers: seen.append(dict(headers)))
    return proto, transport, two, seen


def test_setting_the_channel_language_changes_it_without_a_varset() -> None:
    proto, transport, two, seen = _watched_channel()
    chan = two.name.encode()
    proto.dataReceived(
        b"Action: Login\r\nUsername: u\r\nSecret: s3cret\r\nEvents: off\r\n\r\n"
        b"Action: Setvar\r\nActionID: s\r\nChannel: " + chan + b"\r\n"
        b"Variable: CHANNEL(language)\r\nValue: zh_HK\r\n\r\n"
        b"Action: Getvar\r\nActionID: g\r\nChannel: " + chan + b"\r\n"
        b"Variable: CHANNEL(language)\r\n\r\n"
    )
    frames = AmiParser().feed(transport.value())
    replies = {m.action_id: m for m in frames if isinstance(m, Message)}
    assert replies["s"].response == "Success"
    assert replies["g"].get("Value") == "zh_HK"
    assert two.language == "zh_HK"
    assert not [h for h in seen if h.get("Event") == "VarSet"]


def test_a_plain_variable_still_raises_varset() -> None:
    proto, _transport, two, seen = _watched_channel()
    proto.handler.pbx.setvar(two, "SWITCHBOARD_LANGUAGE", "yue")
    assert [(h["Variable"], h["Value"]) for h in seen if h.get("Event") == "VarSet"] == [
        ("SWITCHBOARD_LANGUAGE", "yue")
    ]
    assert two.language == "en"
