"""Baseline schema: facts about the installation.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "instance_setting",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(1024), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_setting")),
    )
    op.bulk_insert(table, [{"name": "schema_baseline", "value": "0001_baseline"}])


def downgrade() -> None:
    op.drop_table("instance_setting")
