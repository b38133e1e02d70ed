"""`switchboard demo` end to end: simulated PBX, FastAGI main-menu and AMI client on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _demo(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchboard", "demo", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def test_every_caller_is_accounted_for_and_the_figures_add_up(tmp_path: Path) -> None:
    result = _demo(tmp_path, "--calls", "24", "--agents", "2", "--speed", "60", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["calls_placed"] == 24
    queues = summary["queues"]
    assert set(queues) <= {"sales", "support"} and queues
    offered = sum(q["offered"] for q in queues.values())
    assert 0 < offered <= 24  # a caller may hang up in the IVR before reaching a queue
    for name, q in queues.items():
        # Every caller who joined a queue was either answered or abandoned, once.
        assert q["answered"] + q["abandoned"] == q["offered"], (name, q)


def test_the_same_seed_gives_the_same_calls_and_outcomes(tmp_path: Path) -> None:
    # Waits and talk times are measured over real loopback sockets, so under load they can
    # move by a simulated second or two; who called, where they went and how it ended cannot.
    args = ("--calls", "8", "--speed", "20", "--seed", "7", "--json")
    first, second = _demo(tmp_path, *args), _demo(tmp_path, *args)
    assert first.returncode == second.returncode == 0

    def outcomes(result: subprocess.CompletedProcess[str]) -> dict[str, tuple[int, int, int]]:
        queues = json.loads(result.stdout)["queues"]
        return {n: (q["offered"], q["answered"], q["abandoned"]) for n, q in queues.items()}

    assert outcomes(first) == outcomes(second)


def test_the_human_output_tells_the_story_and_ends_with_a_table(tmp_path: Path) -> None:
    result = _demo(tmp_path, "--calls", "6", "--speed", "60")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("demo: 6 callers")
    assert any("answered by Agent" in line for line in lines)
    assert any(line.startswith("queue ") and "offered" in line for line in lines)
