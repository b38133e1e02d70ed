"""The event hub: what happens to calls, published for whoever listens.

Publishers (the ACD and the live call model now; the app_queue tracker next) and
subscribers (the demo's tally now; the agent seat, the wallboard and the recorder next) are
handed the one :class:`Hub` by ``switchboard/app.py``; neither imports the other. Each topic
(:mod:`.topics`) has one payload type with a versioned JSON form (``docs/events.md``), so a
message bus can replace this in-process hub without changing either side.
"""

from switchboard.hub.jsonform import PayloadFormatError
from switchboard.hub.payloads import DispositionSaved, Offered, RecordingState
from switchboard.hub.pubsub import Hub
from switchboard.hub.topics import (
    AGENT_STATE,
    CALL,
    DISPOSITION,
    FACT,
    OFFERED,
    QUEUE_STATS,
    RECORDING,
    TOPICS,
    VERSION,
    Topic,
    topic_named,
)

__all__ = [
    "AGENT_STATE",
    "CALL",
    "DISPOSITION",
    "FACT",
    "OFFERED",
    "QUEUE_STATS",
    "RECORDING",
    "TOPICS",
    "VERSION",
    "DispositionSaved",
    "Hub",
    "Offered",
    "PayloadFormatError",
    "RecordingState",
    "Topic",
    "topic_named",
]
