"""The agent report from hourly roll-ups: each agent's seconds per state (not ready per
reason), offers, missed offers, calls handled and their handling seconds per UTC hour
(queue.store.agent_hours), and the newest disposition of each call and agent counted per
hour and code (seat.disposition_hours), with ``superseded`` on the older disposition
rows. A month's report read 3.4 M state rows; it now reads about 300 x 720 hour rows
(docs/performance.md). The CSAT answers counted per agent, hour and score for the agent
of the call's latest answered visit (ivr_flows.csat_hours), each answer remembering
whom it is counted for. An index of the answered visits' owners for the CSAT answers
read raw, and one of the open state rows, which the report reads as rows.

The roll-ups are back-filled here from the rows already stored, by the rules the
writers keep from now on.

Revision ID: 0021_agent_report_speed
Revises: 0020_queue_report_speed
Create Date: 2026-12-06
"""

# test-case-name: tests.reports.test_rollups

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0021_agent_report_speed"
down_revision = "0020_queue_report_speed"
branch_labels = None
depends_on = None

HOUR_S = 3600
MISSED = "('no_answer', 'busy')"
STATE_COLUMNS = {"ready": "ready_s", "reserved": "reserved_s", "on_call": "on_call_s"}
STATE_COLUMNS["wrap_up"] = "wrap_up_s"
_OPEN = sa.text("ended_at IS NULL")


