"""Alembic environment: the URL comes from ``migrate.alembic_config``, the schema from models."""

from __future__ import annotations

from importlib import import_module

from alembic import context
from sqlalchemy import create_engine

from switchboard.store.models import Base

# Every module that declares tables, so that autogenerate sees the whole schema.
for _module in (
    "switchboard.crm.models",
    "switchboard.crm.reads",
    "switchboard.ivr_flows.records",
    "switchboard.queue.store.records",
    "switchboard.queue.store.agent_hours",
    "switchboard.queue.store.member_store",
    "switchboard.seat.models",
    "switchboard.accounts.records",
    "switchboard.web.api.tokens",
    "switchboard.supervise.records",
    "switchboard.recorder.models",
    "switchboard.callrecord.models",
):
    import_module(_module)

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
