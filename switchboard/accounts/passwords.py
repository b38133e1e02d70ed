"""Password hashing: argon2id through argon2-cffi, whose defaults follow RFC 9106.

Hashing costs tens of milliseconds of CPU and memory on purpose, so callers run it off
the reactor thread (inside ``Database.run``'s work). Tests pass a cheap hasher.
"""

# test-case-name: tests.web.test_accounts

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["MIN_PASSWORD_LENGTH", "PasswordProblem", "Passwords", "password_problem"]

MIN_PASSWORD_LENGTH = 8  # NIST SP 800-63B; length over composition rules


def password_problem(password: str) -> str | None:
    """Why ``password`` is refused, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    if password.strip() != password:
        return "a password may not start or end with spaces (a copy-paste slip?)"
    return None


class PasswordProblem(ValueError):
    pass


class Passwords:
    """Hash and check passwords; ``hasher``: argon2id with its defaults unless given."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._decoy: str | None = None

    def hash(self, password: str) -> str:
        problem = password_problem(password)
        if problem is not None:
            raise PasswordProblem(problem)
        return self._hasher.hash(password)

    def check(self, stored_hash: str | None, password: str) -> bool:
        """``stored_hash`` None (no such user): checked against a decoy all the same, so
        both answers take as long and the time does not tell which usernames exist."""
        if stored_hash is None and self._decoy is None:
            self._decoy = self._hasher.hash("no such user: a decoy password")
        try:
            return self._hasher.verify(stored_hash or self._decoy or "", password) and (
                stored_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
