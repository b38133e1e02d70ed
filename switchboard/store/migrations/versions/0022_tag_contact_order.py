"""A tag's customers in contact order from one index: each tag row carries its customer's
last contact and merge; names in the customers' contact order; and the name indexes
cover what a search reads (measured over 1,000,000 customers, docs/performance.md).

A search by tag alone lists the tag's customers most recent contact first. With the
contact on the customer only, PostgreSQL either walked the contact order testing each
customer for the tag (a tag of 5 %: 20,000 customers visited for the 50th page) or
fetched the whole tag to sort it. The copies are kept true by ``crm/tag_copies.py``
(a flush hook, and the import's bulk writes).

Revision ID: 0022_tag_contact_order
Revises: 0021_agent_report_speed
Create Date: 2026-12-06
"""

# test-case-name: tests.crm.test_tag_copies

import sqlalchemy as sa
from alembic import op

revision = "0022_tag_contact_order"
down_revision = "0021_agent_report_speed"
branch_labels = None
depends_on = None

_BACK_FILL = """
UPDATE crm_customer_tag SET
    last_contact_at = (
        SELECT c.last_contact_at FROM crm_customer c WHERE c.id = crm_customer_tag.customer_id
    ),
    merged_into_id = (
        SELECT c.merged_into_id FROM crm_customer c WHERE c.id = crm_customer_tag.customer_id
    )
"""


def _contact_order(include: list[str]) -> None:
    """The customers' contact order of 0017, with ``include`` columns in its entries."""
    op.drop_index("ix_crm_customer_contact_order", table_name="crm_customer")
    op.create_index(
        "ix_crm_customer_contact_order",
        "crm_customer",
        [sa.text("last_contact_at DESC NULLS LAST"), "id"],
        postgresql_where=sa.text("merged_into_id IS NULL"),
        postgresql_include=include,
    )


_NAME_FORMS = ("name", "name_pinyin", "name_initials")
_MATCH_TAKES = ["id", "last_contact_at", "merged_into_id"]  # what a search reads of a match


def _name_forms(include: list[str]) -> None:
    """The name, pinyin and initials btrees of 0013, with ``include`` columns."""
    for column in _NAME_FORMS:
        op.drop_index(f"ix_crm_customer_{column}", table_name="crm_customer")
        op.create_index(
            f"ix_crm_customer_{column}",
            "crm_customer",
            [column],
            postgresql_ops={column: "varchar_pattern_ops"},
            postgresql_include=include,
        )


def upgrade() -> None:
    with op.batch_alter_table("crm_customer_tag") as batch:
        batch.add_column(sa.Column("last_contact_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
    op.execute(_BACK_FILL)
    if op.get_bind().dialect.name == "postgresql":
        # SQLite cannot say NULLS LAST in an index; it scans its small files as before.
        op.create_index(
            "ix_crm_customer_tag_contact_order",
            "crm_customer_tag",
            ["tag", sa.text("last_contact_at DESC NULLS LAST"), "customer_id"],
            postgresql_where=sa.text("merged_into_id IS NULL"),
        )
        # A one-character part of a name walks the contact order reading names from
        # the index, not the table (crm/search.py, _one_character_part).
        _contact_order(["name"])
        # A name, its pinyin or initials: the candidates' last contact and merge from
        # the index, not from 500 rows of the table each.
        _name_forms(_MATCH_TAKES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _name_forms([])
        _contact_order([])
        op.drop_index("ix_crm_customer_tag_contact_order", table_name="crm_customer_tag")
    with op.batch_alter_table("crm_customer_tag") as batch:
        batch.drop_column("merged_into_id")
        batch.drop_column("last_contact_at")
