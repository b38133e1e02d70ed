# -*- test-case-name: tests.sim.test_reconnect -*-
"""``ami-reconnect``: an abrupt close, a resync from lists, then ``core restart now``.

The four captured client connections (plus the logins the capture polled during the
restart) are replayed against one simulated PBX on a fake clock, each at its captured
offset; the simulator's bytes on each connection are compared with the capture: per
call (names, header sets and order, modulo values) and per list response.

Not simulated: the live ``DeviceStateChange`` of ``Local/s@switchboard-acd-ivr``
devices that Asterisk sends during calls (events outside calls are only checked to use
captured layouts).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from switchboard.cti.ami.frames import Message
from switchboard.sim.conformance import compare_transcripts, parse_transcript
from switchboard.sim.replay_connections import (
    ConnectionsReplay,
    HoldScript,
    load_connection,
    login_poll,
    replay_connections,
)
from tests.sim._paths import captures

CONNECTIONS = ("ami-reconnect-1", "ami-reconnect-2", "ami-restart-command", "ami-after-restart")
SECRET = "switchboard-secret"


def _base() -> Path:
    return captures() / "ami-reconnect"


@cache
def _timings() -> dict[str, object]:
    return json.loads((_base() / "ami-reconnect.timings.json").read_text())  # type: ignore[no-any-return]


def _real(name: str) -> list[Message]:
    return parse_transcript((_base() / f"{name}.from-asterisk.raw").read_bytes())


class _Run:
    """One replay of the whole scenario (shared by the tests: it is deterministic)."""

    def __init__(self, spool: Path) -> None:
        t = _timings()
        restart_at = float(t["wall_restart_sent"])  # type: ignore[arg-type]
        polls = t["polls"]
        assert isinstance(polls, list)
        base = _base()
        self.scripts: list[HoldScript] = []

        def script() -> HoldScript:
            self.scripts.append(HoldScript(spool))
            return self.scripts[-1]

        conns = [
            load_connection(
                "ami-reconnect-1",
                base / "ami-reconnect-1.jsonl",
                closed_at=float(t["wall_abrupt_close"]),  # type: ignore[arg-type]
            ),
            load_connection("ami-reconnect-2", base / "ami-reconnect-2.jsonl"),
            load_connection("ami-restart-command", base / "ami-restart-command.jsonl"),
            *[
                login_poll(f"poll-{i}", restart_at + float(p["t_since_restart"]), SECRET)
                for i, p in enumerate(polls)
            ],
            load_connection("ami-after-restart", base / "ami-after-restart.jsonl"),
        ]
        self.restart_at = restart_at - min(c.opened_at for c in conns)  # on the fake clock
        # The capture's first Local pair is 0x1e: Getvar names ``...-0000001e;2``.
        self.out: ConnectionsReplay = replay_connections(
            conns, spool_dir=spool, agi_script=script, local_start=0x1E, secret=SECRET
        )

    def sim(self, name: str) -> list[Message]:
        return parse_transcript(self.out.sent[name])


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> _Run:
    return _Run(tmp_path_factory.mktemp("spool"))


@pytest.mark.parametrize("name", CONNECTIONS)
def test_each_connection_matches_the_capture_per_call(run: _Run, name: str) -> None:
    real, sim = _real(name), run.sim(name)
    diffs = compare_transcripts(real, sim)
    assert not diffs, "\n\n".join(str(d) for d in diffs)
    real_calls = {m.get("Linkedid") for m in real if m.get("Linkedid")}
    sim_calls = {m.get("Linkedid") for m in sim if m.get("Linkedid")}
    assert len(sim_calls) == len(real_calls)


def _replies(messages: list[Message]) -> list[tuple[str, tuple[str, ...]]]:
    """Every message answering an action: (its ActionID, its header names in order)."""
    return [(m.action_id or "", tuple(n for n, _ in m.headers)) for m in messages if m.action_id]


@pytest.mark.parametrize("name", CONNECTIONS)
def test_responses_and_list_items_match_the_capture(run: _Run, name: str) -> None:
    # Responses, list items (CoreShowChannel, DeviceStateChange, Status) and their
    # Complete events: same ActionIDs, names, header sets and order; values aside.
    assert _replies(run.sim(name)) == _replies(_real(name))


def _non_call_events(messages: list[Message]) -> list[str]:
    return [
        m.event
        for m in messages
        if m.event and not m.action_id and not m.get("Linkedid") and m.event != "Cdr"
    ]


def test_a_new_session_gets_fully_booted_and_successful_auth_and_no_replay(run: _Run) -> None:
    sim = run.sim("ami-reconnect-2")
    assert [m.event or m.response for m in sim[:3]] == ["Success", "FullyBooted", "SuccessfulAuth"]
    assert not any(m.event in ("Newchannel", "MusicOnHoldStart") for m in sim)
    # The restart connection's login (Events: off) is seen here too, as in the capture;
    # live DeviceStateChange of Local devices are not simulated (see the module doc).
    real = [e for e in _non_call_events(_real("ami-reconnect-2")) if e != "DeviceStateChange"]
    assert (
        _non_call_events(sim)
        == real
        == [
            "FullyBooted",
            "SuccessfulAuth",
            "SuccessfulAuth",
            "Shutdown",
        ]
    )


def test_after_an_abrupt_close_the_held_call_is_listed_as_captured(run: _Run) -> None:
    sim = {m.action_id: m for m in run.sim("ami-reconnect-2") if m.response}
    items = run.sim("ami-reconnect-2")
    held = [m for m in items if (m.get("Channel") or "").endswith("-0000001e;2")]
    show = next(m for m in held if m.event == "CoreShowChannel")
    assert (show.get("Application"), show.get("ApplicationData")) == ("StartMusicOnHold", "default")
    status = next(m for m in held if m.event == "Status")
    assert status.get("Application") == "AGI"
    assert status.get("Data") == "agi://127.0.0.1:4573/acd-hold,hold"
    complete = next(m for m in items if m.event == "StatusComplete")
    assert (complete.get("ListItems"), complete.get("Items")) == ("2", "2")
    devices = [m.get("Device") or "" for m in items if m.event == "DeviceStateChange"]
    assert len(devices) == 8 and all(d.startswith("Queue:") for d in devices)
    recording = sim["sw-5"].get("Value") or ""
    assert recording.endswith(f"/monitor/acd-{show.get('Uniqueid')}.wav")
    # The AGI session and its music went on: no hang-up before the restart.
    first_hangup = next(i for i, m in enumerate(items) if m.event == "SoftHangupRequest")
    assert items[first_hangup].get("Cause") == "4"


def test_core_restart_now_tears_down_then_shuts_down_and_closes(run: _Run) -> None:
    out = run.out
    # The Command gets no response; its connection is closed with the others.
    command = run.sim("ami-restart-command")
    assert [m.response for m in command] == ["Success"]
    closed = {n: t - run.restart_at for n, t in out.closed_by_server.items()}
    for name in ("ami-reconnect-2", "ami-restart-command"):
        assert 1.13 <= closed[name] < 1.14  # fake-clock seconds after the Command
    events = [m for m in run.sim("ami-reconnect-2") if m.event]
    teardown = [
        (m.event, m.get("Cause"))
        for m in events
        if m.event in ("SoftHangupRequest", "HangupRequest", "Hangup")
    ]
    assert teardown[:2] == [("SoftHangupRequest", "4"), ("SoftHangupRequest", "4")]
    assert [c for e, c in teardown if e == "Hangup"] == ["0", "0"]
    last = events[-1]
    assert last.event == "Shutdown"
    assert (last.get("Shutdown"), last.get("Restart")) == ("Cleanly", "True")
    assert not out.sent["ami-reconnect-2"].rstrip().endswith(b"fish.")  # no Goodbye
    # The held FastAGI session got HANGUP, closed, then got the second HANGUP.
    assert [s.hangups for s in run.scripts] == [2]


def test_logins_during_the_restart_are_refused_until_the_new_process(run: _Run) -> None:
    polls = _timings()["polls"]
    assert isinstance(polls, list)
    for i, poll in enumerate(polls):
        assert run.out.sent[f"poll-{i}"].decode() == poll["detail"]
    assert run.out.restarts == 1


def test_the_restarted_process_starts_empty(run: _Run) -> None:
    handler = run.out.handler
    assert handler is not None and not handler.shutting_down
    assert handler.pbx.channels == {}
    after = run.sim("ami-after-restart")
    listed = next(m for m in after if m.event == "CoreShowChannelsComplete")
    assert listed.get("ListItems") == "0"
    assert after[-1].response == "Goodbye"
    # Local pairs and uniqueids start again: the next call is ...-00000000;1.
    assert handler.pbx.ids.local_suffix() == "00000000"
