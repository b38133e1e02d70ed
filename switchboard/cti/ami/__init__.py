"""Asterisk Manager Interface: a sans-I/O codec and a thin Twisted client.

* :mod:`.frames` — bytes to :class:`Message` values and back (no Twisted).
* :mod:`.pending` — ActionID correlation and event-list gathering (no Twisted).
* :mod:`.actions` — typed action builders.
* :mod:`.protocol` — the Twisted protocol; :mod:`.service` — :class:`AmiClient`.

The application builds one ``AmiClient(settings.ami, reactor)``, subscribes by event
name, registers ``on_resynced`` callbacks, and sends actions that fire Deferreds.

Only the sans-I/O parts are re-exported here, so that importing the codec never loads
Twisted; import the client from :mod:`.service` (``from switchboard.cti.ami.service
import AmiClient``).
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

__all__ = [
    "Action",
    "ActionIdGenerator",
    "ActionTimeout",
    "AmiActionFailed",
    "AmiDisconnected",
    "AmiError",
    "AmiLoginFailed",
    "AmiParser",
    "Banner",
    "EventList",
    "FrameError",
    "HeaderInjectionError",
    "Message",
    "MessageTooLarge",
    "actions",
    "encode_message",
]
