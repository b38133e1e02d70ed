# -*- test-case-name: tests.integration.test_demo -*-
"""`switchboard demo` end to end: simulated PBX, FastAGI, AMI, the ACD and SQLite on loopback.

The summary the demo prints is held against the call records it stored, read back with
plain SQL: what the supervisor is told is what the centre kept.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from statistics import mean
from typing import Any


def _demo(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchboard", "demo", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
        stdin=subprocess.DEVNULL,
    )


def _rows(db: Path, queue: str) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [
            dict(r)
            for r in conn.execute(
                "SELECT * FROM acd_call_visit WHERE queue = ? ORDER BY id", (queue,)
            )
        ]


def test_the_summary_equals_the_stored_call_records(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite"
    result = _demo(
        tmp_path,
        "--duration",
        "240",
        "--rate",
        "14",
        "--speed",
        "60",
        "--seed",
        "3",
        "--database",
        str(db),
        "--json",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    assert summary["calls_placed"] >= 30
    queues = summary["queues"]
    assert set(queues) == {"sales", "support"}
    pending = 0
    assert sum(q["offered"] for q in queues.values()) >= 25  # some hang up in the menu
    for name, q in queues.items():
        rows = _rows(db, name)
        # Every visit ended, exactly one way (nobody is left waiting after the run).
        assert (
            q["offered"]
            == len(rows)
            == (q["answered"] + q["abandoned"] + q["callbacks"] + q["overflowed"] + q["voicemail"])
        ), (name, q)
        live = [r for r in rows if r["answered_at"] is not None and not r["via_callback"]]
        assert q["answered"] == len(live)
        assert q["abandoned"] == sum(r["outcome"] == "abandoned" for r in rows)
        assert q["callbacks"] == sum(r["callback_at"] is not None for r in rows)
        assert q["called_back"] == sum(
            bool(r["via_callback"]) and r["answered_at"] is not None for r in rows
        )
        if live:
            assert q["asa_s"] == round(mean(r["waited_s"] for r in live), 1)
        handled = [r for r in rows if r["handled_at"] is not None]
        if handled:
            assert q["aht_s"] == round(mean(r["talk_s"] + r["wrap_s"] for r in handled), 1)
        # A visit without an outcome yet is a callback still waiting for its next attempt.
        open_visits = [r for r in rows if not r["outcome"]]
        assert all(r["callback_at"] is not None for r in open_visits), open_visits
        pending += len(open_visits)
    assert pending == summary["callbacks_pending"]
    assert sum(q["answered"] for q in queues.values()) > 0
    # Every caller the ACD held came through the IVR flows: one stored main-menu session
    # for the same call, which ended by queueing it there.
    with sqlite3.connect(db) as conn:
        visits = conn.execute("SELECT call_id, path_ref, queue FROM acd_call_visit").fetchall()
        sessions = {
            call_id: (outcome, queue)
            for call_id, outcome, queue in conn.execute(
                "SELECT call_id, outcome, queue FROM ivr_session WHERE flow = 'main-menu'"
            )
        }
    assert len(sessions) >= len({call_id for call_id, _, _ in visits})
    for call_id, path_ref, queue in visits:
        assert path_ref == call_id
        assert sessions[call_id] == ("queued", queue)


def test_the_human_output_tells_the_story_and_ends_with_a_table(tmp_path: Path) -> None:
    result = _demo(tmp_path, "--calls", "6", "--rate", "30", "--speed", "60")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("demo: 12 agents in sales, support")
    assert any(line.startswith("queue ") and "offered" in line for line in lines)
    assert "6 calls in" in result.stdout


def test_bad_options_are_refused_with_one_line(tmp_path: Path) -> None:
    result = _demo(tmp_path, "--speed", "0")
    assert result.returncode == 2
    assert "must be positive" in result.stderr
