# -*- test-case-name: tests.control.test_appqueue_api -*-
"""Pause reasons: the configured list (``[queues] pause_reasons``) and what one looks like.

Its own module, free of Twisted and the ACD, because the settings validate the list.
A reason is stored, shown on wallboards and used in reports, so it is a short word.
"""

from __future__ import annotations

import re

__all__ = ["DEFAULT_PAUSE_REASONS", "reason_problem"]

DEFAULT_PAUSE_REASONS: tuple[str, ...] = (
    "break",
    "lunch",
    "training",
    "meeting",
    "after_call_work",
)
_REASON = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def reason_problem(reason: str) -> str | None:
    """Why ``reason`` cannot be a configured pause reason (None: it can)."""
    if _REASON.match(reason):
        return None
    return (
        f"pause reason {reason!r} is not a short lower-case word (letters, digits, '_'"
        " or '-', at most 32): write e.g. after_call_work"
    )
