"""The live call model: channels grouped into calls by ``Linkedid``, from AMI events.

* :mod:`.values` — frozen :class:`Call` snapshots and the changes (``CallStarted``,
  ``CallUpdated``, ``CallEnded``) and ``CallsResynced`` (a resync's end), each with a
  versioned JSON form.
* :mod:`.model` — :class:`CallModel`, pure: ``feed(message, at) -> [Change]``, ``resync``
  from ``CoreShowChannels``, ``expire(now)``.
* :mod:`.tracker` — :class:`CallTracker`, the Twisted service that runs the model on an
  ``AmiClient`` with an injected clock and hands each change to a ``publish`` callable.
"""

from switchboard.cti.calls.model import CallModel
from switchboard.cti.calls.tracker import CallTracker
from switchboard.cti.calls.values import (
    END_HANGUP,
    END_VANISHED,
    Call,
    CallEnded,
    CallNews,
    CallsResynced,
    CallStarted,
    CallUpdated,
    Change,
    ChannelView,
    IvrSession,
    LegHangup,
)

__all__ = [
    "END_HANGUP",
    "END_VANISHED",
    "Call",
    "CallEnded",
    "CallModel",
    "CallNews",
    "CallStarted",
    "CallTracker",
    "CallUpdated",
    "CallsResynced",
    "Change",
    "ChannelView",
    "IvrSession",
    "LegHangup",
]
