# -*- test-case-name: tests.queue.test_recording_names -*-
"""The recording folder and file-name pattern: settings checked at load, used by the ACD."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from twisted.internet.testing import MemoryReactorClock

from switchboard.app import build
from switchboard.config.model import DatabaseSettings, QueuesSettings, Settings
from switchboard.queue import Queue
from switchboard.queue.shell.hold import HoldOptions
from switchboard.recording_names import name_problems, render
from tests.control.test_settings import settings_problems
from tests.queue.helpers import START, agent
from tests.queue.test_hold import QUIET, site

EXAMPLE_QUEUES = Path(__file__).resolve().parents[2] / "switchboard/queue/examples/queues.yaml"


def test_the_default_is_asterisks_spool() -> None:
    settings = QueuesSettings()
    assert (str(settings.recording_dir), settings.recording_name) == (
        "/var/spool/asterisk/monitor",
        "{queue}-{call_id}.wav",
    )


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("{queue}-{uid}.wav", "unknown field {uid}; known fields: {queue}, {call_id}"),
        ("{queue}-{call_id:>5}.wav", "{call_id} takes no format"),
        ("{queue}-{call_id}", "end with the format's extension"),
        ("{queue},{call_id}.wav", "no commas"),
        ("/{queue}.wav", "no leading '/'"),
        ("../{queue}.wav", "no '..'"),
        ("{queue.wav", "not a valid pattern"),
    ],
)
def test_a_bad_pattern_is_named(pattern: str, words: str) -> None:
    assert any(words in problem for problem in name_problems(pattern)), name_problems(pattern)


def test_a_bad_pattern_stops_serve_at_load_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    text = settings_problems(
        path, '[queues]\nrecording_dir = "spool"\nrecording_name = "{date}/{uid}.wav"\n'
    )
    assert f"{path}:3: queues.recording_name" in text and "unknown field {uid}" in text
    assert f"{path}:2: queues.recording_dir" in text and "an absolute path" in text


def test_values_are_made_safe_for_a_path_and_a_dialplan_argument() -> None:
    at = datetime(2026, 12, 4, 9, 5, 7, tzinfo=UTC)
    path = render(
        "/rec/",
        "{date}/{queue}-{time}-{caller}-{agent}.wav",
        at,
        queue="sales",
        call_id="1.2",
        agent="a/1",
        caller='"Bob" <555>',
    )
    assert path == "/rec/20261204/sales-090507-_Bob___555_-a_1.wav"


def test_the_acd_records_where_the_settings_say() -> None:
    hold = HoldOptions(
        recording_dir="/srv/rec",
        recording_name="{date}/{agent}-{call_id}.wav",
        timezone=ZoneInfo("Asia/Shanghai"),
    )
    s = site([Queue("sales", **QUIET)], [agent("a1")], hold=hold)
    s.acd.log_in("a1", ready=True)
    ch = s.channel()
    s.hold(ch)
    day = datetime.fromtimestamp(START, ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")
    assert f"EXEC MixMonitor /srv/rec/{day}/a1-c1.wav,b" in ch.sent
    assert f"SET VARIABLE SWITCHBOARD_RECORDING /srv/rec/{day}/a1-c1.wav" in ch.sent
    ch.hang_up()
    s.close()


def test_serve_hands_the_settings_to_the_acd(tmp_path: Path) -> None:
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'sb.sqlite'}"),
        queues=QueuesSettings(
            file=EXAMPLE_QUEUES,
            timezone="Asia/Shanghai",
            recording_dir=Path("/data/calls"),
            recording_name="{queue}/{call_id}.gsm",
        ),
    )
    app = build(settings, MemoryReactorClock())
    assert app.acd is not None
    hold = app.acd.options.hold
    assert (hold.recording_dir, hold.recording_name) == ("/data/calls", "{queue}/{call_id}.gsm")
    assert hold.timezone == ZoneInfo("Asia/Shanghai")
