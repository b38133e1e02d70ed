"""Sessions: login checks the password and the rate limit, and hands back an opaque token
(the ``sb_session`` cookie); the database keeps only its SHA-256, an expiry and the
session's CSRF token. Logout deletes the row, so the cookie is worthless from then on.
"""

# test-case-name: tests.web.test_sessions

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from switchboard.accounts.model import User
from switchboard.accounts.passwords import Passwords
from switchboard.accounts.ratelimit import LoginLimiter
from switchboard.accounts.records import WebSession, WebUser
from switchboard.accounts.store import find_user, set_language, user_of
from switchboard.store import Database

__all__ = ["COOKIE", "LoginRefused", "SessionInfo", "Sessions", "token_hash"]

COOKIE = "sb_session"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    user: User
    csrf_token: str
    expires_at: float


class LoginRefused(Exception):
    """``reason``: ``credentials`` (unknown user or wrong password: not told apart),
    ``disabled`` or ``rate_limited`` (then ``retry_after_s``)."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class Sessions:
    def __init__(
        self,
        database: Database,
        clock: Any,
        *,
        lifetime_s: float,
        passwords: Passwords,
        limiter: LoginLimiter,
        new_token: Callable[[], str] = _new_token,
    ) -> None:
        self._database = database
        self._clock = clock
        self._lifetime_s = lifetime_s
        self._passwords = passwords
        self._limiter = limiter
        self._new_token = new_token

    async def log_in(self, username: str, password: str, address: str) -> tuple[str, SessionInfo]:
        """A new session's token and what it carries; raises :class:`LoginRefused`."""
        wait = self._limiter.retry_after(username, address)
        if wait is not None:
            raise LoginRefused("rate_limited", wait)
        now = self._clock.seconds()
        token, csrf = self._new_token(), self._new_token()
        passwords = self._passwords

        def work(session: Session) -> SessionInfo | str:
            found = find_user(session, username)
            # The password is checked (against a decoy if the user is unknown) either way,
            # so the time taken does not tell which usernames exist.
            if not passwords.check(found[1] if found else None, password) or found is None:
                return "credentials"
            user = found[0]
            if user.disabled:
                return "disabled"
            session.execute(delete(WebSession).where(WebSession.expires_at <= now))
            expires = now + self._lifetime_s
            session.add(
                WebSession(
                    token_hash=token_hash(token),
                    user_id=user.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=expires,
                )
            )
            return SessionInfo(user, csrf, expires)

        outcome = await self._database.run(work)
        if isinstance(outcome, str):
            if outcome == "credentials":
                self._limiter.failed(username, address)
            raise LoginRefused(outcome)
        self._limiter.succeeded(username)
        return token, outcome

    async def session_for_token(self, token: str) -> SessionInfo | None:
        """None when the token is unknown, expired, logged out, or its user disabled."""
        if not token:
            return None
        now = self._clock.seconds()

        def work(session: Session) -> SessionInfo | None:
            found = session.execute(
                select(WebSession, WebUser)
                .join(WebUser, WebUser.id == WebSession.user_id)
                .where(WebSession.token_hash == token_hash(token))
            ).first()
            if found is None:
                return None
            row, user_row = found
            if row.expires_at <= now or user_row.disabled:
                return None
            return SessionInfo(user_of(user_row), row.csrf_token, row.expires_at)

        info: SessionInfo | None = await self._database.run(work)
        return info

    async def user_for_token(self, token: str) -> User | None:
        info = await self.session_for_token(token)
        return None if info is None else info.user

    async def log_out(self, token: str) -> None:
        hashed = token_hash(token)
        await self._database.run(
            lambda session: session.execute(
                delete(WebSession).where(WebSession.token_hash == hashed)
            )
        )

    async def set_language(self, user: User, language: str) -> None:
        """Raises ``AccountError`` for a language without a catalogue."""
        await self._database.run(lambda session: set_language(session, user.id, language))
