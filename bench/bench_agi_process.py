"""Process AGI start-up: from Asterisk starting the script to the first AGI command.

Plays Asterisk the way ``res_agi.c`` does for ``AGI(switchboard-agi,main-menu,<number>,en)``:
starts ``switchboard -c FILE agi main-menu <number> en`` with ``/`` as the working directory,
writes the ``agi_*`` environment at once, and times the first command line on stdout (what
the caller waits through in silence). The flows are the shipped examples on an upgraded
SQLite database in a temporary folder. Prints the median and the spread of N starts.

    .venv/bin/python bench/bench_agi_process.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def environment(script: str, *args: str) -> bytes:
    pairs = {
        "agi_request": "/usr/local/bin/switchboard-agi",
        "agi_channel": "PJSIP/5571001-00000001",
        "agi_language": "en",
        "agi_type": "PJSIP",
        "agi_uniqueid": "1795369105.20",
        "agi_version": "22.10.1",
        "agi_callerid": "5571001",
        "agi_calleridname": "Bench Caller",
        "agi_context": "switchboard-ivr",
        "agi_extension": "s",
        "agi_priority": "1",
        "agi_accountcode": "",
    }
    pairs.update({f"agi_arg_{n}": v for n, v in enumerate((script, *args), 1)})
    return "".join(f"{k}: {v}\n" for k, v in pairs.items()).encode() + b"\n"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time to the first command, and the CPU time the process had used by then
    (the steadier figure when other work shares the cores)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd="/",
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(environment("main-menu", "5571001", "en"))
    process.stdin.flush()
    first = process.stdout.readline()
    elapsed = time.perf_counter() - started
    used = cpu_seconds(process.pid)
    process.stdin.close()  # the caller hangs up
    process.wait(timeout=30)
    if not first:
        raise SystemExit("no AGI command came out: run the command by hand to see why")
    return elapsed, used


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Path(folder) / "switchboard.toml"
        settings.write_text(f'[database]\nurl = "sqlite:///{folder}/sb.sqlite"\n')
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        switchboard = [sys.executable, "-m", "switchboard", "-c", str(settings)]
        subprocess.run(
            [*switchboard, "db", "upgrade"], env=env, check=True, capture_output=True, cwd="/"
        )  # "/": no other checkout shadows ROOT
        command = [*switchboard, "agi", "main-menu", "5571001", "en"]
        one_start(command, env)  # warm the file cache and the bytecode
        runs = [one_start(command, env) for _ in range(options.runs)]
    times = sorted(wall for wall, _ in runs)
    cpu = statistics.median(used for _, used in runs)
    print(
        f"process AGI, start to first command: median {statistics.median(times):.3f} s, "
        f"min {times[0]:.3f} s, max {times[-1]:.3f} s over {len(times)} starts; "
        f"CPU time used by then: median {cpu:.3f} s "
        f"(python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
