"""Call records: one row per call (call_record) and one per leg (call_leg).

Revision ID: 0015_call_records
Revises: 0014_crm_reads
Create Date: 2026-12-05
"""

# test-case-name: tests.callrecord.test_store

import sqlalchemy as sa
from alembic import op

revision = "0015_call_records"
down_revision = "0014_crm_reads"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=False)


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "call_record",
        _text("call_id", 64),
        _text("queue_call_id", 64),
        _text("parent_call_id", 64),
        _text("direction", 16),
        _at("started_at", nullable=False),
        _at("answered_at"),
        _at("ended_at"),
        _at("last_seen_at", nullable=False),
        _text("caller_number", 64),
        _text("caller_name", 128),
        _text("dialled_number", 64),
        _text("ivr_ref", 64),
        _text("ivr_flow", 64),
        _text("first_queue", 64),
        _text("last_queue", 64),
        sa.Column("queue_wait_s", sa.Float(), nullable=False),
        _text("queue_outcome", 32),
        _count("offers"),
        _count("missed_offers"),
        _text("agent_id", 64),
        _text("agent_device", 128),
        sa.Column("talk_s", sa.Float(), nullable=True),
        sa.Column("hold_s", sa.Float(), nullable=False),
        _count("hold_count"),
        sa.Column("wrap_s", sa.Float(), nullable=True),
        _count("transfers"),
        _count("callback_attempts"),
        _text("callback_result", 32),
        sa.Column("recording", sa.Text(), nullable=False),
        _text("outcome", 16),
        _text("end_reason", 32),
        _text("first_hangup", 128),
        sa.Column("hangup_cause", sa.Integer(), nullable=True),
        _text("hangup_cause_text", 64),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_call_record")),
    )
    indexed = ("queue_call_id", "started_at", "ended_at", "caller_number", "first_queue")
    for column in (*indexed, "agent_id", "outcome"):
        op.create_index(f"ix_call_record_{column}", "call_record", [column])
    op.create_table(
        "call_leg",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _text("call_id", 64),
        _text("uniqueid", 64),
        _text("channel", 128),
        _text("role", 8),
        _at("started_at", nullable=False),
        _at("answered_at"),
        _at("ended_at"),
        sa.Column("cause", sa.Integer(), nullable=True),
        _text("cause_text", 64),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["call_record.call_id"],
            ondelete="CASCADE",
            name=op.f("fk_call_leg_call_id_call_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_leg")),
        sa.UniqueConstraint("call_id", "uniqueid", name=op.f("uq_call_leg_call_id")),
    )
    op.create_index("ix_call_leg_call_id", "call_leg", ["call_id"])


def downgrade() -> None:
    op.drop_table("call_leg")
    op.drop_table("call_record")
