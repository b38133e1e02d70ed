"""Alembic environment: the URL comes from ``migrate.alembic_config``, the schema from models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

# Every module that declares tables, so that autogenerate sees the whole schema.
import switchboard.crm.models
import switchboard.ivr_flows.records  # noqa: F401
from switchboard.store.models import Base

config = context.config
url = config.attributes["url"]

if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
