# -*- test-case-name: tests.integration.test_demo -*-
"""`switchboard demo` as a user runs it: a real process on loopback, real time.

What the summary says is checked against the stored records in ``test_demo_sim.py``,
on a fake clock; here only the command's output and its refusals.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path


def _demo(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchboard", "demo", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
        stdin=subprocess.DEVNULL,
    )


def test_the_human_output_tells_the_story_and_ends_with_a_table(tmp_path: Path) -> None:
    result = _demo(tmp_path, "--calls", "6", "--rate", "30", "--speed", "60")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    # First where the seat is and who may log in, then the story.
    assert lines[0].startswith("seat: http://127.0.0.1:") and lines[0].split()[1].endswith("/login")
    # The people's seats (one per queue), which the demo never logs in, then its own.
    assert lines[1].startswith(
        "people (user / password): 1001 / demo-1001 (sales), 2001 / demo-2001 (support): "
        "the demo never logs these in"
    )
    assert lines[2].startswith(
        "agents (user / password), kept ready by the demo: 1002 / demo-1002, 1003 / demo-1003"
    )
    assert "1001 / " not in lines[2] and "2001 / " not in lines[2]
    assert lines[3] == "supervisor (user / password): supervisor / demo-supervisor"
    assert lines[4].startswith("demo: 12 agents (10 run by the demo) in sales, support")
    assert any(line.startswith("queue ") and "offered" in line for line in lines)
    assert "6 calls in" in result.stdout


def test_bad_options_are_refused_with_one_line(tmp_path: Path) -> None:
    result = _demo(tmp_path, "--speed", "0")
    assert result.returncode == 2
    assert "must be positive" in result.stderr
    result = _demo(tmp_path, "--agents", "3", "--people", "4")
    assert result.returncode == 2
    assert "--people must be between 0 and --agents (3)" in result.stderr


def test_sigterm_stops_the_demo_as_ctrl_c_does(tmp_path: Path) -> None:
    # A service manager (systemd, docker stop, timeout) sends SIGTERM: the demo must end
    # with its summary and status 0, not a traceback about stopping a stopped reactor.
    proc = subprocess.Popen(
        [sys.executable, "-m", "switchboard", "demo", "--speed", "30"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        # Signalled as soon as the first line shows: the demo's handler must already be in
        # place, or Twisted's stops the reactor under it (a CI run that signalled after the
        # banner's last line lost that race once, before the handler was moved earlier).
        line = proc.stdout.readline()
        assert line.startswith("seat: "), line
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err[-3000:]
    assert any(row.startswith("queue ") and "offered" in row for row in out.splitlines())
    assert "Traceback" not in out + err and "ReactorNotRunning" not in out + err
