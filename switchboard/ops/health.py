# -*- test-case-name: tests.ops.test_health -*-
"""``/healthz``: AMI logged in, database reachable, FastAGI listening. 200 with the
details when all three hold, else 503 naming what is down (the IVR cannot take calls
without FastAGI, the ACD cannot route without AMI, nothing is recorded without the
database: each is a real outage, so none is "degraded")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from switchboard.ops.sources import OpsSources, ping_database

__all__ = ["Health", "HealthReport"]


@dataclass(frozen=True, slots=True)
class HealthReport:
    checks: dict[str, dict[str, Any]]

    @property
    def down(self) -> list[str]:
        return [name for name, check in self.checks.items() if not check["ok"]]

    @property
    def status(self) -> int:
        return 503 if self.down else 200

    def to_json(self) -> dict[str, Any]:
        return {"status": "down" if self.down else "ok", "down": self.down, "checks": self.checks}


class Health:
    def __init__(self, sources: OpsSources) -> None:
        self._sources = sources

    async def report(self) -> HealthReport:
        s = self._sources
        ami = s.ami_connected()
        agi = s.agi_listening()
        try:
            latency = await ping_database(s)
            database: dict[str, Any] = {"ok": True, "latency_s": round(latency, 6)}
        except Exception as exc:  # any failure to answer is "unreachable"
            database = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        return HealthReport(
            {
                "ami": {"ok": ami, "detail": "logged in" if ami else "not logged in to AMI"},
                "database": database,
                "fastagi": {
                    "ok": agi,
                    "detail": "listening" if agi else "the FastAGI port is not listening",
                    "sessions": s.agi_active(),
                },
            }
        )
