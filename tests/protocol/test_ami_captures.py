"""Every captured Asterisk 22 AMI stream replays through the codec and the ActionID table."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.cti.ami.frames import AmiParser, Banner, FrameError, Message
from switchboard.cti.ami.pending import EventList, PendingTable, is_list_start
from switchboard.testing.ami import Capture, feed_all, load_capture

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "captures"
CAPTURES = sorted(p for p in FIXTURES.glob("*/*.jsonl") if "agi" not in p.parent.name.split("/"))
NAMES = [p.stem for p in CAPTURES]

# Actions Asterisk never answered, as the capture README explains.
UNANSWERED = {
    ("ami-bad-login", "Ping"),  # the connection was closed after "Authentication failed"
    ("ami-restart-command", "Command"),  # "core restart now" gets no response at all
}


def _naive_counts(raw: bytes) -> tuple[int, int]:
    """Messages and events counted straight from the bytes, without our parser."""
    body = raw.split(b"\r\n", 1)[1]  # drop the one-line banner
    blocks = [b for b in body.split(b"\r\n\r\n") if b]
    return len(blocks), sum(1 for b in blocks if b.startswith(b"Event: "))


@pytest.fixture(params=CAPTURES, ids=NAMES)
def capture(request: pytest.FixtureRequest) -> Capture:
    return load_capture(request.param)


def test_captures_present() -> None:
    assert len(CAPTURES) == 13


def test_recorded_chunks_parse_completely(capture: Capture) -> None:
    parser = AmiParser()
    items = feed_all(parser, capture.chunks_from_asterisk())
    assert not [i for i in items if isinstance(i, FrameError)]
    assert isinstance(items[0], Banner) and items[0].text == "Asterisk Call Manager/11.0.0"
    messages = [i for i in items if isinstance(i, Message)]
    n_messages, n_events = _naive_counts(capture.from_asterisk)
    assert len(messages) == n_messages == len(items) - 1
    assert sum(1 for m in messages if m.event is not None) == n_events
    assert parser.buffered == 0
    # The recorded chunks are exactly the .raw file.
    assert b"".join(capture.chunks_from_asterisk()) == capture.from_asterisk


def test_one_feed_equals_recorded_chunks(capture: Capture) -> None:
    whole = AmiParser().feed(capture.from_asterisk)
    chunked = feed_all(AmiParser(), capture.chunks_from_asterisk())
    assert whole == chunked


def test_every_header_line_is_kept(capture: Capture) -> None:
    messages = [i for i in AmiParser().feed(capture.from_asterisk) if isinstance(i, Message)]
    body = capture.from_asterisk.split(b"\r\n", 1)[1]
    lines = [ln for ln in body.split(b"\r\n") if ln]
    assert sum(len(m.headers) for m in messages) == len(lines)


def test_client_actions_parse_and_correlate(capture: Capture) -> None:
    parsed = AmiParser(expect_banner=False).feed(capture.to_asterisk)
    sent = [m for m in parsed if isinstance(m, Message)]
    assert len(sent) == capture.to_asterisk.count(b"\r\n\r\n")
    # ami-actions deliberately sends one message with no Action header.
    assert sum(1 for m in sent if not m.action) == (capture.name == "ami-actions")
    replies = [
        m
        for m in AmiParser().feed(capture.from_asterisk)
        if isinstance(m, Message) and m.response is not None
    ]
    sent_ids = {m.action_id: m.action for m in sent if m.action_id}
    reply_ids = [m.action_id for m in replies if m.action_id is not None]
    assert len(reply_ids) == len(set(reply_ids)), "one response per ActionID"
    assert set(reply_ids) <= set(sent_ids)
    missing = {(capture.name, sent_ids[a]) for a in set(sent_ids) - set(reply_ids)}
    assert missing <= UNANSWERED


def test_event_lists_gather_and_complete(capture: Capture) -> None:
    sent = [
        m
        for m in AmiParser(expect_banner=False).feed(capture.to_asterisk)
        if isinstance(m, Message)
    ]
    table = PendingTable()
    for m in sent:
        if m.action_id:
            table.register(m.action_id, gather=True)
    lists: list[EventList] = []
    starts = 0
    for m in AmiParser().feed(capture.from_asterisk):
        if not isinstance(m, Message):
            continue
        starts += m.response is not None and is_list_start(m)
        done = table.route(m).completion
        if done is not None and isinstance(done.result, EventList) and done.result.complete:
            lists.append(done.result)
    assert len(lists) == starts, "every list completes"
    for result in lists:
        assert result.declared_items == len(result.items)
        assert all(item.action_id == result.response.action_id for item in result.items)
        assert (result.complete.event or "").endswith("Complete")
    left = {aid for aid in (m.action_id for m in sent) if aid and aid in table}
    assert {(capture.name, next(m.action for m in sent if m.action_id == a)) for a in left} <= (
        UNANSWERED
    )


def test_status_complete_counts_two_items() -> None:
    cap = load_capture(FIXTURES / "ami-reconnect" / "ami-reconnect-2.jsonl")
    msgs = [m for m in AmiParser().feed(cap.from_asterisk) if isinstance(m, Message)]
    complete = next(m for m in msgs if m.event == "StatusComplete")
    assert complete.get("ListItems") == "2" and complete.get("Items") == "2"
    assert sum(1 for m in msgs if m.event == "Status" and m.action_id == complete.action_id) == 2


def test_command_output_lines_kept_in_order() -> None:
    cap = load_capture(FIXTURES / "ami-actions" / "ami-actions.jsonl")
    msgs = [m for m in AmiParser().feed(cap.from_asterisk) if isinstance(m, Message)]
    shown = next(
        m
        for m in msgs
        if m.get("Message") == "Command output follows"
        and any("0 active channels" in o for o in m.get_all("Output"))
    )
    out = shown.get_all("Output")
    assert out[1:3] == ["0 active channels", "0 of 400 max active calls ( 0.00% of capacity)"]
    assert shown.get("output") == out[0]
