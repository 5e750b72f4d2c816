"""Alembic environment: migrations run on the connection the project hands in."""

from alembic import context

from qdaapp.core.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the project runs migrations
    raise RuntimeError("qdaapp migrations run through Project.open/create")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
