"""IVR and CRM: customers and their identifiers, IVR sessions with their trace, callback
requests and CSAT responses.

Revision ID: 0002_ivr_crm
Revises: 0001_baseline
Create Date: 2026-11-23
"""

# test-case-name: tests.ivr.test_store

import sqlalchemy as sa
from alembic import op

revision = "0002_ivr_crm"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def _created() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "crm_customer",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("vip_level", sa.Integer(), server_default="0", nullable=False),
        sa.Column("language", sa.String(16), server_default="", nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        _created(),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_customer")),
    )
    op.create_table(
        "crm_customer_identifier",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customer.id"],
            ondelete="CASCADE",
            name=op.f("fk_crm_customer_identifier_customer_id_crm_customer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_customer_identifier")),
        sa.UniqueConstraint("kind", "value", name="uq_crm_customer_identifier_kind_value"),
    )
    op.create_index(
        "ix_crm_customer_identifier_customer_id", "crm_customer_identifier", ["customer_id"]
    )
    op.create_index("ix_crm_customer_identifier_value", "crm_customer_identifier", ["value"])

    op.create_table(
        "ivr_session",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("caller_number", sa.String(64), nullable=False),
        sa.Column("flow", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("last_flow", sa.String(64), nullable=False),
        sa.Column("last_step", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("digits", sa.String(256), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customer.id"],
            ondelete="SET NULL",
            name=op.f("fk_ivr_session_customer_id_crm_customer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_session")),
    )
    op.create_index("ix_ivr_session_call_id", "ivr_session", ["call_id"])
    op.create_index("ix_ivr_session_caller_number", "ivr_session", ["caller_number"])

    op.create_table(
        "ivr_callback_request",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("flow", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), server_default="pending", nullable=False),
        _created(),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customer.id"],
            ondelete="SET NULL",
            name=op.f("fk_ivr_callback_request_customer_id_crm_customer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_callback_request")),
    )
    op.create_index("ix_ivr_callback_request_call_id", "ivr_callback_request", ["call_id"])

    op.create_table(
        "ivr_csat_response",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("flow", sa.String(64), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        _created(),
        sa.CheckConstraint("score BETWEEN 1 AND 9", name=op.f("ck_ivr_csat_response_score_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_csat_response")),
    )
    op.create_index("ix_ivr_csat_response_call_id", "ivr_csat_response", ["call_id"])
    op.create_index("ix_ivr_csat_response_agent", "ivr_csat_response", ["agent"])


def downgrade() -> None:
    op.drop_table("ivr_csat_response")
    op.drop_table("ivr_callback_request")
    op.drop_table("ivr_session")
    op.drop_table("crm_customer_identifier")
    op.drop_table("crm_customer")
