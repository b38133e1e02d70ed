"""The demo's web side: a port for the seat (8080, or a free one when that is taken) and
a login for every demo agent and one supervisor, printed first so a person can try it."""

# test-case-name: tests.web.test_demo_web,tests.integration.test_demo

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.orm import Session
from twisted.internet.defer import maybeDeferred
from twisted.internet.error import CannotListenError
from twisted.internet.protocol import ServerFactory

from switchboard.accounts.model import Role
from switchboard.accounts.passwords import Passwords
from switchboard.accounts.store import add_user, find_user, set_password_hash
from switchboard.config import Settings
from switchboard.queue.core.model import Agent

__all__ = [
    "DEMO_WEB_PORT",
    "DemoLogin",
    "add_demo_users",
    "demo_logins",
    "with_control_port",
    "with_web_port",
]

DEMO_WEB_PORT = 8080
SUPERVISOR = "supervisor"
# The demo's passwords are printed on screen: OWASP's lightest argon2id setting will do,
# and 13 users are hashed in a second instead of five.
_DEMO_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    display_name: str
    agent_id: str | None


def demo_logins(agents: Sequence[Agent]) -> list[DemoLogin]:
    """``1001`` / ``demo-1001`` for each agent, then ``supervisor`` / ``demo-supervisor``."""
    return [DemoLogin(a.id, f"demo-{a.id}", a.name, a.id) for a in agents] + [
        DemoLogin(SUPERVISOR, f"demo-{SUPERVISOR}", "Supervisor", None)
    ]


async def with_web_port(
    reactor: Any, settings: Settings, preferred: int = DEMO_WEB_PORT
) -> tuple[Settings, str]:
    """``settings`` serving the web tier on 127.0.0.1:8080 (``preferred``; 0: any free
    port), or on a free port if that is taken (then the second value says so)."""
    port, note = await _port_or_free(reactor, preferred)
    web = settings.web.model_copy(
        update={
            "enabled": True,
            "bind": "127.0.0.1",
            "port": port,
            "origin": f"http://127.0.0.1:{port}",
        }
    )
    return settings.model_copy(update={"web": web}), note


async def with_control_port(reactor: Any, settings: Settings) -> tuple[Settings, str]:
    """``settings`` with the control endpoint (``switchboard agents``) on its usual port,
    or on a free one if a serve or another demo holds it (then the note says so), instead
    of a demo that cannot start."""
    if not settings.control.enabled:
        return settings, ""
    port, note = await _port_or_free(reactor, settings.control.port)
    control = settings.control.model_copy(update={"bind": "127.0.0.1", "port": port})
    return settings.model_copy(update={"control": control}), note


async def _port_or_free(reactor: Any, preferred: int) -> tuple[int, str]:
    note = ""
    try:
        probe = reactor.listenTCP(preferred, ServerFactory(), interface="127.0.0.1")
    except CannotListenError:
        probe = reactor.listenTCP(0, ServerFactory(), interface="127.0.0.1")
        note = f"port {preferred} is taken, so a free one"
    port = probe.getHost().port
    await maybeDeferred(probe.stopListening)
    return port, note


def add_demo_users(session: Session, logins: Sequence[DemoLogin]) -> None:
    """Database work: each login, added or given its demo password again (``--database``
    may name the file of an earlier run)."""
    passwords = Passwords(_DEMO_HASHER)
    for login in logins:
        hashed = passwords.hash(login.password)
        if find_user(session, login.username) is not None:
            set_password_hash(session, login.username, hashed)
            continue
        add_user(
            session,
            login.username,
            hashed,
            role=Role.AGENT if login.agent_id else Role.SUPERVISOR,
            display_name=login.display_name,
            agent_id=login.agent_id,
            language="zh-CN",
        )
