"""The list of a project's sources, read by one SQL query (no text is read).

Shared by :func:`.sources.list_sources` (a SQLAlchemy session, for the app)
and by one-off commands that open the project with ``sqlite3`` alone
(:func:`.schema.connect_read_only`), so both give the same list.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class SourceInfo:
    id: int
    name: str
    kind: str
    words: int
    pages: int | None
    sha256: str
    case: str | None
    format: str
    encoding: str | None
    codings: int
    language: str = "en"

    def as_dict(self) -> dict:
        return asdict(self)


# The columns read are stored before the long values of each row (schema 0008), so the
# query reads each source's first page only.
SOURCES_SQL = (
    "SELECT s.id, s.name, s.kind, s.words, s.page_starts, s.sha256, c.name, s.format, s.encoding, s.language "
    "FROM sources s LEFT OUTER JOIN cases c ON c.id = s.case_id ORDER BY s.kind, s.name"
)
CODING_COUNTS_SQL = "SELECT source_id, count(*) FROM codings GROUP BY source_id"


def source_infos(execute: Any) -> list[SourceInfo]:
    """Every source, by kind then name; ``execute(sql)`` runs a query and returns its rows
    (``sqlite3.Connection.execute``, or a SQLAlchemy connection's ``exec_driver_sql``)."""
    counts = dict(execute(CODING_COUNTS_SQL).fetchall())
    return [
        SourceInfo(r[0], r[1], r[2], r[3], len(json.loads(r[4])) if r[4] else None, r[5], r[6], r[7], r[8],
                   counts.get(r[0], 0), r[9])
        for r in execute(SOURCES_SQL).fetchall()
    ]
