"""Reports: indexes for reading a range of the call records (docs/reports.md).

An agent report reads the calls handled, the offers rung and the CSAT answers and
dispositions given in a range; first-call resolution finds a caller's later calls by
number and by the customer the IVR identified.

Revision ID: 0016_report_indexes
Revises: 0015_call_records
Create Date: 2026-12-05
"""

# test-case-name: tests.reports.test_migration

from alembic import op

revision = "0016_report_indexes"
down_revision = "0015_call_records"
branch_labels = None
depends_on = None

INDEXES = (
    ("acd_call_visit", "handled_at"),
    ("acd_call_visit", "caller_number"),
    ("acd_call_visit", "path_ref"),
    ("acd_offer", "offered_at"),
    ("ivr_session", "customer_id"),
    ("ivr_csat_response", "created_at"),
    ("seat_disposition", "at"),
)


def upgrade() -> None:
    for table, column in INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in reversed(INDEXES):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
