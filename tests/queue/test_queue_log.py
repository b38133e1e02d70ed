"""``switchboard import queue-log``: Asterisk's queue_log into the call records.

The log below is what app_queue writes (``ast_queue_log`` calls in Asterisk's
``apps/app_queue.c``: ENTERQUEUE url|callerid|position, CONNECT holdtime|bridged|ringtime,
COMPLETEAGENT holdtime|calltime|origposition, ABANDON position|origposition|waittime,
EXITWITHTIMEOUT position|origposition|waittime, RINGNOANSWER ms) for the calls of the
scenario-6calls capture (Dan left out), one timeout, one caller still queued when the file
ends, and four broken lines.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.orm import Session

from switchboard.config import DatabaseSettings, Settings
from switchboard.queue.cli import _import_queue_log
from switchboard.queue.core.history import recompute
from switchboard.queue.core.model import AgentState, Queue
from switchboard.queue.core.queue_log import read_queue_log
from switchboard.queue.store.queue_log_import import store_queue_log
from switchboard.queue.store.records import load_history
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine

LOG = """\
1795368947|NONE|NONE|NONE|QUEUESTART|
1795369105|NONE|support|Local/agent2002@switchboard-agents/n|PAUSE|short-staffed
1795369109|1795369105.20|sales|NONE|ENTERQUEUE||5551001|1
1795369111|1795369105.22|support|NONE|ENTERQUEUE||5551002|1
1795369112|1795369105.22|support|Local/agent2001@switchboard-agents/n|CONNECT|1|1795369111.33|1
1795369112|1795369105.26|support|NONE|ENTERQUEUE||5551006|2
this line is not a queue_log line
1795369112|1795369105.28|sales|NONE|ENTERQUEUE||5551003|2
1795369113|1795369105.28|sales|Local/agent1002@switchboard-agents/n|CONNECT|1|1795369112.35|1
1795369117|1795369105.28|sales|Local/agent1002@switchboard-agents/n|COMPLETEAGENT|1|4|2
1795369119|1795369105.26|support|NONE|ABANDON|1|2|7
yesterday|1795369105.99|sales|NONE|ENTERQUEUE||5550000|1
1795369119|1795369105.22|support|Local/agent2001@switchboard-agents/n|COMPLETEAGENT|1|7|1
1795369121|1795369105.20|sales|Local/agent1001@switchboard-agents/n|RINGNOANSWER|12000
1795369121|1795369105.77|sales|NONE|CONNECT|1|x|1
1795369124|1795369105.20|sales|Local/agent1002@switchboard-agents/n|CONNECT|15|1795369123.39|1
1795369130|1795369105.40|support|NONE|ENTERQUEUE||5551007|1
1795369132|1795369105.20|sales|Local/agent1002@switchboard-agents/n|COMPLETEAGENT|15|8|1
1795369136|NONE|support|Local/agent2002@switchboard-agents/n|UNPAUSE|
1795369140|1795369105.40|support|NONE|FROBNICATE|1
1795369250|1795369105.40|support|NONE|EXITWITHTIMEOUT|1|1|120
1795369300|1795369105.41|support|NONE|ENTERQUEUE||5551008|1
"""


def test_every_call_and_every_unusable_line_with_its_number() -> None:
    read = read_queue_log(LOG.splitlines(keepends=True))
    assert [(p.line, p.reason.split(" ")[0]) for p in read.problems] == [
        (7, "expected"),  # no '|' fields
        (12, "the"),  # 'yesterday' is not an epoch
        (15, "CONNECT"),  # a call that never entered
        (20, "unknown"),  # FROBNICATE
    ]
    assert "line 12" in str(read.problems[1]) and "yesterday" in str(read.problems[1])
    # Bob, Carol and Alice answered, Frank abandoned, .40 timed out; .41 is still queued
    # when the file ends (reported by the command, not stored).
    outcomes = {c.call_id: type(c.facts[-1]).__name__ for c in read.calls}
    assert set(outcomes) == {
        "1795369105.22",
        "1795369105.28",
        "1795369105.26",
        "1795369105.20",
        "1795369105.40",
    }
    assert read.unfinished == ("1795369105.41",)
    erin = [(f.state, f.reason) for f in read.agent_facts]
    assert erin == [(AgentState.NOT_READY, "short-staffed"), (AgentState.READY, "")]


def _database(tmp_path: Path) -> tuple[str, object]:
    url = f"sqlite:///{tmp_path / 'history.sqlite'}"
    upgrade_database(make_url(url))
    return url, create_database_engine(make_url(url))


def test_stored_history_gives_the_figures_and_a_second_import_adds_nothing(
    tmp_path: Path,
) -> None:
    _url, engine = _database(tmp_path)
    read = read_queue_log(LOG.splitlines(keepends=True))
    with Session(engine) as session, session.begin():  # type: ignore[arg-type]
        first = store_queue_log(session, read)
    with Session(engine) as session, session.begin():  # type: ignore[arg-type]
        second = store_queue_log(session, read)
        visits, periods = load_history(session)
    assert (first.calls_added, first.agent_changes_added) == (5, 2)
    assert (second.calls_added, second.calls_already_there) == (0, 5)
    assert (second.agent_changes_added, second.agent_changes_already_there) == (0, 2)
    queues, _agents = recompute(
        visits, periods, [Queue("sales"), Queue("support")], [], 1795369400.0
    )
    sales, support = (q.windows["today"] for q in queues)
    # sales: Carol (hold 1) and Alice (hold 15) answered; support: Bob answered (hold 1),
    # Frank abandoned after 7 s, .40 left by timeout after 120 s (overflowed).
    assert (sales.offered, sales.answered, sales.asa_s, sales.aht_s) == (2, 2, 8.0, 6.0)
    assert (support.offered, support.answered, support.abandoned, support.overflowed) == (
        3,
        1,
        1,
        1,
    )
    assert support.aht_s == 7.0


def test_the_command_reports_lines_and_counts_and_is_idempotent(
    tmp_path: Path, capsys: object
) -> None:
    url, _engine = _database(tmp_path)
    log = tmp_path / "queue_log"
    log.write_text(LOG, encoding="utf-8")
    settings = Settings(database=DatabaseSettings(url=url))
    args = argparse.Namespace(file=str(log))
    assert _import_queue_log(args, settings) == 1  # unusable lines: say so in the status
    assert _import_queue_log(args, settings) == 1
    out, err = capsys.readouterr()  # type: ignore[attr-defined]
    assert f"{log}:line 7: expected at least 5" in err
    assert "5 call(s) added, 0 already there" in out
    assert "0 call(s) added, 5 already there" in out
    missing = argparse.Namespace(file=str(tmp_path / "nope"))
    assert _import_queue_log(missing, settings) == 1
    assert "no such file" in capsys.readouterr().err  # type: ignore[attr-defined]
