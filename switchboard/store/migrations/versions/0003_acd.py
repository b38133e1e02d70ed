"""ACD: every call's stay in each queue, offers, agent states and sessions, callbacks and
their attempts.

Revision ID: 0003_acd
Revises: 0002_ivr_crm
Create Date: 2026-11-24
"""

# test-case-name: tests.queue.test_records

import sqlalchemy as sa
from alembic import op

revision = "0003_acd"
down_revision = "0002_ivr_crm"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=False)


def _seconds(name: str) -> sa.Column:
    return sa.Column(name, sa.Float(), nullable=True)


def upgrade() -> None:
    op.create_table(
        "acd_call_visit",
        _id(),
        _text("call_id", 64),
        _text("queue", 64),
        _time("entered_at"),
        _time("enqueued_at"),
        sa.Column("priority", sa.Integer(), nullable=False),
        _text("caller_number", 64),
        _text("path_ref", 64),
        _text("language", 16),
        sa.Column("customer_tier", sa.Integer(), nullable=False),
        _time("answered_at", True),
        _seconds("waited_s"),
        sa.Column("via_callback", sa.Boolean(), nullable=False),
        _text("agent_id", 64),
        _time("callback_at", True),
        _seconds("callback_waited_s"),
        _time("left_at", True),
        _text("outcome", 32),
        _seconds("left_waited_s"),
        _text("to_queue", 64),
        _time("ended_at", True),
        _time("handled_at", True),
        _seconds("talk_s"),
        _seconds("wrap_s"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acd_call_visit")),
    )
    for column in ("call_id", "queue", "entered_at", "agent_id"):
        op.create_index(f"ix_acd_call_visit_{column}", "acd_call_visit", [column])

    op.create_table(
        "acd_offer",
        _id(),
        _text("call_id", 64),
        _text("queue", 64),
        _text("agent_id", 64),
        _time("offered_at"),
        _time("ended_at", True),
        _text("result", 32),
        sa.Column("callback_attempt", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acd_offer")),
    )
    op.create_index("ix_acd_offer_call_id", "acd_offer", ["call_id"])
    op.create_index("ix_acd_offer_agent_id", "acd_offer", ["agent_id"])

    op.create_table(
        "acd_agent_state",
        _id(),
        _text("agent_id", 64),
        _text("state", 16),
        _text("reason", 64),
        _time("started_at"),
        _time("ended_at", True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acd_agent_state")),
    )
    op.create_index("ix_acd_agent_state_agent_id", "acd_agent_state", ["agent_id"])
    op.create_index("ix_acd_agent_state_started_at", "acd_agent_state", ["started_at"])

    op.create_table(
        "acd_agent_session",
        _id(),
        _text("agent_id", 64),
        _time("logged_in_at"),
        _time("logged_out_at", True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acd_agent_session")),
    )
    op.create_index("ix_acd_agent_session_agent_id", "acd_agent_session", ["agent_id"])

    op.create_table(
        "acd_callback",
        _id(),
        _text("call_id", 64),
        _text("queue", 64),
        _text("number", 32),
        _time("requested_at"),
        _time("window_start"),
        _time("window_end"),
        _time("enqueued_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _text("outcome", 32),
        _time("finished_at", True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acd_callback")),
    )
    op.create_index("ix_acd_callback_call_id", "acd_callback", ["call_id"])

    op.create_table(
        "acd_callback_attempt",
        _id(),
        _text("call_id", 64),
        sa.Column("attempt", sa.Integer(), nullable=False),
        _text("agent_id", 64),
        _time("ended_at"),
        _text("result", 32),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acd_callback_attempt")),
    )
    op.create_index("ix_acd_callback_attempt_call_id", "acd_callback_attempt", ["call_id"])


def downgrade() -> None:
    for table in (
        "acd_callback_attempt",
        "acd_callback",
        "acd_agent_session",
        "acd_agent_state",
        "acd_offer",
        "acd_call_visit",
    ):
        op.drop_table(table)
