# -*- test-case-name: tests.integration.test_demo_sim -*-
"""`switchboard demo`'s run in one process on a fake clock: the summary against the records.

The demo (simulated PBX, FastAGI, AMI, the IVR flows, the ACD and SQLite) runs on a
:class:`~switchboard.testing.simnet.SimNet`, so four simulated minutes of calls take a
few real seconds and come out the same on every run, however busy the machine. The
summary it reports is held against the call records it stored, read back with plain
SQL: what the supervisor is told is what the centre kept. The same holds whoever routes
the queues: switchboard's ACD, or (``--routing app_queue``) the simulated PBX's app_queue
with switchboard tracking it from AMI.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from statistics import mean
from typing import Any

import pytest

from switchboard.cli import build_parser
from switchboard.config import Settings
from switchboard.demo.cli import _demo
from switchboard.testing.simnet import SimNet

RUN_LIMIT_S = 4 * 3600.0  # simulated seconds: arrivals, then the drain limit, then stop


def _run_demo(*argv: str) -> dict[str, Any]:
    """The summary ``switchboard demo ARGV`` would print, from a run on a SimNet."""
    args = build_parser().parse_args(["demo", *argv])
    net = SimNet()
    out: list[dict[str, Any]] = []
    net.wait(
        _demo(net, Settings(), args, out, database_runner=net.database_runner),
        RUN_LIMIT_S,
        "the demo run",
    )
    assert net.leftovers() == []
    (summary,) = out
    return summary


def _rows(db: Path, queue: str) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [
            dict(r)
            for r in conn.execute(
                "SELECT * FROM acd_call_visit WHERE queue = ? ORDER BY id", (queue,)
            )
        ]


@pytest.mark.parametrize("routing", ["switchboard", "app_queue"])
def test_the_summary_equals_the_stored_call_records(tmp_path: Path, routing: str) -> None:
    db = tmp_path / "demo.sqlite"
    summary = _run_demo(
        "--duration", "240", "--rate", "14", "--seed", "3", "--database", str(db), "--json",
        "--routing", routing,
    )  # fmt: skip
    assert summary["routing"] == routing
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
