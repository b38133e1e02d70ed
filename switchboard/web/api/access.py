# -*- test-case-name: tests.web.api.test_rest -*-
"""Who calls the REST API and what they reach.

Two ways in: the browser's session (its CSRF header on a state change), or
``Authorization: Bearer <token>`` with scopes. A session user's role gives the scopes:
an agent only the customers and tickets ones (and reads only the customers their seat was
offered or found: :data:`AGENT_SCOPES`), a supervisor and an admin all. A supervisor
reaches only the queues they supervise (``User.queues``); an admin, and a token made
without ``--queue``, every queue. Only an admin (or a token with ``admin:crm``) is
:attr:`Caller.admin`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Final

from twisted.web.server import Request

from switchboard.accounts.model import Role
from switchboard.web.api.tokens import SCOPES, ApiToken
from switchboard.web.gate import Gate, Refusal

__all__ = ["AGENT_SCOPES", "Caller", "authenticate"]

TokenLookup = Callable[[str], Awaitable[ApiToken | None]]
# What an agent's own session may do here: read the customers their seat may, and their
# tickets; open tickets and comment.
AGENT_SCOPES: Final = frozenset({"read:customers", "read:tickets", "write:tickets"})
# A scope a token made before it existed had under another name.
IMPLIED_BY: Final = {"read:customers": "read:calls"}


@dataclass(frozen=True, slots=True)
class Caller:
    name: str  # the username, or "token:<name>"
    scopes: frozenset[str]
    queues: tuple[str, ...] | None  # None: every queue
    address: str = ""  # the client's, as the server saw it (the read log keeps it)
    agent: bool = False  # an agent's session: customers only through their seat's access
    seat: str | None = None  # that agent's id, None without a seat
    admin: bool = False  # an admin's session or a token with admin:crm

    def require(self, scope: str) -> None:
        if scope not in self.scopes and IMPLIED_BY.get(scope) not in self.scopes:
            raise Refusal(
                "forbidden",
                f"{self.name} may not do this: it needs the {scope!r} scope "
                "(a supervisor's or an admin's session, or a token created with "
                f"--scope {scope})",
            )

    def reaches(self, queues: Iterable[str]) -> bool:
        return self.queues is None or any(q in self.queues for q in queues)

    def reach(self, queues: Iterable[str], what: str) -> None:
        if not self.reaches(queues):
            raise Refusal("forbidden", f"{what} is outside the queues {self.name} supervises")


async def authenticate(request: Request, gate: Gate, tokens: TokenLookup) -> Caller:
    address = request.getClientAddress().host or ""
    header = (request.getHeader(b"authorization") or b"").decode("latin-1")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Refusal("unauthenticated", "send the token as 'Authorization: Bearer <token>'")
        token = await tokens(secret.strip())
        if token is None:
            raise Refusal("unauthenticated", "unknown or revoked API token")
        return Caller(
            f"token:{token.name}",
            token.scopes,
            token.queues or None,
            address,
            admin="admin:crm" in token.scopes,
        )
    user = (await gate.api_session(request)).user
    if user.role is Role.AGENT:
        return Caller(user.username, AGENT_SCOPES, (), address, agent=True, seat=user.agent_id)
    everything = frozenset(SCOPES)
    if user.role is Role.ADMIN:
        return Caller(user.username, everything, user.queues or None, address, admin=True)
    return Caller(user.username, everything, user.queues, address)
