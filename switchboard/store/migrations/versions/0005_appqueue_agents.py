"""app_queue: each logged-in agent's queues and pause, to re-add them after a restart.

Revision ID: 0005_appqueue_agents
Revises: 0004_agent_end_reason
Create Date: 2026-12-04
"""

# test-case-name: tests.queue.test_appqueue_control

import sqlalchemy as sa
from alembic import op

revision = "0005_appqueue_agents"
down_revision = "0004_agent_end_reason"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appqueue_agent",
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("queues", sa.String(1024), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("since", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("agent_id"),
    )


def downgrade() -> None:
    op.drop_table("appqueue_agent")
