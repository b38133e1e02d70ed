"""Index rows made the way the recorder makes them, for the search and CLI tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from switchboard.config.model import CrmSettings
from switchboard.crm.directory import add_customer
from switchboard.crm.tickets import TicketPolicy, open_ticket
from switchboard.recorder.filecheck import check_file
from switchboard.recorder.lifecycle import Finished
from switchboard.recorder.store import file_dispositions, index_recording, link_ticket
from switchboard.seat.models import SeatDisposition
from tests.recorder.helpers import T0, write_wav

DAY = 86400.0


def seed(session: Session, spool: Path) -> dict[str, int]:
    """Four recordings over three days, two queues, two agents, tickets 1 and 2 linked to
    b; returns the recordings' ids."""
    add_customer(session, "Li Na", {"phone": "13800138000", "account": "ACC-77"})
    plan = [  # name, day, caller, agent, queue, talk seconds
        ("a", 0, "13800138000", "1001", "sales", 12.0),
        ("b", 0, "5551002", "1002", "support", 95.0),
        ("c", 1, "13800138000", "1002", "support", 40.0),
        ("d", 2, "5551003", "1001", "sales", 0.0),
    ]
    ids = {}
    for name, day, caller, agent, queue, talk in plan:
        path = write_wav(spool / f"{queue}-{name}.wav", talk)
        start = T0 + day * DAY
        done = Finished(
            linked_id=f"L{name}",
            call_id=f"C{name}",
            path=str(path),
            caller_number=caller,
            agent_id=agent,
            queue=queue,
            started_at=start,
            ended_at=start + talk + 5,
        )
        ids[name] = index_recording(session, done, check_file(path), indexed_at=start + talk + 6).id
    at = datetime.fromtimestamp(T0, UTC)
    for call, code in (("Ca", "sold"), ("Cb", "escalated"), ("Cb", "resolved"), ("Cc", "sold")):
        session.add(
            SeatDisposition(call_id=call, agent_id="x", queue="q", code=code, note="", at=at)
        )
        session.flush()
        file_dispositions(session, [call])  # what the recorder does when the hub tells it
    policy = TicketPolicy.from_settings(CrmSettings())
    for subject in ("空调不制冷", "回访"):  # tickets 1 and 2 of a fresh database
        open_ticket(
            session, policy, actor="li", now=T0, type="complaint", category="quality",
            priority="normal", subject=subject,
        )  # fmt: skip
    link_ticket(session, ids["b"], ["1", "#2"])
    link_ticket(session, ids["b"], ["1"])  # linking twice keeps one link
    return ids
