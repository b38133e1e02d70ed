"""Helpers for the IVR tests: write flow files, load them, make calls."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from switchboard.ivr_flows.engine import Engine
from switchboard.ivr_flows.load import check_directory
from switchboard.ivr_flows.model import FlowSet

EXAMPLES = Path(__file__).resolve().parents[2] / "switchboard" / "ivr_flows" / "examples"

# Tuesday 2026-03-10 10:00 in Asia/Shanghai (02:00 UTC).
TUESDAY_10AM = 1773108000.0
# Tuesday 2026-03-10 23:00 in Asia/Shanghai.
TUESDAY_11PM = TUESDAY_10AM + 13 * 3600
# Thursday 2026-10-01 10:00 in Asia/Shanghai (National Day).
NATIONAL_DAY_10AM = 1790820000.0


def write(directory: Path, **files: str) -> Path:
    """Write ``name=yaml`` files (``main_menu`` -> ``main-menu.yaml``; ``_prompts`` kept)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        stem = name if name.startswith("_") else name.replace("_", "-")
        (directory / f"{stem}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def touch(path: Path, text: str, mtime_ns: int) -> None:
    """Write ``text`` with a chosen modification time, so no test waits for a clock tick."""
    path.write_text(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def load(directory: Path, **files: str) -> FlowSet:
    flows, problems = check_directory(write(directory, **files))
    assert flows is not None, "\n".join(str(p) for p in problems)
    return flows


def engine(directory: Path, **files: str) -> Engine:
    return Engine(load(directory, **files))


def problems(directory: Path, **files: str) -> list[tuple[str, int, str, str]]:
    """(file name, line, code, step) of each problem."""
    _, found = check_directory(write(directory, **files))
    return [(Path(p.file).name, p.line, p.code, p.step) for p in found]
