"""Coding and uncoding spans, and the queries that list codings.

A coding links a node to ``[start, end)`` in code points of a source's
normalised text. Spans may overlap and one span may carry many nodes; the
same node, span and coder twice is refused as a duplicate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import nodes as node_ops
from . import sources as source_ops
from .commands import Change, command
from .errors import Conflict, InvalidInput, NotFound
from .models import Case, Coding, Node, Source
from .text import line_context, page_of


def _check_span(source: Source, start: int, end: int) -> None:
    if not (0 <= start < end <= source.length):
        raise InvalidInput(
            f"The span {start}-{end} is outside {source.name}, whose text has {source.length} characters "
            "(offsets count characters from 0; the end is not included)."
        )


@command("coding.create")
def code(
    session: Session,
    source_ref: str | int,
    start: int,
    end: int,
    node_ref: str | int,
    coder: str,
    origin: str = "manual",
) -> Change:
    source = source_ops.resolve(session, source_ref)
    node = node_ops.resolve(session, node_ref)
    _check_span(source, start, end)
    duplicate = session.scalar(
        select(Coding.id).where(
            Coding.source_id == source.id, Coding.node_id == node.id,
            Coding.start == start, Coding.end == end, Coding.coder == coder,
        )
    )
    if duplicate is not None:
        raise Conflict(f"That passage of {source.name} is already coded at '{node.name}' by {coder}.")
    coding = Coding(source_id=source.id, node_id=node.id, start=start, end=end, coder=coder, origin=origin)
    session.add(coding)
    session.flush()
    row = coding_row(coding)
    return Change(
        "coding.create", "coding", coding.id, f"code '{node.name}' in {source.name} ({start}-{end})",
        after=row, result=coding.id,
    )


@command("coding.delete")
def uncode(session: Session, coding_id: int) -> Change:
    coding = session.get(Coding, int(coding_id))
    if coding is None:
        raise NotFound(f"There is no coding with id {coding_id}. List codings with 'qdaapp codings'.")
    node = session.get(Node, coding.node_id)
    source = session.get(Source, coding.source_id)
    row = coding_row(coding)
    session.delete(coding)
    return Change(
        "coding.delete", "coding", row["id"], f"uncode '{node.name}' in {source.name} ({row['start']}-{row['end']})",
        before=row,
    )


def coding_row(c: Coding) -> dict:
    return {"id": c.id, "source_id": c.source_id, "node_id": c.node_id, "start": c.start, "end": c.end,
            "coder": c.coder, "created_at": c.created_at, "origin": c.origin}


@dataclass(frozen=True)
class CodedPassage:
    id: int
    source: str
    source_id: int
    node: str
    node_id: int
    start: int
    end: int
    text: str
    coder: str
    case: Optional[str]
    page: Optional[int]
    left: str
    right: str
    created_at: str
    origin: str

    def as_dict(self, context: bool = False) -> dict:
        d = asdict(self)
        if not context:
            for key in ("left", "right", "created_at", "origin", "case", "page"):
                d.pop(key)
        return d


def list_codings(
    session: Session,
    node_ref: str | int | None = None,
    source_ref: str | int | None = None,
    context: int = 60,
) -> list[CodedPassage]:
    """Codings with their text (and context), ordered by source and position."""
    q = (
        select(Coding, Node.name, Source.name, Case.name)
        .join(Node, Node.id == Coding.node_id)
        .join(Source, Source.id == Coding.source_id)
        .outerjoin(Case, Case.id == Source.case_id)
        .order_by(Coding.source_id, Coding.start, Coding.end, Coding.id)
    )
    if node_ref is not None:
        q = q.where(Coding.node_id == node_ops.resolve(session, node_ref).id)
    if source_ref is not None:
        q = q.where(Coding.source_id == source_ops.resolve(session, source_ref).id)
    rows = session.execute(q).all()
    texts: dict[int, tuple[str, Optional[list[int]]]] = {}
    out = []
    for coding, node_name, source_name, case_name in rows:
        if coding.source_id not in texts:
            texts[coding.source_id] = source_ops.text_and_pages(session, coding.source_id)
        text, pages = texts[coding.source_id]
        left, right = line_context(text, coding.start, coding.end, context)
        out.append(
            CodedPassage(
                coding.id, source_name, coding.source_id, node_name, coding.node_id, coding.start, coding.end,
                text[coding.start:coding.end], coding.coder, case_name, page_of(pages, coding.start),
                left, right, coding.created_at, coding.origin,
            )
        )
    return out


def spans_for_source(session: Session, source_id: int) -> list[tuple]:
    """(coding id, start, end, node id, node name, colour, coder) for the document view."""
    return session.execute(
        select(Coding.id, Coding.start, Coding.end, Node.id, Node.name, Node.color, Coding.coder)
        .join(Node, Node.id == Coding.node_id)
        .where(Coding.source_id == source_id)
        .order_by(Coding.start)
    ).all()


@command("coding.create_at_new_node")
def code_at_new_node(
    session: Session, source_ref: str | int, start: int, end: int, name: str, coder: str,
    color: Optional[str] = None,
) -> Change:
    """Create a free node and code the span at it: one gesture, one undo step."""
    made = node_ops.create_node(session, name, free=True, color=color, created_by=coder)
    coded = code(session, source_ref, start, end, made.result, coder)
    return Change("coding.create_at_new_node", "coding", coded.entity_id,
                  f"{coded.summary.replace('code ', 'code at new free node ', 1)}",
                  after={"node": made.after, "coding": coded.after},
                  result={"node_id": made.result, "coding_id": coded.result})


def recent_nodes(session: Session, coder: str, limit: int = 5) -> list[tuple[int, str]]:
    """(node id, path) of the nodes ``coder`` coded at most recently, newest first."""
    from sqlalchemy import func

    rows = session.execute(
        select(Coding.node_id, func.max(Coding.id).label("last"))
        .where(Coding.coder == coder).group_by(Coding.node_id).order_by(func.max(Coding.id).desc()).limit(limit)
    ).all()
    paths = {n.id: n.path for n in node_ops.list_nodes(session)}
    return [(node_id, paths[node_id]) for node_id, _ in rows if node_id in paths]
