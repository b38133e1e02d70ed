"""The agent seat: the audit of each masked value an agent revealed on a call card.

Revision ID: 0011_seat_reveals
Revises: 0007_seat_dispositions (the integrator relinks it after the other wave-2 ones)
Create Date: 2026-12-05
"""

# test-case-name: tests.seat.test_reveal

import sqlalchemy as sa
from alembic import op

revision = "0011_seat_reveals"
down_revision = "0010_supervision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seat_reveal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_reveal")),
    )
    for column in ("at", "user_id", "call_id"):
        op.create_index(op.f(f"ix_seat_reveal_{column}"), "seat_reveal", [column], unique=False)


def downgrade() -> None:
    for column in ("call_id", "user_id", "at"):
        op.drop_index(op.f(f"ix_seat_reveal_{column}"), table_name="seat_reveal")
    op.drop_table("seat_reveal")
