# -*- test-case-name: tests.sim.test_conformance -*-
"""Where the Asterisk 22 captures are: the repo fixtures, else the shared folder."""

from __future__ import annotations

from pathlib import Path

_REPO = Path(__file__).resolve().parents[1] / "fixtures" / "captures"
_SHARED = Path(__file__).resolve().parents[3] / "shared" / "protocol-captures" / "asterisk-22"


def captures() -> Path:
    return _REPO if _REPO.is_dir() else _SHARED
