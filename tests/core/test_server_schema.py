"""The project schema on a PostgreSQL server: every migration runs there and makes what the models say."""

from __future__ import annotations

import sqlalchemy as sa

from qdaapp.core.models import Base
from qdaapp.core.project import SCHEMA_HEAD, _migrate


def test_migrations_reach_the_head_on_postgresql(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    try:
        _migrate(engine)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
            found = sa.inspect(conn)
            for table in Base.metadata.sorted_tables:
                columns = {c["name"] for c in found.get_columns(table.name)}
                assert columns == {c.name for c in table.columns}, table.name
    finally:
        engine.dispose()
