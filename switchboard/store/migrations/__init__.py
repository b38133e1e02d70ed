"""Alembic migrations for the switchboard schema."""
