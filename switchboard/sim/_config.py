# -*- test-case-name: tests.sim.test_scenario -*-
"""Static shape of a simulated PBX: queues, members, agent phones (plain values).

Re-exported by :mod:`switchboard.sim.pbx`, where callers have always found them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Member:
    """One static queue member, as in the captured queues.conf."""

    interface: str  # Local/agent1001@switchboard-agents/n
    name: str


@dataclass(frozen=True, slots=True)
class QueueConfig:
    name: str
    members: tuple[Member, ...]
    strategy: str = "rrmemory"
    timeout_s: float = 12.0
    retry_s: float = 2.0
    wrapup_s: float = 2.0
    service_level_s: int = 30


def _members(prefix: str, names: tuple[str, ...]) -> tuple[Member, ...]:
    return tuple(
        Member(f"Local/agent{prefix}{i + 1:03d}@switchboard-agents/n", n)
        for i, n in enumerate(names)
    )


DEFAULT_QUEUES: tuple[QueueConfig, ...] = (
    QueueConfig("sales", _members("1", ("Alice Sales", "Bob Sales", "Carol Sales"))),
    QueueConfig("support", _members("2", ("Dave Support", "Erin Support", "Frank Support"))),
)


@dataclass
class AgentBehaviour:
    """What a simulated agent phone does when rung.

    ``answer_after_s`` ``None``: never answers. ``talk_s`` ``None``: drawn from the PBX's
    talk range. ``hangs_up``: who ends the conversation, ``agent`` or ``caller``.
    """

    answer_after_s: float | None = 1.0
    talk_s: float | None = None
    hangs_up: str = "agent"


# Applications a stock Asterisk 22 has loaded (lower case). A site without app_voicemail
# (the agi-failures capture) answers ``EXEC VoiceMail`` with ``-2``.
DEFAULT_APPLICATIONS: frozenset[str] = frozenset(
    {
        "agi", "answer", "dial", "hangup", "mixmonitor", "noop", "playback", "queue", "set",
        "startmusiconhold", "stopmusiconhold", "voicemail", "wait",
    }
)  # fmt: skip


@dataclass
class PbxConfig:
    """Static shape of the simulated PBX (the captured test PBX by default)."""

    queues: tuple[QueueConfig, ...] = DEFAULT_QUEUES
    agi_url: str = "agi://127.0.0.1:4573/main-menu"
    spool_dir: Path = Path("/tmp/switchboard-sim/spool")
    ami_users: dict[str, str] = field(default_factory=lambda: {"switchboard": "switchboard"})
    agents: dict[str, AgentBehaviour] = field(default_factory=dict)
    default_agent: AgentBehaviour = field(default_factory=AgentBehaviour)
    talk_range_s: tuple[float, float] = (4.0, 8.0)
    # Sound files installed, as paths under Asterisk's sounds folder without the format
    # (``en/beep``, ``en/switchboard/welcome``); ``None``: every file exists.
    sounds: frozenset[str] | None = None
    applications: frozenset[str] = DEFAULT_APPLICATIONS

    def has_sound(self, name: str, language: str) -> bool:
        """Does ``STREAM FILE name`` find a file on a channel of ``language``? Asterisk
        looks under the channel's language, then English, then the bare name."""
        if self.sounds is None:
            return True
        return bool({f"{language}/{name}", f"en/{name}", name} & self.sounds)

    def has_application(self, name: str) -> bool:
        return name.lower() in self.applications
