# -*- test-case-name: tests.integration.test_serve_agents -*-
"""As an operator does it: `switchboard serve` with a queue file, `switchboard agents ...`
from another shell, then Ctrl-C; the stored sessions are closed by the stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

QUEUES = """\
queues:
  sales: {}
agents:
  a1: {device: PJSIP/a1, queues: [sales], languages: [en], initial_state: ready}
  a2: {device: PJSIP/a2, queues: [sales], languages: [en]}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _switchboard(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchboard", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )


def test_an_operator_controls_the_agents_of_a_running_serve(tmp_path: Path) -> None:
    (tmp_path / "queues.yaml").write_text(QUEUES)
    database = tmp_path / "sb.sqlite"
    env = {
        **os.environ,
        "SWITCHBOARD_AGI_PORT": str(_free_port()),
        "SWITCHBOARD_AMI_PORT": str(_free_port()),  # nothing listens: no PBX needed here
        "SWITCHBOARD_CONTROL_PORT": str(_free_port()),
        "SWITCHBOARD_CONTROL_TOKEN": "op-token",
        "SWITCHBOARD_QUEUES_FILE": str(tmp_path / "queues.yaml"),
        "SWITCHBOARD_DATABASE_URL": f"sqlite:///{database}",
        "SWITCHBOARD_LOGGING_FORMAT": "json",
    }
    serve = subprocess.Popen(
        [sys.executable, "-m", "switchboard", "serve"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while (listed := _switchboard(env, "agents", "list", "--json")).returncode != 0:
            assert "cannot reach switchboard" in listed.stderr, listed.stderr
            assert serve.poll() is None and time.monotonic() < deadline, "serve never answered"
            time.sleep(0.2)
        states = {a["id"]: a["state"] for a in json.loads(listed.stdout)}
        assert states == {"a1": "ready", "a2": "logged_out"}  # the queue file's initial_state
        paused = _switchboard(env, "agents", "pause", "a1", "--reason", "lunch")
        assert (paused.returncode, paused.stdout) == (0, "a1: not_ready (lunch)\n")
        assert _switchboard(env, "agents", "login", "a2", "--ready").stdout == "a2: ready\n"
        wrong = _switchboard(
            {**env, "SWITCHBOARD_CONTROL_TOKEN": "guess"}, "agents", "logout", "a2"
        )
        assert wrong.returncode == 1 and "missing or wrong token" in wrong.stderr
        serve.send_signal(signal.SIGINT)
        _out, err = serve.communicate(timeout=20)
        assert serve.returncode == 0, err
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as db:
        sessions = db.execute(
            text(
                "SELECT agent_id, logged_out_at IS NULL, end_reason "
                "FROM acd_agent_session ORDER BY id"
            )
        ).all()
    engine.dispose()
    assert [tuple(row) for row in sessions] == [
        ("a1", 0, "switchboard_stopped"),
        ("a2", 0, "switchboard_stopped"),
    ]
