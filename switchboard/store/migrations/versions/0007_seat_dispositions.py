"""The agent seat: the disposition code and note an agent sets on a call.

Revision ID: 0007_seat_dispositions
Revises: 0005_appqueue_agents (the integrator relinks it to 0006_web_accounts)
Create Date: 2026-12-05
"""

# test-case-name: tests.seat.test_actions

import sqlalchemy as sa
from alembic import op

revision = "0007_seat_dispositions"
down_revision = "0006_web_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seat_disposition",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_disposition")),
    )
    op.create_index(
        op.f("ix_seat_disposition_call_id"), "seat_disposition", ["call_id"], unique=False
    )
    op.create_index(
        op.f("ix_seat_disposition_agent_id"), "seat_disposition", ["agent_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_seat_disposition_agent_id"), table_name="seat_disposition")
    op.drop_index(op.f("ix_seat_disposition_call_id"), table_name="seat_disposition")
    op.drop_table("seat_disposition")
