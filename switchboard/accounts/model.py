"""Who uses the web tier: a user, their role, and the agent they sit as.

A minimal copy of the contract's ``User``/``Role`` (issue 12) so the seat domain imports its
final path; the accounts branch owns this module and its version replaces this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Role", "User"]


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    agent_id: str | None  # the ACD/app_queue agent this user sits as (None: no seat)
    language: str  # "zh-CN" | "en"
    queues: tuple[str, ...] = ()  # queues a supervisor supervises (empty + admin: all)
    disabled: bool = False

    @property
    def has_seat(self) -> bool:
        return self.agent_id is not None
