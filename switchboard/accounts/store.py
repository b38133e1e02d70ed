"""Users in the database: plain functions of a SQLAlchemy session (``Database.run`` work).

Each raises :class:`AccountError` with a message that names the problem and the fix.
"""

# test-case-name: tests.web.test_accounts

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from switchboard.accounts.model import LANGUAGES, Role, User
from switchboard.accounts.records import WebSession, WebUser

__all__ = [
    "AccountError",
    "add_user",
    "find_user",
    "list_users",
    "set_disabled",
    "set_language",
    "set_password_hash",
    "user_of",
]


class AccountError(ValueError):
    pass


def user_of(row: WebUser) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        agent_id=row.agent_id,
        language=row.language,
        queues=tuple(q for q in row.queues.split(",") if q),
        disabled=row.disabled,
    )


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise AccountError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")


def add_user(
    session: Session,
    username: str,
    password_hash: str,
    *,
    role: Role,
    display_name: str = "",
    agent_id: str | None = None,
    language: str = LANGUAGES[0],
    queues: Sequence[str] = (),
) -> User:
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError(f"a username is 1 to 64 characters without spaces, not {username!r}")
    _check_language(language)
    if session.scalar(select(WebUser).where(WebUser.username == username)) is not None:
        raise AccountError(
            f"user {username!r} exists already: `switchboard users passwd {username}` "
            "sets a new password"
        )
    row = WebUser(
        username=username,
        display_name=display_name or username,
        role=role.value,
        agent_id=agent_id or None,
        language=language,
        queues=",".join(queues),
        password_hash=password_hash,
        disabled=False,
    )
    session.add(row)
    session.flush()
    return user_of(row)


def _row(session: Session, username: str) -> WebUser:
    row = session.scalar(select(WebUser).where(WebUser.username == username))
    if row is None:
        raise AccountError(f"no user {username!r}: `switchboard users list` shows who exists")
    return row


def find_user(session: Session, username: str) -> tuple[User, str] | None:
    """The user and their password hash, or None."""
    row = session.scalar(select(WebUser).where(WebUser.username == username))
    return None if row is None else (user_of(row), row.password_hash)


def list_users(session: Session) -> list[User]:
    return [user_of(r) for r in session.scalars(select(WebUser).order_by(WebUser.username))]


def set_password_hash(session: Session, username: str, password_hash: str) -> None:
    """A new password; the user's open sessions end (a stolen one stops working)."""
    row = _row(session, username)
    row.password_hash = password_hash
    _end_sessions(session, row.id)


def set_disabled(session: Session, username: str, disabled: bool = True) -> User:
    row = _row(session, username)
    row.disabled = disabled
    if disabled:
        _end_sessions(session, row.id)
    return user_of(row)


def set_language(session: Session, user_id: int, language: str) -> None:
    _check_language(language)
    session.execute(update(WebUser).where(WebUser.id == user_id).values(language=language))


def _end_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))
