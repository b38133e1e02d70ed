"""The queue report's first-call resolution from indexes alone: measured over 1,000,000
calls (bench/bench_reports.py, docs/performance.md).

For each answered visit of the range the report asks whether the caller called again
within ``fcr_days``: the number's later visits, and the visits of the IVR sessions of the
customer. The single-column indexes of 0016 found the rows but left every candidate to
be read from the table (a number's or customer's calls of the whole month, on pages
spread over it); with the time and call id in the index the answer is in the index.
The indexes keep their names and still serve a look-up by their first column.

Revision ID: 0020_queue_report_speed
Revises: 0019_recording_disposition
Create Date: 2026-12-05
"""

# test-case-name: tests.reports.test_migration

from alembic import op

revision = "0020_queue_report_speed"
down_revision = "0019_recording_disposition"
branch_labels = None
depends_on = None

# (table, index, the columns before, the columns now)
INDEXES = (
    (
        "acd_call_visit",
        "ix_acd_call_visit_caller_number",
        ["caller_number"],
        ["caller_number", "entered_at", "call_id"],
    ),
    (
        "acd_call_visit",
        "ix_acd_call_visit_path_ref",
        ["path_ref"],
        ["path_ref", "entered_at", "call_id"],
    ),
    ("ivr_session", "ix_ivr_session_customer_id", ["customer_id"], ["customer_id", "call_id"]),
)


def upgrade() -> None:
    for table, name, _, columns in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)


def downgrade() -> None:
    for table, name, columns, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