def _epoch(column: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::double precision"
    return f"(CAST(strftime('%s', {column}) AS REAL) + CAST(substr({column}, 20) AS REAL))"


def _between(start: str, end: str) -> str:
    """Seconds from ``start`` to ``end``, exact to the stored microsecond."""
    if op.get_bind().dialect.name == "postgresql":
        return f"EXTRACT(EPOCH FROM ({end} - {start}))::double precision"
    whole = f"(CAST(strftime('%s', {end}) AS INTEGER) - CAST(strftime('%s', {start}) AS INTEGER))"
    return f"({whole} + CAST(substr({end}, 20) AS REAL) - CAST(substr({start}, 20) AS REAL))"


def _hour(column: str) -> str:
    """The start of the UTC hour of a stored time, epoch seconds."""
    if op.get_bind().dialect.name == "postgresql":
        return f"CAST(floor({_epoch(column)} / {HOUR_S}) AS BIGINT) * {HOUR_S}"
    # SQLite may lack floor(); epochs are positive and CAST truncates.
    return f"CAST({_epoch(column)} / {HOUR_S} AS INTEGER) * {HOUR_S}"


def _tables() -> None:
    def column(name: str, kind: Any) -> sa.Column[Any]:
        return sa.Column(name, kind, nullable=False, server_default="0")

    op.create_table(
        "acd_agent_hour",
        sa.Column("agent_id", sa.String(64), primary_key=True),
        sa.Column("hour_s", sa.BigInteger(), primary_key=True, autoincrement=False),
        *(column(c, sa.Float()) for c in ("ready_s", "reserved_s", "on_call_s", "wrap_up_s")),
        *(column(c, sa.Integer()) for c in ("offers", "missed", "handled")),
        column("handle_s", sa.Float()),
    )
    op.create_table(
        "acd_agent_pause_hour",
        sa.Column("agent_id", sa.String(64), primary_key=True),
        sa.Column("hour_s", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("reason", sa.String(64), primary_key=True),
        column("seconds", sa.Float()),
    )
    op.create_table(
        "ivr_csat_hour",
        sa.Column("agent_id", sa.String(64), primary_key=True),
        sa.Column("hour_s", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("score", sa.SmallInteger(), primary_key=True, autoincrement=False),
        column("answers", sa.Integer()),
    )
    op.create_table(
        "seat_disposition_hour",
        sa.Column("agent_id", sa.String(64), primary_key=True),
        sa.Column("hour_s", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("code", sa.String(32), primary_key=True),
        column("calls", sa.Integer()),
    )


def _state_hours() -> tuple[
    dict[tuple[str, int], dict[str, float]], dict[tuple[str, int, str], float]
]:
    """Closed state rows summed per agent and hour: in SQL those within one hour, in
    Python those cut at an hour's end (a few percent of them)."""
    bind = op.get_bind()
    hours: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    pauses: dict[tuple[str, int, str], float] = defaultdict(float)

    def add(agent: str, hour: int, state: str, reason: str, seconds: float) -> None:
        if state == "not_ready":
            pauses[(agent, hour, reason)] += seconds
        elif state in STATE_COLUMNS:
            hours[(agent, hour)][STATE_COLUMNS[state]] += seconds

    start, end = _epoch("started_at"), _epoch("ended_at")
    same_hour = f"{_hour('started_at')} = {_hour('ended_at')}"
    within = f"""
        SELECT agent_id, {_hour("started_at")} AS h, state, reason,
               sum({_between("started_at", "ended_at")})
        FROM acd_agent_state WHERE ended_at IS NOT NULL AND {same_hour}
        GROUP BY agent_id, h, state, reason"""
    for agent, hour, state, reason, seconds in bind.execute(sa.text(within)):
        add(agent, int(hour), state, reason, float(seconds or 0.0))
    across = f"""
        SELECT agent_id, state, reason, {start}, {end} FROM acd_agent_state
        WHERE ended_at IS NOT NULL AND NOT ({same_hour})"""
    micro, hour_us = 1_000_000, HOUR_S * 1_000_000  # whole microseconds, as stored
    for agent, state, reason, began, ended in bind.execute(sa.text(across)):
        first, last = round(began * micro), round(ended * micro)
        hour = first // hour_us * hour_us
        while hour < last:
            part = min(last, hour + hour_us) - max(first, hour)
            if part > 0:
                add(agent, hour // micro, state, reason, part / micro)
            hour += hour_us
    return hours, pauses


def _fill() -> None:
    bind = op.get_bind()
    hours, pauses = _state_hours()
    offers = f"""
        SELECT agent_id, {_hour("offered_at")} AS h, count(*),
               sum(CASE WHEN result IN {MISSED} THEN 1 ELSE 0 END)
        FROM acd_offer GROUP BY agent_id, h"""
    for agent, hour, count, missed in bind.execute(sa.text(offers)):
        row = hours[(agent, int(hour))]
        row["offers"], row["missed"] = int(count), int(missed or 0)
    handled = f"""
        SELECT agent_id, {_hour("handled_at")} AS h, count(*),
               sum(coalesce(talk_s, 0) + coalesce(wrap_s, 0))
        FROM acd_call_visit WHERE handled_at IS NOT NULL GROUP BY agent_id, h"""
    for agent, hour, count, seconds in bind.execute(sa.text(handled)):
        row = hours[(agent, int(hour))]
        row["handled"], row["handle_s"] = int(count), float(seconds or 0.0)
    hour_table = sa.table(
        "acd_agent_hour",
        *(sa.column(c) for c in ("agent_id", "hour_s", *STATE_COLUMNS.values())),
        *(sa.column(c) for c in ("offers", "missed", "handled", "handle_s")),
    )
    names = (*STATE_COLUMNS.values(), "offers", "missed", "handled", "handle_s")
    _insert(
        hour_table,
        [
            {"agent_id": a, "hour_s": h, **{n: figures.get(n, 0) for n in names}}
            for (a, h), figures in hours.items()
        ],
    )
    pause_table = sa.table(
        "acd_agent_pause_hour", *(sa.column(c) for c in ("agent_id", "hour_s", "reason", "seconds"))
    )
    _insert(
        pause_table,
        [
            {"agent_id": a, "hour_s": h, "reason": r, "seconds": s}
            for (a, h, r), s in pauses.items()
        ],
    )
    # A disposition row is superseded by a newer one (higher id) of its call and agent.
    op.execute(
        """UPDATE seat_disposition SET superseded = TRUE WHERE EXISTS (
            SELECT 1 FROM seat_disposition AS newer
            WHERE newer.call_id = seat_disposition.call_id
              AND newer.agent_id = seat_disposition.agent_id
              AND newer.id > seat_disposition.id)"""
    )
    codes = f"""
        INSERT INTO seat_disposition_hour (agent_id, hour_s, code, calls)
        SELECT agent_id, {_hour("at")} AS h, code, count(*) FROM seat_disposition
        WHERE NOT superseded GROUP BY agent_id, h, code"""
    op.execute(codes)
    # Each CSAT answer counted for the agent of its call's latest answered visit, else the
    # agent the survey stored (reports.source.csat_owner).
    op.execute(
        """UPDATE ivr_csat_response SET counted_agent = coalesce((
            SELECT v.agent_id FROM acd_call_visit AS v
            WHERE v.call_id = ivr_csat_response.call_id AND v.answered_at IS NOT NULL
            ORDER BY v.answered_at DESC, v.id DESC LIMIT 1), agent)"""
    )
    op.execute(
        f"""INSERT INTO ivr_csat_hour (agent_id, hour_s, score, answers)
        SELECT counted_agent, {_hour("created_at")} AS h, score, count(*)
        FROM ivr_csat_response GROUP BY counted_agent, h, score"""
    )


def _insert(table: Any, rows: list[dict[str, Any]]) -> None:
    for first in range(0, len(rows), 10_000):
        op.get_bind().execute(table.insert(), rows[first : first + 10_000])


def upgrade() -> None:
    _tables()
    op.add_column(
        "seat_disposition",
        sa.Column("superseded", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("ivr_csat_response", sa.Column("counted_agent", sa.String(64), nullable=True))
    op.create_index(
        "ix_acd_agent_state_open",
        "acd_agent_state",
        ["agent_id"],
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
    )
    op.create_index(
        "ix_acd_call_visit_answered",
        "acd_call_visit",
        ["call_id", "answered_at", "id", "agent_id", "queue"],
    )
    _fill()


def downgrade() -> None:
    op.drop_index("ix_acd_call_visit_answered", table_name="acd_call_visit")
    op.drop_index("ix_acd_agent_state_open", table_name="acd_agent_state")
    with op.batch_alter_table("seat_disposition") as batch:
        batch.drop_column("superseded")
    with op.batch_alter_table("ivr_csat_response") as batch:
        batch.drop_column("counted_agent")
    for table in (
        "seat_disposition_hour",
        "ivr_csat_hour",
        "acd_agent_pause_hour",
        "acd_agent_hour",
    ):
        op.drop_table(table)
