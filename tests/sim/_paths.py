# -*- test-case-name: tests.sim.test_conformance -*-
"""Where the Asterisk 22 captures are: the repo fixtures, else the shared folder."""

from __future__ import annotations

import json
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1] / "fixtures" / "captures"
_SHARED = Path(__file__).resolve().parents[3] / "shared" / "protocol-captures" / "asterisk-22"


def captures() -> Path:
    return _REPO if _REPO.is_dir() else _SHARED


def captured_replies(base: Path) -> list[tuple[str, str, list[str]]]:
    """(variant, caller ID, the lines Asterisk sent after the AGI environment) per session."""
    out = []
    for meta_path in sorted((base / "agi").glob("*.meta.json")):
        meta = json.loads(meta_path.read_text())
        rx = meta_path.with_name(meta_path.name.replace(".meta.json", ".rx.raw")).read_text()
        out.append((meta["variant"], meta["agi_callerid"], rx.split("\n\n", 1)[1].splitlines()))
    return out
