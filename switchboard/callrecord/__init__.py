"""Call records: one durable row per call and one per leg, from the hub (docs/callrecord.md).

* :mod:`.book` — :class:`CallBook`, pure: the hub's ``call`` and ``fact`` payloads in,
  write operations (:mod:`.ops`) out.
* :mod:`.store` — the operations applied in one transaction per batch; the outcome rule.
* :mod:`.service` — :class:`CallRecordService`, the hub subscriber that batches each
  reactor turn's operations into ``Database.run``.
* :mod:`.read` — :func:`call_record_json` and :func:`list_call_records`: a call with its
  legs, queue visits, offers, callbacks, IVR path, disposition, tickets, recording, CSAT.
"""

from __future__ import annotations

from typing import Any

from switchboard.callrecord.read import call_record_json, list_call_records
from switchboard.callrecord.service import CallRecordService
from switchboard.hub import Hub
from switchboard.store import Database

__all__ = ["CallRecordService", "build_callrecord", "call_record_json", "list_call_records"]


def build_callrecord(reactor: Any, clock: Any, database: Database, hub: Hub) -> CallRecordService:
    """The call records' service: listens to ``hub``, writes through ``database``;
    ``clock`` is the time the call model and the router stamp (the ACD's)."""
    service = CallRecordService(hub, database, reactor, clock)
    service.setName("callrecord")
    return service
