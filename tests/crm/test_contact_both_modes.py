"""End to end on the simulated PBX, in both routing modes: a known customer calls (the
demo's site, English, the operator), agent 1001 answers and talks 30 s; the customer's
last contact becomes the answer's time, then the call's end. Another customer's stays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from switchboard.crm.directory import add_customer
from switchboard.crm.models import Customer
from switchboard.queue.core.decisions import CallAnswered
from switchboard.sim.scenario import KeyPress, ScriptedCall
from tests.example_site import one_agent_site

NUMBER = "5550101"
ENGLISH = KeyPress("3", 0.5, "choose-language")
OPERATOR = KeyPress("0", 0.5, "main-menu")
Seen = dict[str, float | None]


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _run(work: Path, routing: str) -> Seen:
    run = one_agent_site(work, routing)
    app = run.site.app
    with Session(app.database.engine) as session, session.begin():
        caller = add_customer(session, "Zhang Wei", {"phone": NUMBER}).id
        other = add_customer(session, "Li Lei", {"phone": "5550199"}).id

    def last_contact(customer_id: int) -> float | None:
        with Session(app.database.engine) as session:
            return _epoch(session.get(Customer, customer_id).last_contact_at)  # type: ignore[union-attr]

    if routing == "switchboard":
        run.site.acd.log_in("1001", ready=True)
    run.site.pbx.place(
        ScriptedCall(at_s=0.0, number=NUMBER, name="Zhang", keys=(ENGLISH, OPERATOR))
    )
    run.until(lambda: any(isinstance(f, CallAnswered) for f in run.facts), "the answer")
    [answered] = [f for f in run.facts if isinstance(f, CallAnswered)]
    run.until(lambda: last_contact(caller) is not None, "the last contact at the answer")
    seen: Seen = {"answered": answered.at, "at_answer": last_contact(caller)}
    run.until(lambda: run.finished(), "the call's end")
    [finished] = run.finished().values()
    run.until(lambda: last_contact(caller) == pytest.approx(finished.at), "the end's contact")
    seen.update(finished=finished.at, at_end=last_contact(caller), other=last_contact(other))
    run.stop()
    return seen


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Seen]:
    work = tmp_path_factory.mktemp("contact-modes")
    return {routing: _run(work / routing, routing) for routing in ("switchboard", "app_queue")}


@pytest.mark.parametrize("routing", ["switchboard", "app_queue"])
def test_a_known_callers_last_contact_follows_the_call(seen: dict[str, Seen], routing: str) -> None:
    got = seen[routing]
    assert got["at_answer"] == pytest.approx(got["answered"], abs=1e-3)
    assert got["finished"] is not None and got["answered"] is not None
    assert got["finished"] > got["answered"] + 29  # the 30 s talk
    assert got["at_end"] == pytest.approx(got["finished"], abs=1e-3)
    assert got["other"] is None
