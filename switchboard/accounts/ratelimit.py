"""Login attempts limited per account and per address, on an injected clock.

Each wrong password is remembered for ``window_s``; an account (or an address) with
``per_account`` (``per_address``) failures in that window is refused, even with the right
password, until the oldest failure ages out. A success clears its account's failures
but not its address's: an attacker guessing many accounts from one address stays slowed.
Memory stays bounded: failures older than the window are forgotten on every call.
"""

# test-case-name: tests.web.test_ratelimit

from __future__ import annotations

from collections import deque
from collections.abc import Callable

__all__ = ["LoginLimiter"]


class LoginLimiter:
    def __init__(
        self,
        now: Callable[[], float],
        *,
        per_account: int = 5,
        per_address: int = 20,
        window_s: float = 900.0,
    ) -> None:
        self._now = now
        self._limits = {"account": per_account, "address": per_address}
        self._window_s = window_s
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def retry_after(self, account: str, address: str) -> float | None:
        """Seconds until a login for ``account`` from ``address`` is heard again; None: now."""
        self._forget_old()
        waits = [
            failures[0] + self._window_s - self._now()
            for key in (("account", account.casefold()), ("address", address))
            if len(failures := self._failures.get(key, deque())) >= self._limits[key[0]]
        ]
        return max(waits) if waits else None

    def failed(self, account: str, address: str) -> None:
        now = self._now()
        for key in (("account", account.casefold()), ("address", address)):
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, account: str) -> None:
        self._failures.pop(("account", account.casefold()), None)

    def _forget_old(self) -> None:
        oldest = self._now() - self._window_s
        for key in list(self._failures):
            failures = self._failures[key]
            while failures and failures[0] <= oldest:
                failures.popleft()
            if not failures:
                del self._failures[key]
