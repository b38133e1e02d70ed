# -*- test-case-name: tests.crm.test_tickets -*-
"""The ticket (工单) status machine, pure: open -> in_progress -> resolved -> closed, and
reopen (back to open) within a number of days of the resolution.

:func:`next_status` refuses an illegal move with :class:`TransitionError`, which names
the moves allowed from where the ticket is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = [
    "CLOSED_STATUSES",
    "STATUSES",
    "TYPES",
    "TransitionError",
    "allowed_from",
    "next_status",
]

TYPES: Final = ("complaint", "request", "enquiry", "follow_up")
STATUSES: Final = ("open", "in_progress", "resolved", "closed")
CLOSED_STATUSES: Final = frozenset({"resolved", "closed"})
# Forward moves; "open" from resolved/closed is a reopen, allowed only within the window.
_FORWARD: Final[Mapping[str, tuple[str, ...]]] = {
    "open": ("in_progress", "resolved"),
    "in_progress": ("resolved",),
    "resolved": ("closed", "open"),
    "closed": ("open",),
}


class TransitionError(ValueError):
    """A status change the machine forbids; ``allowed`` lists the legal targets."""

    def __init__(self, message: str, allowed: tuple[str, ...]) -> None:
        super().__init__(message)
        self.allowed = allowed


def allowed_from(
    status: str, resolved_at: float | None, now: float, reopen_days: float
) -> tuple[str, ...]:
    """The statuses a ticket in ``status`` may move to at ``now``."""
    targets = _FORWARD.get(status, ())
    if "open" in targets and not _reopenable(resolved_at, now, reopen_days):
        targets = tuple(t for t in targets if t != "open")
    return targets


def next_status(
    status: str, target: str, *, resolved_at: float | None, now: float, reopen_days: float
) -> str:
    """``target`` if the move is legal, else :class:`TransitionError` naming the legal ones."""
    if target not in STATUSES:
        raise TransitionError(
            f"unknown status {target!r}; statuses: {', '.join(STATUSES)}",
            allowed_from(status, resolved_at, now, reopen_days),
        )
    allowed = allowed_from(status, resolved_at, now, reopen_days)
    if target in allowed:
        return target
    if target == "open" and "open" in _FORWARD.get(status, ()):
        reason = f"it was resolved more than {reopen_days:g} days ago, too late to reopen"
    elif target == status:
        reason = f"it is already {status}"
    else:
        reason = f"{status} cannot become {target}"
    moves = ", ".join(allowed) if allowed else "none (open a new ticket)"
    raise TransitionError(f"{reason}; from {status} it can become: {moves}", allowed)


def _reopenable(resolved_at: float | None, now: float, reopen_days: float) -> bool:
    return resolved_at is not None and now - resolved_at <= reopen_days * 86400.0
