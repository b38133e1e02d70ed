"""More rows for the report tests: IVR sessions made by running real flows on the engine
with scripted callers (stored as the runner stores them), and tickets opened, worked and
resolved through the ticket rules."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from switchboard.config import CrmSettings
from switchboard.crm.tickets import TicketPolicy, open_ticket, update_ticket
from switchboard.ivr_flows.records import session_record
from switchboard.ivr_flows.simulate import walk
from switchboard.ivr_flows.state import CallInfo
from tests.ivr.helpers import engine as flow_engine

POLICY = TicketPolicy.from_settings(CrmSettings())
TYPES = ("complaint", "complaint", "request", "enquiry")
CATEGORIES = ("quality", "service", "general")  # nothing "emergency" is opened

MAIN = """
steps:
  welcome:
    type: play
    prompts: [welcome]
  menu:
    type: menu
    prompts: [main-menu]
    retries: 1
    options: {"1": info, "2": sales, "3": billing}
  sales:
    type: queue
    queue: sales
  billing:
    type: goto
    flow: billing
  info:
    type: play
    prompts: [opening-hours]
"""
BILLING = """
steps:
  pick:
    type: menu
    prompts: [billing-menu]
    retries: 0
    options: {"1": bye, "2": agent}
    fallback: agent
  bye:
    type: hangup
  agent:
    type: queue
    queue: billing
"""
# What the callers do; "-" is silence, "hangup" hangs up at the next command.
SCRIPTS = (
    ["1"],
    ["2"],
    ["3", "1"],
    ["3", "2"],
    ["3", "7"],
    ["9", "1"],
    ["-", "2"],
    ["9", "-"],
    ["hangup"],
    ["3", "hangup"],
    ["1", "hangup"],
)


def seed_ivr(engine: Engine, tmp_path: Path, start: float, end: float, calls: int) -> list[str]:
    flows = flow_engine(tmp_path / "flows", main=MAIN, billing=BILLING)
    rng = random.Random(5)
    outcomes = []
    with Session(engine) as session, session.begin():
        for n in range(calls):
            call = CallInfo(call_id=f"ivr-{n}", caller_number="13800138000", channel="SIP/1")
            at = rng.uniform(start, end)
            walked = walk(flows, "main", rng.choice(SCRIPTS), call=call, now=at)
            record = session_record(walked.state, call)
            outcomes.append(record.outcome)
            session.add(record.to_row())
    return outcomes


def seed_tickets(engine: Engine, start: float, end: float, count: int) -> float:
    """``count`` tickets opened between ``start`` and ``end``, some resolved in time, some
    late, some closed, some still open; returns the last moment anything happened."""
    rng = random.Random(11)
    last = end
    with Session(engine) as session, session.begin():
        for n in range(count):
            opened = rng.uniform(start, end)
            ticket = open_ticket(
                session, POLICY, actor="li", now=opened, type=rng.choice(TYPES),
                category=rng.choice(CATEGORIES), priority=rng.choice(("normal", "urgent")),
                subject=f"ticket {n}",
            )  # fmt: skip
            roll = rng.random()
            if roll < 0.2:
                continue  # still open
            at = opened + rng.uniform(600, 4 * 86400)  # within the SLA or not
            update_ticket(session, POLICY, ticket["id"], actor="li", now=at, status="in_progress")
            if roll < 0.35:
                continue
            at += rng.uniform(60, 86400)
            update_ticket(session, POLICY, ticket["id"], actor="li", now=at, status="resolved")
            if roll > 0.7:
                at += 3600
                update_ticket(session, POLICY, ticket["id"], actor="li", now=at, status="closed")
            last = max(last, at)
    return last
