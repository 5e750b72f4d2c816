"""The framework matrix: cases (or sources) by accounts (or nodes).

For account columns a cell *is* the account's fragments for that case (or
resting on that source), with the account passages from that row beside
them. For node columns a cell has a summary the user writes
(``framework_cells``) beside the passages coded at the node. The whole
matrix is built with a handful of grouped queries, not one per cell.

``draft_summary`` proposes a cell text from its passages, following the
method's conventions (keep marker phrases and "I"/"we", name the actors); it
only ever fills an editor, never the project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import speakers
from .commands import Change, command
from .errors import InvalidInput, NotFound
from .models import (
    Account,
    AccountPassage,
    Case,
    Coding,
    Fragment,
    FragmentPassage,
    FrameworkCell,
    Node,
    Source,
    utcnow,
)
from .nodes import list_nodes

ROW_KINDS = ("cases", "sources")
COL_KINDS = ("accounts", "nodes")


@dataclass
class Cell:
    summary: str = ""
    fragments: list[int] = field(default_factory=list)
    passages: list[tuple[int, int, int]] = field(default_factory=list)  # (source id, start, end)


@dataclass
class Matrix:
    rows: list[tuple[int, str]]
    cols: list[tuple[int, str]]
    row_kind: str
    col_kind: str
    cells: dict[tuple[int, int], Cell]
    interviewer_left_out: bool = False  # passages were cut to leave out interviewer turns

    def cell(self, row_id: int, col_id: int) -> Cell:
        return self.cells.get((row_id, col_id)) or Cell()


def build(session: Session, rows: str = "cases", cols: str = "accounts", include_interviewer: bool = False) -> Matrix:
    """The matrix; passages lose the text inside interviewer turns unless ``include_interviewer``."""
    if rows not in ROW_KINDS:
        raise InvalidInput(f"Rows can be {' or '.join(ROW_KINDS)}, not '{rows}'.")
    if cols not in COL_KINDS:
        raise InvalidInput(f"Columns can be {' or '.join(COL_KINDS)}, not '{cols}'.")
    source_row: dict[int, int | None] = {}
    if rows == "cases":
        row_list = [(c.id, c.name) for c in session.scalars(select(Case).order_by(Case.name))]
        source_row = dict(session.execute(select(Source.id, Source.case_id)).all())
    else:
        row_list = [(s.id, s.name) for s in session.execute(select(Source.id, Source.name).order_by(Source.name))]
        source_row = {sid: sid for sid, _ in row_list}
    cells: dict[tuple[int, int], Cell] = {}

    def cell(r: int | None, c: int) -> Cell | None:
        if r is None:
            return None
        return cells.setdefault((r, c), Cell())

    if cols == "accounts":
        col_list = [(a.id, a.title) for a in session.scalars(select(Account).order_by(Account.title))]
        for account_id, sid, a, b in session.execute(
            select(AccountPassage.account_id, AccountPassage.source_id, AccountPassage.start, AccountPassage.end)
            .order_by(AccountPassage.source_id, AccountPassage.start)
        ):
            target = cell(source_row.get(sid), account_id)
            if target is not None:
                target.passages.append((sid, a, b))
        frag_sources: dict[int, set[int]] = {}
        for fid, sid in session.execute(select(FragmentPassage.fragment_id, FragmentPassage.source_id)):
            frag_sources.setdefault(fid, set()).add(sid)
        for f in session.scalars(select(Fragment).order_by(Fragment.position, Fragment.id)):
            if rows == "cases":
                owners = ({f.case_id} if f.case_id is not None
                          else {source_row.get(s) for s in frag_sources.get(f.id, ())})
            else:
                owners = frag_sources.get(f.id, set())
            for r in owners:
                target = cell(r, f.account_id)
                if target is not None:
                    target.fragments.append(f.id)
                    target.summary = (target.summary + "\n" + f.summary).strip()
    else:
        col_list = [(n.id, n.path) for n in list_nodes(session)]
        for node_id, sid, a, b in session.execute(
            select(Coding.node_id, Coding.source_id, Coding.start, Coding.end).order_by(Coding.source_id, Coding.start)
        ):
            target = cell(source_row.get(sid), node_id)
            if target is not None:
                target.passages.append((sid, a, b))
        kind = "case" if rows == "cases" else "source"
        for row_id, col_id, summary in session.execute(
            select(FrameworkCell.row_id, FrameworkCell.col_id, FrameworkCell.summary)
            .where(FrameworkCell.row_kind == kind, FrameworkCell.col_kind == "node")
        ):
            cells.setdefault((row_id, col_id), Cell()).summary = summary
    left_out = {} if include_interviewer else speakers.interviewer_spans(session)
    if left_out:
        _leave_out(session, cells.values(), left_out)
    return Matrix(row_list, col_list, rows, cols, cells, bool(left_out))


def _leave_out(session: Session, cells, left_out: dict[int, list[tuple[int, int]]]) -> None:
    """Cut the interviewer turns out of the cells' passages; what is left is trimmed to its words,
    and a remainder with none (the line break before a turn) is dropped."""
    cut = {sid for c in cells for sid, _a, _b in c.passages if sid in left_out}
    texts = dict(session.execute(select(Source.id, Source.text).where(Source.id.in_(cut))).all()) if cut else {}
    for c in cells:
        kept = []
        for sid, a, b in c.passages:
            if sid not in left_out:
                kept.append((sid, a, b))
                continue
            body = texts[sid]
            for x, y in speakers.subtract(left_out[sid], a, b):
                piece = body[x:y]
                x, y = x + len(piece) - len(piece.lstrip()), y - (len(piece) - len(piece.rstrip()))
                if x < y:
                    kept.append((sid, x, y))
        c.passages = kept


@command("framework.set")
def set_cell_summary(session: Session, row_kind: str, row_id: int, node_id: int, summary: str) -> Change:
    """Write the summary of a (case or source) x node cell."""
    kind = {"cases": "case", "sources": "source", "case": "case", "source": "source"}.get(row_kind)
    if kind is None:
        raise InvalidInput(f"Rows can be cases or sources, not '{row_kind}'.")
    owner = session.get(Case, int(row_id)) if kind == "case" else session.get(Source, int(row_id))
    node = session.get(Node, int(node_id))
    if owner is None or node is None:
        raise NotFound("That framework cell's row or column no longer exists.")
    row = session.scalar(select(FrameworkCell).where(
        FrameworkCell.row_kind == kind, FrameworkCell.row_id == owner.id,
        FrameworkCell.col_kind == "node", FrameworkCell.col_id == node.id))
    before = row.summary if row is not None else None
    if row is None:
        row = FrameworkCell(row_kind=kind, row_id=owner.id, col_kind="node", col_id=node.id)
        session.add(row)
    row.summary, row.updated_at = summary, utcnow()
    session.flush()
    return Change("framework.set", "framework_cell", row.id, f"write summary for {owner.name} x {node.name}",
                  before={"summary": before}, after={"summary": summary})


_FILLERS = re.compile(
    r"(?:,\s*)?\b(?:erm+|um+|uh+|er|you know|i mean|kind of|sort of|like)\b,?\s*"
    r"|\[(?:laughs|pause|inaudible)[^\]]*\]\s*",
    re.IGNORECASE,
)
_MARKERS = re.compile(
    r"\b(?:ha(?:ve|s|d|ving)(?: got)? to|must|need(?:s|ed)? to|supposed to|told (?:\w+ )?to|asked (?:\w+ )?to|"
    r"want(?:s|ed)? to|decided to|agreed to|will|able to|unable to|know(?:s)? how to|knew how to|managed to|can|"
    r"could|we (?:set up|did|ran|started)|worked well|failed|successful)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_LABEL = re.compile(r"^\s*[\w .'-]{1,40}:\s+")


def draft_summary(passages: list[str], actor: str | None = None, max_words: int = 60) -> str:
    """An extractive draft: the sentences carrying marker phrases (else the first), fillers
    removed, "I"/"we" and the marker phrases kept as spoken, the actor named first."""
    picked: list[str] = []
    for passage in passages:
        text = _LABEL.sub("", passage.strip())
        sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
        chosen = [s for s in sentences if _MARKERS.search(s)] or sentences[:1]
        for s in chosen:
            s = re.sub(r"\s{2,}", " ", _FILLERS.sub(" ", s)).replace(" ,", ",").strip(" ,;")
            if s and s not in picked:
                picked.append(s[0].upper() + s[1:])
    words = " ".join(picked).split()
    draft = " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")
    return f"{actor}: {draft}" if actor and draft else draft
