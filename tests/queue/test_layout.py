# -*- test-case-name: tests.queue.test_layout -*-
"""The ACD's pure core stays pure: importing it loads neither Twisted nor a database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # -c puts the working directory first on the path


def test_the_queue_core_imports_without_twisted_or_sqlalchemy() -> None:
    probe = (
        "import sys, switchboard.queue, switchboard.queue.core.router, "
        "switchboard.queue.core.history\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'twisted', 'sqlalchemy'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"
