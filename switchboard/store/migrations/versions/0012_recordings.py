"""The recorder: the recordings index, ticket links, pauses and the access audit.

Revision ID: 0012_recordings
Revises: 0011_seat_reveals
Create Date: 2026-12-05
"""

# test-case-name: tests.recorder.test_service

import sqlalchemy as sa
from alembic import op

revision = "0012_recordings"
down_revision = "0011_seat_reveals"
branch_labels = None
depends_on = None

_INDEXED = {
    "recording": ("call_id", "linked_id", "started_at"),
    "recording_ticket": ("recording_id", "ticket"),
    "recording_pause": ("linked_id",),
    "recording_access": ("recording_id", "username", "at"),
    "recording_hold": ("value",),
}

# Every search key with the time, so "key, newest first" reads one index range.
_WITH_TIME = ("caller_number", "customer_id", "agent_id", "queue", "status")
# ... only rows not deleted (what a search reads), so PostgreSQL can count from the index.
_LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "recording",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("linked_id", sa.String(64), nullable=False),
        sa.Column("caller_number", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("legal_hold", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording")),
        sa.UniqueConstraint("path", name=op.f("uq_recording_path")),
    )
    op.create_table(
        "recording_ticket",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("ticket", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recording.id"],
            name=op.f("fk_recording_ticket_recording_id_recording"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_ticket")),
    )
    op.create_table(
        "recording_pause",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("linked_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_pause")),
    )
    op.create_table(
        "recording_access",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("remote", sa.String(128), nullable=False),
        sa.Column("range", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_access")),
    )
    op.create_table(
        "recording_hold",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_hold")),
    )
    for table, columns in _INDEXED.items():
        for column in columns:
            op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)
    for key in _WITH_TIME:
        op.create_index(
            f"ix_recording_{key}_started_at",
            "recording",
            [key, "started_at"],
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        )


def downgrade() -> None:
    for key in _WITH_TIME:
        op.drop_index(f"ix_recording_{key}_started_at", table_name="recording")
    for table, columns in _INDEXED.items():
        for column in columns:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
    for table in (
        "recording_hold",
        "recording_access",
        "recording_pause",
        "recording_ticket",
        "recording",
    ):
        op.drop_table(table)
