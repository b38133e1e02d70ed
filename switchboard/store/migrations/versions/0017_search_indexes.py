"""Search indexes measured over 1,000,000 customers and 1,000,000 recordings (bench/,
docs/performance.md): a part of a Chinese name, tags, and recordings by disposition.

Revision ID: 0017_search_indexes
Revises: 0016_report_indexes (relinked at merge)
Create Date: 2026-12-05
"""

# test-case-name: tests.crm.test_search,tests.recorder.test_search

import sqlalchemy as sa
from alembic import op

revision = "0017_search_indexes"
down_revision = "0016_report_indexes"
branch_labels = None
depends_on = None

# A name's one- and two-character pieces (张伟华: 张 伟 华 张伟 伟华). A name holding a
# query holds every two-character piece of it (or its one character), so a GIN index of
# these finds the few names worth the LIKE '%伟华%' that a btree cannot serve. Immutable,
# built-ins only: PostgreSQL may call it for an index. crm/search.py cuts queries alike.
_NAME_GRAMS = """
CREATE FUNCTION crm_name_grams(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT piece), '{}') FROM (
        SELECT substr(name, i, 1) FROM generate_series(1, char_length(name)) AS i
        UNION ALL
        SELECT substr(name, i, 2) FROM generate_series(1, char_length(name) - 1) AS i
    ) AS pieces(piece)
$$
"""


_LIVE = sa.text("deleted_at IS NULL")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _postgresql():
        op.execute(_NAME_GRAMS)
        op.create_index(
            "ix_crm_customer_name_grams",
            "crm_customer",
            [sa.text("crm_name_grams(name)")],
            postgresql_using="gin",
        )
        # Tag or date alone: the page in index order (most recent contact first, never
        # contacted last; SQLite cannot say NULLS LAST in an index, nor needs it).
        op.create_index(
            "ix_crm_customer_contact_order",
            "crm_customer",
            [sa.text("last_contact_at DESC NULLS LAST"), "id"],
            postgresql_where=sa.text("merged_into_id IS NULL"),
        )
    # Recordings of a date range counted from the index (a day's rows are spread over
    # the whole table), newest first, with the call id their disposition is found by.
    op.create_index(
        "ix_recording_live_started_at",
        "recording",
        ["started_at", "id", "call_id"],
        postgresql_where=_LIVE,
        sqlite_where=_LIVE,
    )
    # A queue's recordings with their ids and call ids, so a search by queue and
    # disposition reads indexes only (a week's rows are spread over thousands of pages).
    op.drop_index("ix_recording_queue_started_at", table_name="recording")
    op.create_index(
        "ix_recording_queue_started_at",
        "recording",
        ["queue", "started_at", "id", "call_id"],
        postgresql_where=_LIVE,
        sqlite_where=_LIVE,
    )
    # A call's newest disposition code read from the index alone, once per recording.
    op.create_index(
        "ix_seat_disposition_call_id_at", "seat_disposition", ["call_id", "at", "id", "code"]
    )
    # A tag's customers straight from the index (no visit of the tag rows).
    op.create_index(
        "ix_crm_customer_tag_tag_customer_id", "crm_customer_tag", ["tag", "customer_id"]
    )
    op.drop_index("ix_crm_customer_tag_tag", table_name="crm_customer_tag")


def downgrade() -> None:
    op.drop_index("ix_seat_disposition_call_id_at", table_name="seat_disposition")
    op.drop_index("ix_recording_live_started_at", table_name="recording")
    op.drop_index("ix_recording_queue_started_at", table_name="recording")
    op.create_index(
        "ix_recording_queue_started_at",
        "recording",
        ["queue", "started_at"],
        postgresql_where=_LIVE,
        sqlite_where=_LIVE,
    )
    op.create_index("ix_crm_customer_tag_tag", "crm_customer_tag", ["tag"])
    op.drop_index("ix_crm_customer_tag_tag_customer_id", table_name="crm_customer_tag")
    if _postgresql():
        op.drop_index("ix_crm_customer_contact_order", table_name="crm_customer")
        op.drop_index("ix_crm_customer_name_grams", table_name="crm_customer")
        op.execute("DROP FUNCTION crm_name_grams(text)")
