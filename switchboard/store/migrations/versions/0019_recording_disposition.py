"""The recording's disposition kept on its row: a search by disposition reads one index
instead of finding each candidate recording's newest ``seat_disposition`` (82 / 105 ms p50
/ p95 over 1,000,000 recordings; docs/performance.md).

Revision ID: 0019_recording_disposition
Revises: 0018_visit_transfers
Create Date: 2026-12-05
"""

# test-case-name: tests.recorder.test_search

import sqlalchemy as sa
from alembic import op

revision = "0019_recording_disposition"
down_revision = "0018_visit_transfers"
branch_labels = None
depends_on = None

_LIVE = sa.text("deleted_at IS NULL")

# Each recording takes its call's newest code (the latest saved; the higher id on a tie),
# as recorder.store.file_dispositions keeps it from now on.
_FILL = """
UPDATE recording SET disposition = coalesce((
    SELECT d.code FROM seat_disposition AS d
    WHERE d.call_id = recording.call_id
    ORDER BY d.at DESC, d.id DESC LIMIT 1
), '')
WHERE EXISTS (SELECT 1 FROM seat_disposition AS d WHERE d.call_id = recording.call_id)
"""


def upgrade() -> None:
    op.add_column(
        "recording",
        sa.Column("disposition", sa.String(32), nullable=False, server_default=""),
    )
    op.execute(_FILL)
    op.create_index(
        "ix_recording_disposition_started_at",
        "recording",
        ["disposition", "started_at", "id"],
        postgresql_where=_LIVE,
        sqlite_where=_LIVE,
    )
    # The queue's and the date's indexes held the call id to find its disposition; now they
    # hold the disposition itself, so "queue (+ dates) + disposition" reads indexes only.
    _index_with("disposition")


def _index_with(last: str) -> None:
    for name, keys in (
        ("ix_recording_queue_started_at", ["queue", "started_at", "id"]),
        ("ix_recording_live_started_at", ["started_at", "id"]),
    ):
        op.drop_index(name, table_name="recording")
        op.create_index(
            name, "recording", [*keys, last], postgresql_where=_LIVE, sqlite_where=_LIVE
        )


def downgrade() -> None:
    _index_with("call_id")
    op.drop_index("ix_recording_disposition_started_at", table_name="recording")
    with op.batch_alter_table("recording") as batch:
        batch.drop_column("disposition")
