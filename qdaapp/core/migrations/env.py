"""Alembic environment: migrations run on the connection the project hands in."""

from alembic import context

from qdaapp.core.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the project runs migrations
    raise RuntimeError("qdaapp migrations run through Project.open/create")

def include_object(obj, name, type_, reflected, compare_to):
    """FTS5 tables are made by hand in the migrations; autogenerate must leave them alone."""
    return not (type_ == "table" and name.startswith(("text_fts", "lemma_fts")))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
