"""Replay a captured AMI connection into a CallModel, stamping each event with its time.

The ``.jsonl`` next to each capture holds every TCP chunk Asterisk sent with its wall-clock
``wall``; events are stamped with the time of the chunk that completed them, so replays are
deterministic and the figures are the capture's own. The helpers at the end serve a
capture over :class:`~switchboard.testing.ami.FakeAmiServer` to the real AMI client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.cti.calls import CallModel, Change
from switchboard.testing.ami import FakeAmiConnection

CAPTURES = Path(__file__).resolve().parent.parent / "fixtures" / "captures"


def messages(capture: str) -> Iterator[tuple[Message, float]]:
    """Every message Asterisk sent on ``capture`` (e.g. ``"ami-callback/ami-callback"``)."""
    parser = AmiParser()
    for line in (CAPTURES / f"{capture}.jsonl").read_text().splitlines():
        chunk = json.loads(line)
        if chunk["dir"] != "asterisk->client":
            continue
        for item in parser.feed(chunk["data"].encode("latin-1")):
            if isinstance(item, Message):
                yield item, chunk["wall"]


def replay(model: CallModel, capture: str) -> list[Change]:
    """Feed every event of ``capture`` to ``model``; the changes, in order."""
    changes: list[Change] = []
    for msg, wall in messages(capture):
        if msg.event:
            changes += model.feed(msg, wall)
    return changes


def answer_core_show_channels(conn: FakeAmiConnection, items: list[bytes]) -> None:
    """Answer the client's ``CoreShowChannels`` on ``conn`` with ``items`` (captured
    ``CoreShowChannel`` event blocks, their ActionID rewritten to the client's)."""
    action = conn.next_action("CoreShowChannels")
    aid = action.action_id or ""
    conn.respond(action, "Success", ("EventList", "start"), ("Message", "Channels will follow"))
    for item in items:
        conn.send(item.replace(b"ActionID: sw-2", b"ActionID: " + aid.encode()))
    conn.send(
        [
            ("Event", "CoreShowChannelsComplete"),
            ("ActionID", aid),
            ("EventList", "Complete"),
            ("ListItems", str(len(items))),
        ]
    )


def event_blocks(capture: str) -> bytes:
    """The events of a capture as Asterisk wrote them (responses left out)."""
    raw = (CAPTURES / f"{capture}.from-asterisk.raw").read_bytes().split(b"\r\n", 1)[1]
    return b"".join(b + b"\r\n\r\n" for b in raw.split(b"\r\n\r\n") if b.startswith(b"Event:"))
