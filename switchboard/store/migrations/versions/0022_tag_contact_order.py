"""A tag's customers in contact order from one index: each tag row carries its customer's
last contact and merge (measured over 1,000,000 customers, docs/performance.md).

A search by tag alone lists the tag's customers most recent contact first. With the
contact on the customer only, PostgreSQL either walked the contact order testing each
customer for the tag (a tag of 5 %: 20,000 customers visited for the 50th page) or
fetched the whole tag to sort it. The copies are kept true by ``crm/tag_copies.py``
(a flush hook, and the import's bulk writes).

Revision ID: 0022_tag_contact_order
Revises: 0020_queue_report_speed (relinked at merge: 0021 comes from another branch)
Create Date: 2026-12-06
"""

# test-case-name: tests.crm.test_tag_copies

import sqlalchemy as sa
from alembic import op

revision = "0022_tag_contact_order"
down_revision = "0020_queue_report_speed"
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


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_crm_customer_tag_contact_order", table_name="crm_customer_tag")
    with op.batch_alter_table("crm_customer_tag") as batch:
        batch.drop_column("merged_into_id")
        batch.drop_column("last_contact_at")
