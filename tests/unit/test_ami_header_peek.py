# -*- test-case-name: tests.unit.test_ami_header_peek -*-
"""``Message.get`` reads a header of an unparsed event straight from its bytes: it must
give exactly what the full header parse gives, for every header of every captured event."""

from __future__ import annotations

import pytest

from switchboard.cti.ami.frames import AmiParser, Message
from tests.calls.replay import CAPTURES, messages

ALL = sorted(str(p.relative_to(CAPTURES).with_suffix("")) for p in CAPTURES.glob("*/*.jsonl"))


def _fresh(raw: bytes) -> Message:
    (msg,) = AmiParser(expect_banner=False).feed(raw + b"\r\n\r\n")
    assert isinstance(msg, Message)
    return msg


@pytest.mark.parametrize("capture", ALL)
def test_every_header_read_from_the_bytes_equals_the_full_parse(capture: str) -> None:
    checked = 0
    for msg, _wall in messages(capture):
        if msg.raw is None or not msg.event:
            continue
        names = {name for name, _ in msg.headers}  # the parse, on this copy only
        for name in names | {"Nonexistent", "uniqueid", "Channel", "DestChannel"}:
            fresh = _fresh(msg.raw)  # unparsed: get() reads the bytes
            assert fresh.get(name) == msg.get(name), (capture, name)
            checked += 1
    if capture.startswith("scenario-6calls"):  # (some captures are logins only)
        assert checked > 1000


def test_names_that_end_another_name_and_odd_values_are_read_right() -> None:
    raw = (
        b"Event: DialBegin\r\nDestChannel: PJSIP/2001-1\r\nChannel: PJSIP/1001-1\r\n"
        b"Empty:\r\nSpaced:   two spaces kept\r\nText: caf\xc3\xa9"
    )
    assert _fresh(raw).get("Channel") == "PJSIP/1001-1"
    assert _fresh(raw).get("DestChannel") == "PJSIP/2001-1"
    assert _fresh(raw).get("Empty") == ""
    assert _fresh(raw).get("Spaced") == "  two spaces kept"
    assert _fresh(raw).get("Text") == "café"
    assert _fresh(raw).get("Event") == "DialBegin"
    assert _fresh(raw).get("channel") == "PJSIP/1001-1"  # another spelling: full parse
    assert _fresh(raw).get("Missing", "default") == "default"


def test_a_built_message_reads_its_headers() -> None:
    built = Message([("Event", "Hangup"), ("Uniqueid", "1.2")])
    assert built.get("Uniqueid") == "1.2" and built.get("uniqueid") == "1.2"
