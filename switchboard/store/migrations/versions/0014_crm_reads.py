"""CRM: the append-only log of people reading customer records.

Revision ID: 0014_crm_reads
Revises: 0013_crm_tickets
Create Date: 2026-12-05
"""

# test-case-name: tests.crm.test_reads

import sqlalchemy as sa
from alembic import op

revision = "0014_crm_reads"
down_revision = "0013_crm_tickets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No foreign key: a deleted or merged customer keeps the record of who read them.
    op.create_table(
        "crm_customer_read",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_customer_read")),
    )
    for column in ("customer_id", "at"):
        op.create_index(
            op.f(f"ix_crm_customer_read_{column}"), "crm_customer_read", [column], unique=False
        )


def downgrade() -> None:
    for column in ("at", "customer_id"):
        op.drop_index(op.f(f"ix_crm_customer_read_{column}"), table_name="crm_customer_read")
    op.drop_table("crm_customer_read")
