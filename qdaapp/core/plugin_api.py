"""What a plugin reads of a project: a small, read-only, versioned API.

Analyses and exporters get an open project; they read it through these
functions rather than through the database tables, which change from one
schema version to the next. Every function takes the project, opens its own
read session, and returns plain frozen dataclasses (no database objects, no
open session), so a plugin cannot change the project by accident.

:data:`API_VERSION` is the plugin API this module belongs to; it is the
number a plugin's manifest gives as ``api``. Within one version, functions
and fields are only ever added, never removed or changed in meaning. See
``docs/plugins.md`` ("Reading the project").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from .errors import InvalidInput, NotFound
from .models import Case, SearchHit, SearchRun
from .models import Source as SourceRow
from .plugins import PLUGIN_API

API_VERSION = PLUGIN_API

__all__ = ["API_VERSION", "Source", "Node", "CodedPassage", "MarkerRun", "sources", "nodes", "codings",
           "source_text", "marker_runs", "marker_run", "run_sources", "marker_hit_counts"]


@dataclass(frozen=True)
class Source:
    id: int
    name: str
    kind: str
    case: str | None  # the name of its case, or None
    language: str  # ISO code, "en"
    words: int
    imported_at: str  # ISO time (UTC)


@dataclass(frozen=True)
class Node:
    id: int
    name: str
    path: str  # "Theme/Sub" for a tree node, the name for a free node
    kind: str  # "tree" or "free"
    parent_id: int | None
    description: str


@dataclass(frozen=True)
class CodedPassage:
    id: int  # the coding's id
    source_id: int
    node_id: int
    start: int  # code points into the source's text
    end: int
    text: str
    coder: str


@dataclass(frozen=True)
class MarkerRun:
    id: int
    lexicon: str | None
    lexicon_version: int | None
    language: str | None  # the language of the sources it searched (the lexicon's)
    sources: tuple[int, ...] | None  # the sources it was given, or None for all of them
    created_at: str


def _source(row: Any, case: str | None) -> Source:
    return Source(row.id, row.name, row.kind, case, row.language, row.words or 0, row.imported_at)


def sources(project: Any) -> list[Source]:
    """Every source, by id."""
    with project.read_session() as s:
        rows = s.execute(select(SourceRow, Case.name).outerjoin(Case, Case.id == SourceRow.case_id)
                         .order_by(SourceRow.id)).all()
        return [_source(row, case) for row, case in rows]


def nodes(project: Any) -> list[Node]:
    """Every node: the tree in order, then the free nodes."""
    from .nodes import list_nodes

    with project.read_session() as s:
        return [Node(n.id, n.name, n.path, n.kind, n.parent_id, n.description) for n in list_nodes(s)]


def codings(project: Any, node: str | int) -> list[CodedPassage]:
    """The passages coded at ``node`` (an id, a tree path or a free node's name), by source and position."""
    from .coding import list_codings

    with project.read_session() as s:
        return [CodedPassage(c.id, c.source_id, c.node_id, c.start, c.end, c.text, c.coder)
                for c in list_codings(s, node_ref=node, context=0)]


def source_text(project: Any, source: str | int) -> str:
    """The normalised text of ``source`` (an id or a name); offsets everywhere are code points into it."""
    from .sources import resolve, text_and_pages

    with project.read_session() as s:
        return text_and_pages(s, resolve(s, source).id)[0]


def _run(row: SearchRun) -> MarkerRun:
    params = json.loads(row.params or "{}")
    given = params.get("sources")
    return MarkerRun(row.id, row.lexicon, row.lexicon_version, params.get("language"),
                     tuple(given) if given is not None else None, row.created_at)


def marker_runs(project: Any) -> list[MarkerRun]:
    """Every marker run, oldest first."""
    with project.read_session() as s:
        return [_run(r) for r in s.scalars(select(SearchRun).where(SearchRun.kind == "markers")
                                           .order_by(SearchRun.id))]


def marker_run(project: Any, run: int | None = None) -> MarkerRun:
    """Marker run ``run``, or the latest one. Raises NotFound (no such run) or InvalidInput (no run yet)."""
    with project.read_session() as s:
        q = select(SearchRun).where(SearchRun.kind == "markers")
        row = s.scalar(q.where(SearchRun.id == run) if run is not None else q.order_by(SearchRun.id.desc()).limit(1))
        if row is None:
            if run is not None:
                raise NotFound(f"There is no marker run {run}; list them with 'qdaapp runs PROJECT'.")
            raise InvalidInput("There is no marker run yet; run 'qdaapp markers PROJECT' first.")
        return _run(row)


def run_sources(project: Any, run: MarkerRun) -> list[Source]:
    """The sources ``run`` searched: those it was given (or all), in its language, imported before it."""
    given = set(run.sources) if run.sources is not None else None
    return [src for src in sources(project)
            if src.imported_at is not None and run.created_at is not None and src.imported_at <= run.created_at
            and (given is None or src.id in given) and (not run.language or src.language == run.language)]


def marker_hit_counts(project: Any, run: MarkerRun | int) -> dict[tuple[int, str], int]:
    """(source id, speech act) -> the hits of ``run`` the user has not rejected (candidates and accepted)."""
    run_id = run.id if isinstance(run, MarkerRun) else int(run)
    with project.read_session() as s:
        rows = s.execute(select(SearchHit.source_id, SearchHit.act, func.count())
                         .where(SearchHit.run_id == run_id, SearchHit.status != "rejected")
                         .group_by(SearchHit.source_id, SearchHit.act)).all()
    return {(source_id, act): n for source_id, act, n in rows}
