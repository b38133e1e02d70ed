# -*- test-case-name: tests.web.api.test_rest -*-
"""Who calls the REST API and what they reach.

Two ways in: the browser's session (its CSRF header on a state change), or
``Authorization: Bearer <token>`` with scopes. A session user's role gives the scopes:
an agent none of these (their own seat has ``/api/v1/seat``), a supervisor and an admin
all. A supervisor reaches only the queues they supervise (``User.queues``); an admin,
and a token made without ``--queue``, every queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from twisted.web.server import Request

from switchboard.accounts.model import Role
from switchboard.web.api.tokens import SCOPES, ApiToken
from switchboard.web.gate import Gate, Refusal

__all__ = ["Caller", "authenticate"]

TokenLookup = Callable[[str], Awaitable[ApiToken | None]]


@dataclass(frozen=True, slots=True)
class Caller:
    name: str  # the username, or "token:<name>"
    scopes: frozenset[str]
    queues: tuple[str, ...] | None  # None: every queue

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
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
    header = (request.getHeader(b"authorization") or b"").decode("latin-1")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Refusal("unauthenticated", "send the token as 'Authorization: Bearer <token>'")
        token = await tokens(secret.strip())
        if token is None:
            raise Refusal("unauthenticated", "unknown or revoked API token")
        return Caller(f"token:{token.name}", token.scopes, token.queues or None)
    user = (await gate.api_session(request)).user
    if user.role is Role.AGENT:
        return Caller(user.username, frozenset(), ())
    everything = frozenset(SCOPES)
    if user.role is Role.ADMIN:
        return Caller(user.username, everything, user.queues or None)
    return Caller(user.username, everything, user.queues)
