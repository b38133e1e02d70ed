"""CRM: customer tags, notes, pinyin search forms, last contact, identifier tails; merges;
tickets (工单) with comments, links and an append-only audit.

Revision ID: 0013_crm_tickets
Revises: 0012_recordings
Create Date: 2026-12-05
"""

# test-case-name: tests.crm.test_search

import sqlalchemy as sa
from alembic import op

revision = "0013_crm_tickets"
down_revision = "0012_recordings"
branch_labels = None
depends_on = None


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _customer_fk(name: str = "customer_id", nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("crm_customer") as batch:
        batch.add_column(sa.Column("notes", sa.Text(), server_default="", nullable=False))
        batch.add_column(
            sa.Column("name_pinyin", sa.String(400), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("name_initials", sa.String(200), server_default="", nullable=False)
        )
        batch.add_column(_at("last_contact_at", nullable=True))
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("crm_customer_identifier") as batch:
        batch.add_column(sa.Column("tail", sa.String(8), server_default="", nullable=False))
    # Pattern operators: on PostgreSQL a prefix LIKE ('zhang%') uses these btrees
    # whatever the collation (equality too); SQLite ignores them.
    for column in ("name", "name_pinyin", "name_initials"):
        op.create_index(
            f"ix_crm_customer_{column}",
            "crm_customer",
            [column],
            postgresql_ops={column: "varchar_pattern_ops"},
        )
    op.create_index("ix_crm_customer_last_contact_at", "crm_customer", ["last_contact_at"])
    op.create_index("ix_crm_customer_identifier_tail", "crm_customer_identifier", ["tail"])
    op.create_table(
        "crm_customer_tag",
        _id(),
        _customer_fk(),
        sa.Column("tag", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customer.id"],
            ondelete="CASCADE",
            name=op.f("fk_crm_customer_tag_customer_id_crm_customer"),
        ),
        _pk("crm_customer_tag"),
        sa.UniqueConstraint("customer_id", "tag", name="uq_crm_customer_tag_customer_id"),
    )
    op.create_index("ix_crm_customer_tag_tag", "crm_customer_tag", ["tag"])
    op.create_table(
        "crm_customer_merge",
        _id(),
        _customer_fk("survivor_id"),
        _customer_fk("merged_id"),
        sa.Column("actor", sa.String(64), nullable=False),
        _at("at"),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("undone_by", sa.String(64), nullable=True),
        _at("undone_at", nullable=True),
        _pk("crm_customer_merge"),
    )
    op.create_index("ix_crm_customer_merge_merged_id", "crm_customer_merge", ["merged_id"])
    op.create_table(
        "crm_ticket",
        _id(),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _customer_fk(nullable=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        _at("created_at"),
        _at("due_at"),
        _at("resolved_at", nullable=True),
        _at("closed_at", nullable=True),
        _at("updated_at"),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["crm_customer.id"],
            ondelete="SET NULL",
            name=op.f("fk_crm_ticket_customer_id_crm_customer"),
        ),
        _pk("crm_ticket"),
    )
    op.create_index("ix_crm_ticket_customer_id", "crm_ticket", ["customer_id"])
    op.create_index("ix_crm_ticket_status_due_at", "crm_ticket", ["status", "due_at"])
    op.create_index("ix_crm_ticket_category", "crm_ticket", ["category"])
    op.create_table(
        "crm_ticket_comment",
        _id(),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        _at("at"),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["crm_ticket.id"],
            ondelete="CASCADE",
            name=op.f("fk_crm_ticket_comment_ticket_id_crm_ticket"),
        ),
        _pk("crm_ticket_comment"),
    )
    op.create_index("ix_crm_ticket_comment_ticket_id", "crm_ticket_comment", ["ticket_id"])
    op.create_table(
        "crm_ticket_link",
        _id(),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["crm_ticket.id"],
            ondelete="CASCADE",
            name=op.f("fk_crm_ticket_link_ticket_id_crm_ticket"),
        ),
        _pk("crm_ticket_link"),
        sa.UniqueConstraint("ticket_id", "kind", "ref", name="uq_crm_ticket_link_ticket_id"),
    )
    op.create_index("ix_crm_ticket_link_ref", "crm_ticket_link", ["kind", "ref"])
    # Append-only: the code never updates or deletes a row of it (no FK cascade either,
    # so deleting a ticket cannot erase what happened to it).
    op.create_table(
        "crm_ticket_audit",
        _id(),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        _at("at"),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        _pk("crm_ticket_audit"),
    )
    op.create_index("ix_crm_ticket_audit_ticket_id", "crm_ticket_audit", ["ticket_id"])


def downgrade() -> None:
    for table in (
        "crm_ticket_audit",
        "crm_ticket_link",
        "crm_ticket_comment",
        "crm_ticket",
        "crm_customer_merge",
        "crm_customer_tag",
    ):
        op.drop_table(table)
    op.drop_index("ix_crm_customer_identifier_tail", table_name="crm_customer_identifier")
    for index in ("last_contact_at", "name_initials", "name_pinyin", "name"):
        op.drop_index(f"ix_crm_customer_{index}", table_name="crm_customer")
    with op.batch_alter_table("crm_customer_identifier") as batch:
        batch.drop_column("tail")
    with op.batch_alter_table("crm_customer") as batch:
        for column in ("merged_into_id", "last_contact_at", "name_initials", "name_pinyin"):
            batch.drop_column(column)
        batch.drop_column("notes")
