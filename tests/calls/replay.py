"""Replay a captured AMI connection into a CallModel, stamping each event with its time.

The ``.jsonl`` next to each capture holds every TCP chunk Asterisk sent with its wall-clock
``wall``; events are stamped with the time of the chunk that completed them, so replays are
deterministic and the figures are the capture's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.cti.calls import CallModel, Change

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
