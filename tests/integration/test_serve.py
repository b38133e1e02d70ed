"""`switchboard serve` as an operator runs it: it answers FastAGI, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ENV_BLOCK = (
    b"agi_network: yes\nagi_network_script: main-menu\n"
    b"agi_request: agi://127.0.0.1/main-menu\nagi_channel: Local/s@switchboard-ivr-00000001;2\n"
    b"agi_uniqueid: 1795369063.14\nagi_callerid: 5552002\nagi_calleridname: Zoe Caller\n"
    b"agi_arg_1: 5552002\n\n"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _connect(port: int, deadline: float) -> socket.socket:
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def serve(tmp_path: Path):  # type: ignore[no-untyped-def]
    agi_port, ami_port = _free_port(), _free_port()  # nothing listens on the AMI port
    env = {
        **os.environ,
        "SWITCHBOARD_AGI_PORT": str(agi_port),
        "SWITCHBOARD_AMI_PORT": str(ami_port),
        "SWITCHBOARD_CONTROL_PORT": "0",  # tests run side by side
        "SWITCHBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'sb.sqlite'}",
        "SWITCHBOARD_LOGGING_FORMAT": "json",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "switchboard", "serve"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    yield proc, agi_port
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def test_serve_runs_the_main_menu_and_stops_cleanly_on_ctrl_c(serve) -> None:  # type: ignore[no-untyped-def]
    proc, agi_port = serve
    with _connect(agi_port, time.monotonic() + 20) as conn:
        conn.sendall(ENV_BLOCK)
        first_command = conn.makefile("rb").readline()
    assert first_command == b"ANSWER\n"
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err.decode()
    events = [
        json.loads(line)["event"] for line in err.decode().splitlines() if line.startswith("{")
    ]
    assert "switchboard_started" in events and events[-1] == "switchboard_stopped"


def test_serve_reports_a_busy_agi_port_and_exits_non_zero(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {
            **os.environ,
            "SWITCHBOARD_AGI_PORT": str(port),
            "SWITCHBOARD_CONTROL_PORT": "0",
            "SWITCHBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'sb.sqlite'}",
            "SWITCHBOARD_LOGGING_FORMAT": "json",
        }
        result = subprocess.run(
            [sys.executable, "-m", "switchboard", "serve"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
    assert result.returncode == 1
    assert b"agi_server_listen_failed" in result.stderr
