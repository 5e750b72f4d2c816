"""Coding and uncoding spans, and the queries that list codings.

A coding links a node to ``[start, end)`` in code points of a source's
normalised text. Spans may overlap and one span may carry many nodes; the
same node, span and coder twice is refused as a duplicate.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import nodes as node_ops
from . import sources as source_ops
from .blind import only_coders
from .commands import Change, command
from .errors import Conflict, InvalidInput, NotFound
from .models import Case, Coding, Node, Source, utcnow
from .progress import CancelToken
from .text import line_context, page_of

_ROW_KEYS = ("id", "source_id", "node_id", "start", "end", "coder", "created_at", "origin")  # a coding's snapshot


def _check_span(name: str, length: int, start: int, end: int) -> None:
    if start > end:
        raise InvalidInput(f"The span {start}-{end} in {name} is reversed: "
                           f"its start ({start}) is after its end ({end}).")
    if start == end:
        raise InvalidInput(f"The span {start}-{end} in {name} is empty: the end is not included, so give an end "
                           "after the start.")
    if not (0 <= start < end <= length):
        raise InvalidInput(
            f"The span {start}-{end} is outside {name}, whose text has {length} characters "
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
    _check_span(source.name, source.length, start, end)
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
    return Change("coding.create", "coding", coding.id, _summary(node.name, source.name, start, end),
                  after=row, result=coding.id)


def _summary(node_name: str, source_name: str, start: int, end: int) -> str:
    return f"code '{node_name}' in {source_name} ({start}-{end})"


class AlreadyCoded(Conflict):
    """Every passage of a bulk coding is coded at that node by that coder already: nothing was written."""

    def __init__(self, message: str, skipped: int) -> None:
        super().__init__(message)
        self.skipped = skipped


@command("search.code")
def code_passages(
    session: Session,
    passages: Sequence[tuple[int, int, int]],
    node_ref: str | int | None,
    coder: str,
    origin: str = "search",
    new_node: str = "",
    label: str = "",
    cancel: CancelToken | None = None,
) -> Change:
    """Code many passages ``(source id, start, end)`` at one node: one command, one undo step.

    Search results are coded this way (the Search panel's "Code results…",
    ``qdaapp search --code``). Every coding made gets its own ``coding.create``
    audit event, recorded with this command's event in the same transaction,
    so the trail counts codings however they were made, while the rows are
    written in one multi-row insert and Undo reverts them all at once.
    Repeated passages, and passages already coded at the node by ``coder``,
    are skipped. With ``node_ref`` None the free node ``new_node`` is made in
    the same command. Every span is checked before anything is written, and
    ``cancel`` is checked last, so a Cancel during the write leaves nothing.
    """
    made: list[Change] = []
    if node_ref is None:
        made.append(node_ops.create_node(session, new_node, free=True, created_by=coder))
        node_ref = made[0].result
    node = node_ops.resolve(session, node_ref)
    wanted = list(dict.fromkeys((int(sid), int(a), int(b)) for sid, a, b in passages))
    if not wanted:
        raise InvalidInput("There are no passages to code.")
    ids = sorted({sid for sid, _a, _b in wanted})
    names: dict[int, tuple[str, int]] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        names.update((i, (n, ln)) for i, n, ln in session.execute(
            select(Source.id, Source.name, Source.length).where(Source.id.in_(part))))
    for sid, a, b in wanted:
        if sid not in names:
            source_ops.resolve(session, sid)  # raises NotFound with the usual message
        _check_span(*names[sid], a, b)
    existing = set(session.execute(
        select(Coding.source_id, Coding.start, Coding.end).where(Coding.node_id == node.id, Coding.coder == coder)
    ).all())
    new = [p for p in wanted if p not in existing]
    skipped = len(passages) - len(new)
    if not new:
        raise AlreadyCoded(f"All {len(wanted)} passage(s) are already coded at '{node.name}' by {coder}.", skipped)
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {"source_id": sid, "node_id": node.id, "start": a, "end": b, "coder": coder, "created_at": now,
         "origin": origin} for sid, a, b in new]
    # One executemany; the new ids are read back by what is unique about each row (node, coder, span).
    newest = session.scalar(select(func.max(Coding.id))) or 0
    session.connection().exec_driver_sql(
        'INSERT INTO codings (source_id, node_id, start, "end", coder, created_at, origin) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(r["source_id"], r["node_id"], r["start"], r["end"], coder, now, origin) for r in rows])
    new_ids = {(sid, a, b): cid for cid, sid, a, b in session.execute(
        select(Coding.id, Coding.source_id, Coding.start, Coding.end)
        .where(Coding.id > newest, Coding.node_id == node.id, Coding.coder == coder))}
    for row in rows:
        row["id"] = cid = new_ids[(row["source_id"], row["start"], row["end"])]
        made.append(Change("coding.create", "coding", cid,
                           _summary(node.name, names[row["source_id"]][0], row["start"], row["end"]),
                           after={k: row[k] for k in _ROW_KEYS}))
    if cancel is not None:
        cancel.check()
    what = f" ({label})" if label else ""
    summary = f"code {len(new)} passage(s) at '{node.name}'{what}" + (f", {skipped} already coded" if skipped else "")
    return Change("search.code", "node", node.id, summary,
                  after={"node_id": node.id, "codings": len(new), "skipped": skipped, "origin": origin},
                  result={"node_id": node.id, "coded": len(new), "skipped": skipped}, extra_events=made)


@command("coding.delete")
def uncode(session: Session, coding_id: int) -> Change:
    coding = session.get(Coding, int(coding_id))
    if coding is None:
        raise NotFound(f"There is no coding with id {coding_id}. List codings with 'qdaapp codings'.")
    node = session.get_one(Node, coding.node_id)
    source = session.get_one(Source, coding.source_id)
    row = coding_row(coding)
    session.delete(coding)
    return Change(
        "coding.delete", "coding", row["id"], f"uncode '{node.name}' in {source.name} ({row['start']}-{row['end']})",
        before=row,
    )


def coding_row(c: Coding) -> dict:
    return {key: getattr(c, key) for key in _ROW_KEYS}


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
    case: str | None
    page: int | None
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
    coders: Collection[str] | None = None,
) -> list[CodedPassage]:
    """Codings with their text (and context), ordered by source and position; only ``coders``' codings
    when given (None: everyone's)."""
    q = (
        select(Coding, Node.name, Source.name, Case.name)
        .join(Node, Node.id == Coding.node_id)
        .join(Source, Source.id == Coding.source_id)
        .outerjoin(Case, Case.id == Source.case_id)
        .where(only_coders(Coding.coder, coders))
        .order_by(Coding.source_id, Coding.start, Coding.end, Coding.id)
    )
    if node_ref is not None:
        q = q.where(Coding.node_id == node_ops.resolve(session, node_ref).id)
    if source_ref is not None:
        q = q.where(Coding.source_id == source_ops.resolve(session, source_ref).id)
    rows = session.execute(q).all()
    texts: dict[int, tuple[str, list[int] | None]] = {}
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


def spans_for_source(session: Session, source_id: int, coders: Collection[str] | None = None) -> Sequence[tuple]:
    """(coding id, start, end, node id, node name, colour, coder) for the document view; only ``coders``'
    codings when given (None: everyone's)."""
    return session.execute(
        select(Coding.id, Coding.start, Coding.end, Node.id, Node.name, Node.color, Coding.coder)
        .join(Node, Node.id == Coding.node_id)
        .where(Coding.source_id == source_id, only_coders(Coding.coder, coders))
        .order_by(Coding.start)
    ).all()


@command("coding.create_at_new_node")
def code_at_new_node(
    session: Session, source_ref: str | int, start: int, end: int, name: str, coder: str,
    color: str | None = None,
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
