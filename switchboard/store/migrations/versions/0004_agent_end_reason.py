"""ACD: why an agent's session or state row ended (logged out, switchboard stopped, or
closed at the next start after an unclean stop).

Revision ID: 0004_agent_end_reason
Revises: 0003_acd
Create Date: 2026-12-04
"""

# test-case-name: tests.queue.test_agent_rows

import sqlalchemy as sa
from alembic import op

revision = "0004_agent_end_reason"
down_revision = "0003_acd"
branch_labels = None
depends_on = None

TABLES = ("acd_agent_state", "acd_agent_session")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("end_reason", sa.String(32), nullable=False, server_default="")
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("end_reason")
