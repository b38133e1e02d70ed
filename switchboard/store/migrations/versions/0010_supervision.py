"""The REST API's tokens and the supervisors' monitoring log.

Revision ID: 0010_supervision
Revises: 0007_seat_dispositions (the integrator relinks it after 0008/0009)
Create Date: 2026-12-05
"""

# test-case-name: tests.web.api.test_rest

import sqlalchemy as sa
from alembic import op

revision = "0010_supervision"
down_revision = "0007_seat_dispositions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(256), nullable=False),
        sa.Column("queues", sa.String(1024), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("revoked_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_table(
        "supervision_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("supervisor", sa.String(64), nullable=False),
        sa.Column("device", sa.String(128), nullable=False),
        sa.Column("agent_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_log")),
    )
    op.create_index(
        op.f("ix_supervision_log_agent_id"), "supervision_log", ["agent_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_supervision_log_agent_id"), table_name="supervision_log")
    op.drop_table("supervision_log")
    op.drop_table("api_token")
