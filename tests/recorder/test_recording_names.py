"""The file-name pattern as a centre writes it: date folders, call id, queue and agent,
each a field; a pattern that could give two calls one file is refused at load."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from switchboard.recording_names import FIELDS, name_problems, render
from tests.control.test_settings import settings_problems

DATED = "{year}/{month}/{day}/{queue}-{agent}-{call_id}.wav"


def test_date_folders_call_id_queue_and_agent_are_all_fields() -> None:
    assert {"year", "month", "day", "date", "time", "call_id", "queue", "agent"} <= set(FIELDS)
    assert name_problems(DATED) == []
    at = datetime(2026, 3, 7, 23, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    path = render(
        "/var/spool/asterisk/monitor",
        DATED + "",
        at,
        queue="sales",
        agent="1001",
        call_id="1795521600.12",
        caller="13800138000",
    )
    assert path == "/var/spool/asterisk/monitor/2026/03/07/sales-1001-1795521600.12.wav"
    assert render("/r", "{date}-{time}-{call_id}.wav", at, call_id="1.2") == (
        "/r/20260307-230509-1.2.wav"
    )


def test_a_pattern_without_the_call_id_is_refused_naming_why() -> None:
    [problem] = name_problems("{date}/{queue}-{agent}.wav")
    assert "put {call_id} in the name" in problem and "same file" in problem


def test_serve_refuses_it_at_load_with_the_file_line_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    text = settings_problems(path, '[queues]\nrecording_name = "{year}/{month}/{agent}.wav"\n')
    assert f"{path}:2: queues.recording_name" in text and "put {call_id} in the name" in text
    text = settings_problems(path, '[queues]\nrecording_name = "{yyyy}/{call_id}.wav"\n')
    assert "unknown field {yyyy}" in text and "{year}" in text
