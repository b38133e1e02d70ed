"""A queue visit remembers when its answering agent transferred the caller (issue 16:
the queue report's transfers, from AMI BlindTransfer / AttendedTransfer).

Revision ID: 0018_visit_transfers
Revises: 0017_search_indexes
Create Date: 2026-12-06
"""

# test-case-name: tests.reports.test_transfers_sim

import sqlalchemy as sa
from alembic import op

revision = "0018_visit_transfers"
down_revision = "0017_search_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "acd_call_visit",
        sa.Column("transferred_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("acd_call_visit", "transferred_at")
