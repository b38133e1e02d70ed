"""The user of the web tier, as every other area sees them: a frozen value."""

# test-case-name: tests.web.test_accounts

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

LANGUAGES = ("zh-CN", "en")  # the catalogues shipped; zh-CN first: the default


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
