"""A helper process for the browser layer: ``python -m MODULE ...`` from this checkout,
ready once it prints its first line, stopped by closing its standard input."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def child(
    module: str, *args: str, start_limit_s: float, stop_limit_s: float = 10.0
) -> Iterator[str]:
    """Run ``module``; yield the first line it prints (``AssertionError`` with its log if
    none comes within ``start_limit_s``). Its log goes to a file, never into a pipe that
    nobody reads and that would stall it once full."""
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=dict(os.environ, PYTHONPATH=path),
            cwd=ROOT,
        )
        assert process.stdout is not None and process.stdin is not None
        ready, _, _ = select.select([process.stdout], [], [], start_limit_s)
        line = process.stdout.readline().decode() if ready else ""
        try:
            if not line.strip():
                process.kill()
                process.wait()
                log.seek(0)
                raise AssertionError(f"{module} did not start:\n{log.read().decode()[-3000:]}")
            yield line.strip()
        finally:
            process.stdin.close()
            try:
                process.wait(timeout=stop_limit_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
