"""Recording an answered call on demand, pausing it from a flow or the dialplan (the
SWITCHBOARD_RECORDING_MUTE variable), and the recording state the seat is told.

The AMI ``MixMonitor`` action's headers are Asterisk's own, from ``apps/app_mixmonitor.c``
(the ``<manager name="MixMonitor">`` documentation and ``manager_mixmonitor``): Channel
(required), File, Options (the application's options; ``b``: bridged audio only) and
Command; it answers ``Response: Success`` (``MixMonitorID`` only with the ``i`` option),
or ``Error`` with ``No such channel`` / ``Could not start monitoring channel``. The
``MIXMONITOR_FILENAME`` VarSet and the ``MixMonitorStart`` that follow are the ones the
captures show for the application (``agi-exec-dial``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import URL
from twisted.internet.defer import Deferred, fail
from twisted.internet.task import Clock
from twisted.python.failure import Failure

from switchboard.config.model import RecorderSettings
from switchboard.cti.ami.errors import AmiActionFailed
from switchboard.cti.ami.frames import Message
from switchboard.hub import RECORDING, RecordingState
from switchboard.recorder import Naming, RecorderError
from switchboard.store.db import Database
from tests.recorder.helpers import T0, Pbx, event, migrated, pauses, rows, write_wav

CALLER = "Local/s@switchboard-ivr-00000001;2"


@pytest.fixture
def database(database_url: URL) -> Iterator[Database]:
    yield from migrated(database_url)


def make(database: Database, spool: Path) -> tuple[Pbx, list[RecordingState]]:
    naming = Naming(
        str(spool), "{year}/{month}/{day}/{queue}-{agent}-{call_id}.wav", ZoneInfo("UTC")
    )
    pbx = Pbx(database, RecorderSettings(check_attempts=1), Clock(), naming)
    told: list[RecordingState] = []
    pbx.hub.subscribe(RECORDING, told.append)
    return pbx, told


def _start(pbx: Pbx, call_id: str = "100.12") -> str:
    outcome: list[object] = []
    Deferred.fromCoroutine(pbx.recorder.start(call_id, by="wang")).addBoth(outcome.append)
    [result] = outcome
    if isinstance(result, Failure):
        result.raiseException()
    assert isinstance(result, str)
    return result


def test_an_unrecorded_call_is_recorded_on_demand_and_indexed_when_it_ends(
    database: Database, tmp_path: Path
) -> None:
    pbx, told = make(database, tmp_path)
    pbx.start_unrecorded_call()
    pbx.answer()
    assert [(t.call_id, t.agent_id, t.state) for t in told] == [("100.12", "2001", "off")]
    pbx.clock.advance(10)
    path = _start(pbx)
    assert path == f"{tmp_path}/2026/11/24/support-2001-100.12.wav"
    [action] = pbx.ami.sent
    assert action.name == "MixMonitor"
    assert dict(action.headers) == {"Channel": CALLER, "File": path, "Options": "b"}
    pbx.mixmonitor(path)  # what Asterisk reports then
    assert told[-1].state == "recording"
    write_wav(Path(path), 20.0)
    pbx.clock.advance(20)
    pbx.hang_up()
    [row] = rows(database)
    assert (row.path, row.status, row.call_id, row.agent_id, row.queue) == (
        path, "ok", "100.12", "2001", "support",
    )  # fmt: skip
    assert row.started_at.timestamp() == pytest.approx(T0 + 10, abs=1)


def test_recording_on_demand_is_refused_when_it_cannot_be_done(
    database: Database, tmp_path: Path
) -> None:
    pbx, _ = make(database, tmp_path)
    pbx.start_unrecorded_call()
    with pytest.raises(RecorderError, match="not an answered call in progress") as raised:
        _start(pbx)
    assert raised.value.code == "not_found"
    pbx.answer()
    pbx.mixmonitor(str(tmp_path / "x.wav"))
    with pytest.raises(RecorderError, match="being recorded already") as raised:
        _start(pbx)
    assert raised.value.code == "conflict"
    assert pbx.ami.sent == []


def test_asterisk_refusing_the_action_is_reported_not_hidden(
    database: Database, tmp_path: Path
) -> None:
    pbx, _ = make(database, tmp_path)
    pbx.start_unrecorded_call()
    pbx.answer()
    no_channel = Message([("Response", "Error"), ("Message", "No such channel")])
    pbx.ami.send = lambda action, timeout_s=None: fail(AmiActionFailed(no_channel))  # type: ignore[method-assign]
    with pytest.raises(RecorderError, match="did not start recording: No such channel") as raised:
        _start(pbx)
    assert raised.value.code == "unavailable"


def test_a_flow_pauses_by_setting_the_variable_and_is_logged_as_who_asked(
    database: Database, tmp_path: Path
) -> None:
    pbx, told = make(database, tmp_path)
    pbx.start_call(str(tmp_path / "r.wav"))
    pbx.answer()
    pbx.chan("VarSet", "2", Variable="SWITCHBOARD_RECORDING_MUTE", Value="1:ivr:card-payment")
    [mute] = pbx.ami.sent
    assert (mute.name, dict(mute.headers)) == (
        "MixMonitorMute", {"Channel": CALLER, "Direction": "both", "State": "1"},
    )  # fmt: skip
    assert told[-1].state == "recording"  # the answer proves nothing: the event does
    pbx.chan("MixMonitorMute", "2", Direction="both", State="1")
    assert told[-1].state == "paused"
    pbx.clock.advance(15)
    pbx.chan("VarSet", "2", Variable="SWITCHBOARD_RECORDING_MUTE", Value="0:ivr:card-payment")
    assert dict(pbx.ami.sent[-1].headers)["State"] == "0"
    pbx.chan("MixMonitorMute", "2", Direction="both", State="0")
    assert [t.state for t in told] == ["recording", "paused", "recording"]
    assert [(p.paused, p.by) for p in pauses(database)] == [
        (True, "ivr:card-payment"),
        (False, "ivr:card-payment"),
    ]


def test_other_variables_and_unnamed_askers(database: Database, tmp_path: Path) -> None:
    pbx, _ = make(database, tmp_path)
    pbx.start_call(str(tmp_path / "r.wav"))
    pbx.chan("VarSet", "2", Variable="SWITCHBOARD_QUEUE", Value="1:sales")
    assert pbx.ami.sent == []
    pbx.chan("VarSet", "2", Variable="SWITCHBOARD_RECORDING_MUTE", Value="1")
    pbx.ami.emit(event("MixMonitorMute", Channel=CALLER, Linkedid="100.1", State="1"))
    assert [p.by for p in pauses(database)] == ["dialplan"]


def test_a_pause_asked_while_nothing_recorded_is_not_pinned_on_a_later_mute(
    database: Database, tmp_path: Path
) -> None:
    pbx, _ = make(database, tmp_path)
    pbx.start_unrecorded_call()
    pbx.chan("VarSet", "2", Variable="SWITCHBOARD_RECORDING_MUTE", Value="1:ivr:pay")
    pbx.chan("MixMonitorMute", "2", Direction="both", State="1")  # Success, nothing records
    assert pauses(database) == []
    pbx.mixmonitor(str(tmp_path / "later.wav"))
    pbx.chan("MixMonitorMute", "2", Direction="both", State="1")  # someone else's mute
    assert [p.by for p in pauses(database)] == ["asterisk"]
