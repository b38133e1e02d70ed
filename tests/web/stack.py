# -*- test-case-name: tests.web.test_pages -*-
"""The web tier as ``build_web`` makes it, over a migrated SQLite file, on a fake clock,
with a cheap argon2 and a recording fake of the seat domain."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import make_url
from sqlalchemy.orm import Session
from twisted.internet.defer import succeed
from twisted.internet.task import Clock

from switchboard.accounts.model import Role, User
from switchboard.accounts.passwords import Passwords
from switchboard.accounts.store import add_user
from switchboard.config import WebSettings
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.web.routes import WebApp
from switchboard.web.seat_port import SeatActionError
from switchboard.web.service import WebService, build_web
from tests.web.browser import Browser

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
_MIGRATED: dict[str, Path] = {}


def migrated_copy(into: Path, cache_dir: Path) -> Path:
    """A fresh copy of a database at head (migrating once per test run is enough)."""
    if "file" not in _MIGRATED:
        template = cache_dir / "web-template.sqlite"
        upgrade_database(make_url(f"sqlite:///{template}"))
        _MIGRATED["file"] = template
    target = into / "web.sqlite"
    shutil.copy(_MIGRATED["file"], target)
    return target


@dataclass
class FakeSeat:
    """Records each call; ``fail_with`` makes the next call raise that seat error."""

    calls: list[tuple[str, Any]] = field(default_factory=list)
    fail_with: SeatActionError | None = None

    def _answer(self, name: str, user: User, *args: Any) -> dict[str, Any]:
        self.calls.append((name, (user.username, *args)))
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        return {"v": 1, "type": "state", "did": name, "agent_id": user.agent_id}

    async def log_in(self, user: User) -> dict[str, Any]:
        return self._answer("log_in", user)

    async def ready(self, user: User) -> dict[str, Any]:
        return self._answer("ready", user)

    async def pause(self, user: User, reason: str) -> dict[str, Any]:
        return self._answer("pause", user, reason)

    async def log_out(self, user: User) -> dict[str, Any]:
        return self._answer("log_out", user)

    async def finish_wrapup(self, user: User) -> dict[str, Any]:
        return self._answer("finish_wrapup", user)

    async def recording(self, user: User, call_id: str, action: str) -> dict[str, Any]:
        return self._answer("recording", user, call_id, action)

    async def save_disposition(
        self, user: User, call_id: str, code: str, note: str
    ) -> dict[str, Any]:
        return self._answer("save_disposition", user, call_id, code, note)

    async def customer(self, user: User, customer_id: int, address: str = "") -> dict[str, Any]:
        return self._answer("customer", user, customer_id)

    async def search_customers(
        self, user: User, query: str, address: str = ""
    ) -> list[dict[str, Any]]:
        return [self._answer("search_customers", user, query)]

    async def create_customer(self, user: User, fields: Mapping[str, str]) -> dict[str, Any]:
        return self._answer("create_customer", user, dict(fields))

    async def reveal(self, user: User, call_id: str, field: str, address: str) -> dict[str, Any]:
        return self._answer("reveal", user, call_id, field, address)


@dataclass
class Stack:
    web: WebService
    clock: Clock
    database: Database
    seat: FakeSeat

    def add_user(
        self,
        username: str,
        *,
        role: Role = Role.AGENT,
        agent_id: str | None = "1001",
        language: str = "zh-CN",
        password: str = PASSWORD,
    ) -> User:
        hashed = Passwords(CHEAP).hash(password)

        def work(session: Session) -> User:
            return add_user(
                session, username, hashed, role=role, agent_id=agent_id, language=language
            )

        result: list[User] = []
        self.database.run(work).addCallback(result.append)
        return result[0]

    def browser(self, address: str = "192.0.2.10") -> Browser:
        return Browser(self.web.site, address=address)

    def logged_in(self, username: str, address: str = "192.0.2.10") -> tuple[Browser, str]:
        """A browser with a session for ``username``, and that session's CSRF token."""
        browser = self.browser(address)
        answer = browser.log_in(username, PASSWORD)
        assert answer.status == 303, answer.text
        return browser, browser.get("/account").meta("csrf-token")


def make_stack(
    tmp_path: Path,
    *,
    settings: WebSettings | None = None,
    seat: FakeSeat | None = None,
    with_seat: bool = True,
    ws_resource_for: Any = None,
    templates: Path | None = None,
    extra_routes: Sequence[Callable[[WebApp], None]] = (),
    site_labels: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
) -> Stack:
    tmp_path.mkdir(parents=True, exist_ok=True)
    db_file = migrated_copy(tmp_path, tmp_path.parent)
    database = Database(
        create_database_engine(make_url(f"sqlite:///{db_file}")),
        None,
        runner=lambda work: succeed(work()),
    )
    clock = Clock()
    clock.advance(1_800_000_000)
    fake = seat or FakeSeat()
    web = build_web(
        settings or WebSettings(),
        clock,
        database,
        seat=fake if with_seat else None,
        ws_resource_for=ws_resource_for,
        hasher=CHEAP,
        extra_routes=extra_routes,
        site_labels=site_labels,
        **({"templates": templates} if templates is not None else {}),
    )
    return Stack(web, clock, database, fake)
