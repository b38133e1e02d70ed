"""An agent's blind and attended transfer, end to end in both routing modes: the
simulated Asterisk answers AMI ``BlindTransfer`` / ``Atxfer`` and sends the events
(switchboard/sim/_transfer_events.py: main/stasis_bridges.c's fields), the routing
shell makes the ``call_transferred`` fact, the call record counts it once and the queue
report shows it in the interval the visit entered; a transfer Asterisk refuses
(``Result: Invalid``: the channel is in no bridge) is not counted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from switchboard.callrecord import list_call_records
from switchboard.config import ReportSettings
from switchboard.cti.ami import actions
from switchboard.queue.core.decisions import CallAnswered, CallTransferred
from switchboard.reports.kinds import make_report
from switchboard.reports.query import parse_query
from switchboard.sim.scenario import KeyPress, ScriptedCall
from tests.example_site import one_agent_site

TO_SALES = (KeyPress("3", 0.5, "choose-language"), KeyPress("0", 0.5, "main-menu"))


@pytest.mark.parametrize("method", ["blind", "attended"])
@pytest.mark.parametrize("routing", ["switchboard", "app_queue"])
def test_an_agents_transfer_reaches_the_call_record_and_the_queue_report(
    tmp_path: Path, routing: str, method: str
) -> None:
    run = one_agent_site(tmp_path / "site", routing)
    app, pbx = run.site.app, run.site.pbx
    if routing == "switchboard":
        run.site.acd.log_in("1001", ready=True)
    pbx.place(ScriptedCall(at_s=0.0, number="13800000001", name="One", keys=TO_SALES))
    run.until(lambda: any(isinstance(f, CallAnswered) for f in run.facts), "the answer")
    run.until(
        lambda: any(c.bridge is not None and c.name.startswith("Local/agent") for c in
                    pbx.pbx.channels.values()),
        "the agent bridged",
    )  # fmt: skip
    agent_leg = next(
        c for c in pbx.pbx.channels.values()
        if c.bridge is not None and c.name.startswith("Local/agent")
    )  # fmt: skip
    unbridged = next(c for c in pbx.pbx.channels.values() if c.bridge is None)
    refused = run.wait(
        run.site.ami.send(
            actions.action("BlindTransfer", ("Channel", unbridged.name), ("Exten", "2000"))
        ).addErrback(lambda f: f.value),
        "a refused transfer",
    )
    assert "Transfer invalid" in str(refused)
    name = "BlindTransfer" if method == "blind" else "Atxfer"
    pairs = (("Channel", agent_leg.name), ("Exten", "2000"), ("Context", "switchboard-transfer"))
    run.wait(run.site.ami.send(actions.action(name, *pairs)), "the transfer")
    run.until(lambda: any(isinstance(f, CallTransferred) for f in run.facts), "the fact")
    run.until(lambda: not pbx.pbx.channels, "every channel gone")
    [fact] = [f for f in run.facts if isinstance(f, CallTransferred)]
    assert (fact.queue, fact.agent_id, fact.method) == ("sales", "1001", method)
    assert app.callrecord is not None
    run.wait(app.callrecord.written(), "the records written")
    for shell in (app.acd, app.app_queue):
        if shell is not None:
            run.wait(shell.flush(), "the visits stored")
    with Session(app.database.engine) as session:
        [record] = list_call_records(session, limit=10)
    assert record["transfers"] == 1
    now = run.site.clock.seconds()
    day = datetime.fromtimestamp(now, UTC).date().isoformat()
    query = parse_query(
        "queue", ("queue", "agent"), start=day, end=day, interval="day",
        queue=None, agent=None, zone=ZoneInfo("UTC"), now=now,
    )  # fmt: skip
    with Session(app.database.engine) as session:
        report = make_report(session, query, ReportSettings(timezone="UTC"))
    [row] = [r for r in report.records() if r["offered"]]
    assert (row["queue"], row["answered"], row["transfers"]) == ("sales", 1, 1)
    run.stop()
