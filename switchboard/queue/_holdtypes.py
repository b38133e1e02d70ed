# -*- test-case-name: tests.queue.test_hold -*-
"""What a held call is given and gives back (re-exported by :mod:`.hold`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo

from switchboard.queue.model import frozen_map
from switchboard.recording_names import DEFAULT_DIR, DEFAULT_NAME

__all__ = ["AcdPrompts", "HoldOptions", "QueueOutcome", "QueueRequest"]


@dataclass(frozen=True, slots=True)
class QueueRequest:
    """What the IVR knows when it hands the call over. ``skills`` maps skill -> level."""

    queue: str
    priority: int = 0
    skills: Mapping[str, int] = field(default_factory=frozen_map)
    language: str = ""
    customer_tier: int = 0
    caller_number: str = ""  # default: the AGI caller ID
    ivr_ref: str = ""
    # What the IVR already did on the channel, so that it is not sent twice.
    answered: bool = False
    queue_variable_set: bool = False  # SWITCHBOARD_QUEUE is ``queue``


@dataclass(frozen=True, slots=True)
class QueueOutcome:
    """How the caller left the ACD: ``answered``, ``abandoned``, ``callback``,
    ``voicemail``, ``overflowed`` (sent to the dialplan fallback) or ``error``."""

    outcome: str
    call_id: str
    queue: str
    agent_id: str = ""
    recording: str = ""
    caller_gone: bool = False


@dataclass(frozen=True, slots=True)
class AcdPrompts:
    """Sound files played while holding (Asterisk's own queue sounds by default)."""

    first_in_line: str = "queue-youarenext"
    position_intro: str = "queue-thereare"
    position_outro: str = "queue-callswaiting"
    hold_time: str = "queue-holdtime"
    minutes: str = "queue-minutes"
    thank_you: str = "queue-thankyou"
    callback_offer: str = "switchboard-queue-callback-offer"  # "press 1 to be called back"
    callback_booked: str = "switchboard-queue-callback-booked"


@dataclass(frozen=True, slots=True)
class HoldOptions:
    prompts: AcdPrompts = field(default_factory=AcdPrompts)
    # Where MixMonitor writes (the ``[recordings]`` settings; see recording_names).
    recording_dir: str = DEFAULT_DIR
    recording_name: str = DEFAULT_NAME
    timezone: tzinfo = UTC  # of the {date} and {time} in recording_name
    dial_options: str = "g"  # g: the caller stays in the session when the agent hangs up
    callback_digit: str = "1"
    callback_wait_ms: int = 3000
    min_ring_s: float = 1.0
