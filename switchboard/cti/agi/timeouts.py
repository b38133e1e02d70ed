# -*- test-case-name: tests.unit.test_agi_timeouts -*-
"""How long one AGI command may take, derived from the command itself (pure).

Most commands get the default allowance. Commands that wait on people get their own:
``EXEC Dial`` rings for its timeout argument and then lasts as long as the conversation
(bounded by ``S(n)`` if given, else by the long allowance), ``RECORD FILE`` and
``WAIT FOR DIGIT`` by their own timeouts, ``GET DATA`` by the prompt plus the digit
timeout for each digit. A margin is added to everything derived.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["TimeoutPolicy", "command_timeout_s"]

_DIAL_DURATION = re.compile(r"S\((\d+)\)")
_GET_DATA_DEFAULT_DIGIT_S = 5.0


@dataclass(frozen=True, slots=True)
class TimeoutPolicy:
    """``default_s`` for ordinary commands; ``long_s`` bounds waits with no limit of their own."""

    default_s: float = 30.0
    long_s: float = 3600.0
    margin_s: float = 5.0


def _int(words: Sequence[str], index: int) -> int | None:
    try:
        return int(words[index])
    except (IndexError, ValueError):
        return None


def _dial_s(options: str, policy: TimeoutPolicy) -> float:
    fields = options.split(",")
    ring_s = _int(fields, 1) or policy.long_s
    flags = fields[2] if len(fields) > 2 else ""
    talk = _DIAL_DURATION.search(flags)
    talk_s = float(talk.group(1)) if talk else policy.long_s
    return ring_s + talk_s + policy.margin_s


def command_timeout_s(words: Sequence[str], policy: TimeoutPolicy) -> float:
    """The allowance for the command whose words (as Asterisk splits them) are ``words``."""
    upper = [w.upper() for w in words[:3]]
    if upper[:1] == ["EXEC"] and len(words) >= 2 and words[1].lower() == "dial":
        return _dial_s(" ".join(words[2:]), policy)
    if upper[:2] == ["RECORD", "FILE"]:
        timeout_ms = _int(words, 5)
        if timeout_ms is None or timeout_ms < 0:
            return policy.long_s + policy.margin_s
        return timeout_ms / 1000 + policy.margin_s
    if upper[:3] == ["WAIT", "FOR", "DIGIT"]:
        timeout_ms = _int(words, 3)
        if timeout_ms is None or timeout_ms < 0:
            return policy.long_s + policy.margin_s
        return timeout_ms / 1000 + policy.margin_s
    if upper[:2] == ["GET", "DATA"]:
        timeout_ms = _int(words, 3)
        digit_s = timeout_ms / 1000 if timeout_ms and timeout_ms > 0 else _GET_DATA_DEFAULT_DIGIT_S
        digits = max(_int(words, 4) or 1, 1)
        return policy.default_s + digit_s * digits + policy.margin_s
    return policy.default_s
