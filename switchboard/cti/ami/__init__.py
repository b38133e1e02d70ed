"""Asterisk Manager Interface: a sans-I/O codec and a thin Twisted client.

* :mod:`.frames` — bytes to :class:`Message` values and back (no Twisted).
* :mod:`.pending` — ActionID correlation and event-list gathering (no Twisted).
* :mod:`.actions` — typed action builders.
* :mod:`.protocol` — the Twisted protocol; :mod:`.service` — :class:`AmiClient`.

The application builds one ``AmiClient(settings.ami, reactor)``, subscribes by event
name, registers ``on_resynced`` callbacks, and sends actions that fire Deferreds.
"""

from switchboard.cti.ami import actions
from switchboard.cti.ami.actions import Action, ActionIdGenerator
from switchboard.cti.ami.errors import (
    ActionTimeout,
    AmiActionFailed,
    AmiDisconnected,
    AmiError,
    AmiLoginFailed,
)
from switchboard.cti.ami.frames import (
    AmiParser,
    Banner,
    FrameError,
    HeaderInjectionError,
    Message,
    MessageTooLarge,
    encode_message,
)
from switchboard.cti.ami.pending import EventList
from switchboard.cti.ami.protocol import AmiProtocol
from switchboard.cti.ami.service import AmiClient

__all__ = [
    "Action",
    "ActionIdGenerator",
    "ActionTimeout",
    "AmiActionFailed",
    "AmiClient",
    "AmiDisconnected",
    "AmiError",
    "AmiLoginFailed",
    "AmiParser",
    "AmiProtocol",
    "Banner",
    "EventList",
    "FrameError",
    "HeaderInjectionError",
    "Message",
    "MessageTooLarge",
    "actions",
    "encode_message",
]
