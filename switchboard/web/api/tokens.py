# -*- test-case-name: tests.web.api.test_tokens -*-
"""API tokens: a name, scopes, optionally the queues they reach; the database keeps only
the token's SHA-256 (the token is 32 random bytes, so a fast hash is enough), and a
revoked token stays listed with the time it was revoked."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Float, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from switchboard.accounts.sessions import token_hash
from switchboard.store.models import Base

__all__ = [
    "PREFIX",
    "SCOPES",
    "ApiToken",
    "ApiTokenRow",
    "TokenError",
    "create_token",
    "find_token",
    "list_tokens",
    "revoke_token",
]

# What each scope lets a token do.
SCOPES: Final = {
    "read:stats": "read agents and queues with their live figures",
    "read:calls": "read calls (legs, IVR path, disposition); customers too, as read:customers",
    "control:agents": "log agents in and out, make them ready, pause them, end wrap-up",
    "supervise": "listen, whisper, barge; move or raise waiting calls",
    "read:customers": "search customers, read a customer and their history (each read logged)",
    "write:customers": "merge duplicate customers",
    "read:tickets": "list and read tickets, the per-category report",
    "write:tickets": "open tickets, comment on them",
    "manage:tickets": "move tickets between statuses, change owner, priority ..., link calls",
    "admin:crm": "undo a merge; read who read a customer",
}
PREFIX: Final = "sbt_"  # so a leaked token is recognisable in logs and secret scanners


class TokenError(Exception):
    pass


class ApiTokenRow(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(256))  # space-separated
    queues: Mapped[str] = mapped_column(String(1024))  # comma-separated; "" : all
    created_at: Mapped[float] = mapped_column(Float)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    name: str
    scopes: frozenset[str]
    queues: tuple[str, ...]  # empty: every queue
    created_at: float
    revoked_at: float | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _token_of(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        row.id,
        row.name,
        frozenset(row.scopes.split()),
        tuple(q for q in row.queues.split(",") if q),
        row.created_at,
        row.revoked_at,
    )


def check_scopes(scopes: Sequence[str]) -> frozenset[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        problem = f"unknown scope(s) {', '.join(unknown)}" if unknown else "no scope given"
        raise TokenError(f"{problem}; use --scope with one of: {', '.join(SCOPES)}")
    return frozenset(scopes)


def create_token(
    session: Session,
    name: str,
    scopes: Sequence[str],
    now: float,
    *,
    queues: Sequence[str] = (),
    secret: str | None = None,
) -> tuple[str, ApiToken]:
    """A new token: the secret (shown once) and what is stored about it."""
    if not name or len(name) > 64:
        raise TokenError(f"a token name is 1 to 64 characters, not {name!r}")
    wanted = check_scopes(scopes)
    token = secret or PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        name=name,
        token_hash=token_hash(token),
        scopes=" ".join(sorted(wanted)),
        queues=",".join(queues),
        created_at=now,
        revoked_at=None,
    )
    session.add(row)
    session.flush()
    return token, _token_of(row)


def find_token(session: Session, token: str) -> ApiToken | None:
    """The active token with this secret, or None."""
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    return _token_of(row)


def list_tokens(session: Session) -> list[ApiToken]:
    return [_token_of(r) for r in session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id))]


def revoke_token(session: Session, token_id: int, now: float) -> ApiToken:
    row = session.get(ApiTokenRow, token_id)
    if row is None:
        raise TokenError(f"no token {token_id}: `switchboard tokens list` shows their ids")
    if row.revoked_at is None:
        row.revoked_at = now
    return _token_of(row)
