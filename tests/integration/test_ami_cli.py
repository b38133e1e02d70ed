"""`switchboard ami action` as an operator runs it, against an AMI server on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

BANNER = b"Asterisk Call Manager/11.0.0\r\n"


def _read_message(conn: socket.socket, buffer: bytearray) -> dict[str, str] | None:
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        buffer += chunk
    raw, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    buffer[:] = rest
    headers = {}
    for line in raw.decode().split("\r\n"):
        key, _, value = line.partition(": ")
        headers[key.lower()] = value
    return headers


def _answer(request: dict[str, str]) -> bytes:
    action_id = request.get("actionid", "")
    name = request.get("action", "").lower()
    if name == "login":
        lines = ["Response: Success", "Message: Authentication accepted"]
    elif name == "ping":
        lines = ["Response: Success", "Ping: Pong", "Timestamp: 1795369062.031248"]
    else:
        lines = [
            "Response: Error",
            f"Message: Invalid/unknown command: {request.get('action')}. "
            "Use Action: ListCommands to show available commands.",
        ]
    lines.insert(1, f"ActionID: {action_id}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.fixture
def ami_server() -> Iterator[tuple[int, list[dict[str, str]]]]:
    """A minimal AMI peer answering Login, Ping and 'unknown action' as Asterisk 22 does."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(30)
    received: list[dict[str, str]] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.sendall(BANNER)
                buffer = bytearray()
                while (request := _read_message(conn, buffer)) is not None:
                    received.append(request)
                    conn.sendall(_answer(request))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], received
    listener.close()


def _run(port: int, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SWITCHBOARD_AMI_PORT": str(port),
        "SWITCHBOARD_AMI_AUTH": "plain",
        "SWITCHBOARD_AMI_SECRET": "s3cret-value",
        "SWITCHBOARD_LOGGING_FORMAT": "json",
    }
    return subprocess.run(
        [sys.executable, "-m", "switchboard", "ami", "action", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_action_prints_the_response_as_json(ami_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port, received = ami_server
    result = _run(port, tmp_path, "Ping")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["response"]["Response"] == "Success" and doc["response"]["Ping"] == "Pong"
    assert [r["action"] for r in received] == ["Login", "Ping"]
    assert received[0]["secret"] == "s3cret-value"
    assert "s3cret-value" not in result.stderr  # never logged


def test_an_error_response_exits_non_zero(ami_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port, _ = ami_server
    result = _run(port, tmp_path, "FrobnicateWidgets", "Widget=1")
    assert result.returncode == 1
    assert (
        "Invalid/unknown command: FrobnicateWidgets"
        in json.loads(result.stdout)["response"]["Message"]
    )


def test_unreachable_ami_is_one_clear_error(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    result = _run(port, tmp_path, "Ping")
    assert result.returncode != 0
    assert f"127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
