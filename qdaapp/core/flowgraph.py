"""Reading accounts back: the sequence, completeness, and the flow-chart graph.

The layout is computed here (no drawing): fragments are placed in layers
along the links (longest path from the start), siblings side by side, in
the account's sequence order; a box's height follows its summary's length.
Positions the user dragged are kept. Drawing lives in ``qdaapp.render``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import SPEECH_ACTS, Account, AccountPassage, ActantRole, Case, Fragment, FragmentLink, FragmentPassage, Source
from .narrative import resolve_account

STAGE = {"manipulation": 1, "commitment": 1, "competence": 1, "performance": 2, "sanction": 2}
BOX_WIDTH = 280.0
H_GAP, V_GAP = 48.0, 44.0
CHARS_PER_LINE = 40
LINE_HEIGHT = 15.0
BOX_BASE = 46.0


@dataclass
class FragmentInfo:
    id: int
    position: int
    summary: str
    act: Optional[str]
    case: Optional[str]
    actors: list[str]
    passages: list[dict] = field(default_factory=list)
    x: Optional[float] = None
    y: Optional[float] = None

    def as_dict(self) -> dict:
        return asdict(self)


def list_accounts(session: Session) -> list[dict]:
    out = []
    for a in session.scalars(select(Account).order_by(Account.title)):
        check = completeness(session, a.id)
        out.append({"id": a.id, "title": a.title, "description": a.description,
                    "fragments": check["fragments"], "passages": check["passages"],
                    "present": check["present"], "missing": check["missing"],
                    "cases": check["cases"], "sources": check["sources"]})
    return out


def fragments(session: Session, account_id: int, with_text: bool = True) -> list[FragmentInfo]:
    rows = session.execute(
        select(Fragment, Case.name).outerjoin(Case, Case.id == Fragment.case_id)
        .where(Fragment.account_id == account_id).order_by(Fragment.position, Fragment.id)
    ).all()
    ids = [f.id for f, _ in rows]
    passages: dict[int, list] = {}
    texts: dict[int, tuple[str, str]] = {}
    for fid, sid, a, b in session.execute(
        select(FragmentPassage.fragment_id, FragmentPassage.source_id, FragmentPassage.start, FragmentPassage.end)
        .where(FragmentPassage.fragment_id.in_(ids)).order_by(FragmentPassage.id)
    ):
        if with_text and sid not in texts:
            texts[sid] = tuple(session.execute(select(Source.name, Source.text).where(Source.id == sid)).one())
        name, body = texts.get(sid, ("", ""))
        passages.setdefault(fid, []).append({"source": name, "source_id": sid, "start": a, "end": b,
                                             "text": body[a:b] if with_text else ""})
    return [FragmentInfo(f.id, f.position, f.summary, f.act, case, json.loads(f.actors or "[]"),
                         passages.get(f.id, []), f.x, f.y) for f, case in rows]


def links(session: Session, fragment_ids: list[int]) -> list[dict]:
    return [{"from": a, "to": b, "label": label} for a, b, label in session.execute(
        select(FragmentLink.from_id, FragmentLink.to_id, FragmentLink.label)
        .where(FragmentLink.from_id.in_(fragment_ids)).order_by(FragmentLink.id))]


def show(session: Session, ref: str | int) -> dict:
    account = resolve_account(session, ref)
    frags = fragments(session, account.id)
    passages = [
        {"id": pid, "source": name, "source_id": sid, "start": a, "end": b, "text": body[a:b]}
        for pid, sid, a, b, name, body in session.execute(
            select(AccountPassage.id, AccountPassage.source_id, AccountPassage.start, AccountPassage.end,
                   Source.name, Source.text).join(Source, Source.id == AccountPassage.source_id)
            .where(AccountPassage.account_id == account.id).order_by(Source.name, AccountPassage.start))
    ]
    actors = sorted({a for f in frags for a in f.actors}, key=str.lower)
    roles = [{"actor": actor, "role": role} for actor, role in session.execute(
        select(ActantRole.actor, ActantRole.role).where(ActantRole.account_id == account.id)
        .order_by(ActantRole.role, ActantRole.actor))]
    return {"id": account.id, "title": account.title, "description": account.description,
            "fragments": [f.as_dict() for f in frags], "links": links(session, [f.id for f in frags]),
            "passages": passages, "actors": actors, "roles": roles}


def completeness(session: Session, account_id: int) -> dict:
    """Which speech acts the account has, and how many cases and sources it draws on."""
    acts = set(session.scalars(select(Fragment.act).where(Fragment.account_id == account_id,
                                                          Fragment.act.is_not(None))).all())
    frag_ids = session.scalars(select(Fragment.id).where(Fragment.account_id == account_id)).all()
    source_ids = set(session.scalars(select(AccountPassage.source_id).where(
        AccountPassage.account_id == account_id)).all())
    source_ids |= set(session.scalars(select(FragmentPassage.source_id).where(
        FragmentPassage.fragment_id.in_(frag_ids))).all())
    cases = set(session.scalars(select(Fragment.case_id).where(Fragment.account_id == account_id,
                                                               Fragment.case_id.is_not(None))).all())
    if source_ids:
        cases |= set(session.scalars(select(Source.case_id).where(Source.id.in_(source_ids),
                                                                  Source.case_id.is_not(None))).all())
    n_passages = session.scalar(select(func.count()).where(AccountPassage.account_id == account_id)) or 0
    return {"present": [a for a in SPEECH_ACTS if a in acts], "missing": [a for a in SPEECH_ACTS if a not in acts],
            "cases": len(cases), "sources": len(source_ids), "fragments": len(frag_ids), "passages": n_passages}


@dataclass
class Box:
    id: int
    x: float
    y: float
    width: float
    height: float
    summary: str
    act: Optional[str]
    case: Optional[str]
    actors: list[str]
    stage: Optional[int]
    layer: int = 0
    saved: bool = False  # placed by hand; a re-layout keeps it where it is


@dataclass
class Graph:
    title: str
    boxes: list[Box]
    edges: list[dict]
    width: float
    height: float


def box_height(summary: str, actors: list[str]) -> float:
    words, lines, current = summary.split(), 1, 0
    for w in words:
        if current and current + 1 + len(w) > CHARS_PER_LINE:
            lines += 1
            current = len(w)
        else:
            current += len(w) + (1 if current else 0)
    return BOX_BASE + LINE_HEIGHT * lines + (LINE_HEIGHT if actors else 0)


def layout(title: str, frags: list[FragmentInfo], edges: list[dict], keep_saved: bool = True) -> Graph:
    """Layered top-to-bottom layout along the links, in sequence order; O(V + E log V)."""
    order = {f.id: i for i, f in enumerate(frags)}
    succ: dict[int, list[int]] = {f.id: [] for f in frags}
    for e in edges:
        if e["from"] in succ and e["to"] in succ and order[e["from"]] < order[e["to"]]:
            succ[e["from"]].append(e["to"])  # forward edges set the layers; back edges are drawn only
    layer = {f.id: 0 for f in frags}
    for f in frags:  # sequence order is a topological order of the forward edges
        for nxt in succ[f.id]:
            layer[nxt] = max(layer[nxt], layer[f.id] + 1)
    rows: dict[int, list[FragmentInfo]] = {}
    for f in frags:
        rows.setdefault(layer[f.id], []).append(f)
    boxes: list[Box] = []
    widest = max((len(r) for r in rows.values()), default=1)
    total_width = widest * BOX_WIDTH + (widest - 1) * H_GAP
    y = 0.0
    for depth in sorted(rows):
        row = rows[depth]
        heights = [box_height(f.summary, f.actors) for f in row]
        row_width = len(row) * BOX_WIDTH + (len(row) - 1) * H_GAP
        x = (total_width - row_width) / 2
        for f, h in zip(row, heights):
            saved = keep_saved and f.x is not None and f.y is not None
            bx, by = (f.x, f.y) if saved else (x, y)
            boxes.append(Box(f.id, bx, by, BOX_WIDTH, h, f.summary, f.act, f.case, f.actors, STAGE.get(f.act or ""),
                             depth, saved))
            x += BOX_WIDTH + H_GAP
        y += max(heights) + V_GAP
    width = max((b.x + b.width for b in boxes), default=0.0)
    height = max((b.y + b.height for b in boxes), default=0.0)
    return Graph(title, boxes, edges, max(width, total_width), height)


def restack(graph: Graph) -> None:
    """Recompute the y of automatically placed boxes after their heights changed
    (the drawing layer measures text with the real font)."""
    tallest: dict[int, float] = {}
    for b in graph.boxes:
        tallest[b.layer] = max(tallest.get(b.layer, 0.0), b.height)
    tops, y = {}, 0.0
    for layer in sorted(tallest):
        tops[layer] = y
        y += tallest[layer] + V_GAP
    for b in graph.boxes:
        if not b.saved:
            b.y = tops[b.layer]
    graph.height = max((b.y + b.height for b in graph.boxes), default=0.0)


def account_graph(session: Session, ref: str | int, keep_saved: bool = True) -> Graph:
    account = resolve_account(session, ref)
    frags = fragments(session, account.id, with_text=False)
    return layout(account.title, frags, links(session, [f.id for f in frags]), keep_saved)
