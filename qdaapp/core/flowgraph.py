"""Reading accounts back: the sequence, completeness, and the flow-chart graph.

The layout is computed here (no drawing): the boxes follow the account's
order on a grid, all of one size, in one of three figure layouts (see
:func:`layout`), and every arrow gets its route. Drawing lives in
``qdaapp.render``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import (
    SPEECH_ACTS,
    Account,
    AccountPassage,
    ActantRole,
    Case,
    Fragment,
    FragmentLink,
    FragmentPassage,
    Source,
)
from .narrative import resolve_account

STAGE = {"manipulation": 1, "commitment": 1, "competence": 1, "performance": 2, "sanction": 2}


@dataclass
class FragmentInfo:
    id: int
    position: int
    summary: str
    act: str | None
    case: str | None
    actors: list[str]
    passages: list[dict] = field(default_factory=list)
    x: float | None = None
    y: float | None = None

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
            name, body = session.execute(select(Source.name, Source.text).where(Source.id == sid)).one()
            texts[sid] = (name, body)
        name, body = texts.get(sid, ("", ""))
        passages.setdefault(fid, []).append({"source": name, "source_id": sid, "start": a, "end": b,
                                             "text": body[a:b] if with_text else ""})
    return [FragmentInfo(f.id, f.position, f.summary, f.act, case, json.loads(f.actors or "[]"),
                         passages.get(f.id, []), f.x, f.y) for f, case in rows]


def links(session: Session, fragment_ids: list[int]) -> list[dict]:
    """Links between the fragments: from, to, label and kind (``sequence`` or ``extra``)."""
    return [{"from": a, "to": b, "label": label, "kind": kind} for a, b, label, kind in session.execute(
        select(FragmentLink.from_id, FragmentLink.to_id, FragmentLink.label, FragmentLink.kind)
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


def account_graph(session: Session, ref: str | int, keep_saved: bool = True, mode: str = "down",
                  page: tuple[float, float] | None = None) -> Graph:
    """The account's flow chart laid out in ``mode`` (``page``: the printable area it should fit, in points)."""
    account = resolve_account(session, ref)
    frags = fragments(session, account.id, with_text=False)
    return layout(account.title, frags, links(session, [f.id for f in frags]), keep_saved, mode, page)


# ---------------------------------------------------------------------- layout
LAYOUTS = ("down", "across", "snake")
BOX_WIDTHS = {"down": 260.0, "across": 170.0, "snake": 170.0}
H_GAP = 40.0  # between columns: room for a plain arrow
V_GAP = 36.0  # between rows, before lanes are added
LANE = 10.0  # spacing of routed arrows in a gap between rows
SIDE_LANE = 12.0  # spacing of routed arrows beside the grid
LINE_HEIGHT = 15.0
BOX_BASE = 46.0
CM = 72 / 2.54
PAGES = {"a4": (21.0 * CM, 29.7 * CM), "letter": (8.5 * 72.0, 11.0 * 72.0)}  # points, portrait
PAGE_MARGIN = 1.5 * CM
TITLE_ALLOWANCE = 30.0  # room the title takes above the chart, for choosing snake columns

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x, y, width, height


@dataclass
class Box:
    id: int
    x: float
    y: float
    width: float
    height: float
    summary: str
    act: str | None
    case: str | None
    actors: list[str]
    stage: int | None
    layer: int = 0  # the row of the grid
    saved: bool = False  # placed by hand; kept until the order changes or the user re-lays out


@dataclass
class Graph:
    """Boxes in the account's order and its links; each edge dict has from, to,
    label, kind and ``points``: the arrow's route, from the tail to the head
    (straight, see :func:`route`, when one of its boxes was placed by hand)."""

    title: str
    boxes: list[Box]
    edges: list[dict]
    width: float
    height: float
    mode: str = "down"
    columns: int = 1
    page: tuple[float, float] | None = None


def page_area(page: str, landscape: bool = False) -> tuple[float, float]:
    """The printable area of a paper size inside the margins, in points."""
    w, h = PAGES[page]
    if landscape:
        w, h = h, w
    return w - 2 * PAGE_MARGIN, h - 2 * PAGE_MARGIN


def box_height(summary: str, actors: list[str], width: float = BOX_WIDTHS["down"]) -> float:
    """An estimate of a box's height (the drawing layer measures the real text)."""
    per_line = max(10, int((width - 20) / 6.4))
    words, lines, current = summary.split(), 1, 0
    for w in words:
        if current and current + 1 + len(w) > per_line:
            lines += 1
            current = len(w)
        else:
            current += len(w) + (1 if current else 0)
    return BOX_BASE + LINE_HEIGHT * lines + (LINE_HEIGHT if actors else 0)


def snake_columns(n: int, width: float, height: float, page: tuple[float, float] | None) -> int:
    """How many boxes per row fit the page best: the largest scale (never above 100%),
    then the shape closest to the page's."""
    if n < 2:
        return 1
    area_w, area_h = page or page_area("a4")
    area_h -= TITLE_ALLOWANCE
    best, best_key = 1, None
    for c in range(1, n + 1):
        rows = math.ceil(n / c)
        w = c * width + (c - 1) * H_GAP + 4 * SIDE_LANE
        h = rows * height + (rows - 1) * (V_GAP + LANE)
        scale = min(1.0, area_w / w, area_h / h)
        key = (round(scale, 3), -abs(math.log((w / h) / (area_w / area_h))))
        if best_key is None or key > best_key:
            best, best_key = c, key
    return best


def layout(title: str, frags: list[FragmentInfo], edges: list[dict], keep_saved: bool = True,
           mode: str = "down", page: tuple[float, float] | None = None) -> Graph:
    """Boxes in the account's order on a grid, all of one size; arrows routed.

    ``down``: one column, top to bottom; ``across``: one row, left to right;
    ``snake``: rows that wrap, each read left to right like a line of text,
    with a return arrow from the end of a row to the start of the next. Rows
    that alternate direction keep arrows shorter, but a reader then reads
    every second row backwards and the numbering zigzags; in a printed
    figure the text-like order reads at a glance. Columns are chosen so the
    chart fits ``page`` (the printable area, points) at the largest scale.
    Boxes placed by hand keep their place when ``keep_saved``. O(V + E log E).
    """
    if mode not in LAYOUTS:
        raise ValueError(f"unknown layout {mode!r}; use one of {', '.join(LAYOUTS)}")
    width = BOX_WIDTHS[mode]
    boxes = []
    for f in frags:
        if keep_saved and f.x is not None and f.y is not None:
            saved, x, y = True, f.x, f.y
        else:
            saved, x, y = False, 0.0, 0.0
        boxes.append(Box(f.id, x, y, width,
                         box_height(f.summary, f.actors, width), f.summary, f.act, f.case, f.actors,
                         STAGE.get(f.act or ""), 0, saved))
    graph = Graph(title, boxes, [dict(e) for e in edges], 0.0, 0.0, mode, 1, page)
    arrange(graph)
    return graph


def arrange(graph: Graph, height: float | None = None) -> None:
    """Place the boxes on the grid with one common ``height`` (default: the
    tallest box's) and route every arrow. Called again by the drawing layer
    once it has measured the text with the real font."""
    boxes, mode = graph.boxes, graph.mode
    n = len(boxes)
    width = BOX_WIDTHS[mode]
    height = height if height is not None else max((b.height for b in boxes), default=BOX_BASE)
    cols = {"down": 1, "across": max(n, 1)}.get(mode) or snake_columns(n, width, height, graph.page)
    rows = max(1, math.ceil(n / cols))
    index = {b.id: i for i, b in enumerate(boxes)}
    plan = _plan_edges(graph.edges, index, cols, rows)
    gap_slots = plan["gap_slots"]
    gaps = [max(V_GAP if 0 < g < rows else 0.0, (gap_slots[g] + 1) * LANE if gap_slots[g] else 0.0)
            for g in range(rows + 1)]
    left = plan["left_lanes"] * SIDE_LANE + (SIDE_LANE if plan["left_lanes"] else 0.0)
    tops, y = [], gaps[0]
    for r in range(rows):
        tops.append(y)
        y += height + gaps[r + 1]
    for i, b in enumerate(boxes):
        b.width, b.height, b.layer = width, height, i // cols
        if not b.saved:
            b.x, b.y = left + (i % cols) * (width + H_GAP), tops[i // cols]
    grid_right = left + min(cols, max(n, 1)) * (width + H_GAP) - H_GAP
    geometry = {"tops": tops, "gaps": gaps, "slots": gap_slots, "height": height, "left": left, "right": grid_right}
    rects = {b.id: (b.x, b.y, b.width, b.height) for b in boxes}
    saved = {b.id for b in boxes if b.saved}
    for e, info in zip(graph.edges, plan["edges"], strict=True):
        if info is None or e["from"] in saved or e["to"] in saved:
            e["points"] = route(rects[e["from"]], rects[e["to"]]) if info is not None else []
        else:
            e["points"] = _grid_route(info, rects[e["from"]], rects[e["to"]], geometry)
    right = grid_right + plan["right_lanes"] * SIDE_LANE + (SIDE_LANE if plan["right_lanes"] else 0.0)
    graph.columns = cols
    graph.width = max([right] + [b.x + b.width for b in boxes])
    graph.height = max([y] + [b.y + b.height for b in boxes])


def _plan_edges(edges: list[dict], index: dict[int, int], cols: int, rows: int) -> dict:
    """Which route each edge takes and which lanes it uses (no coordinates yet).

    A step to the next fragment in the order goes straight (or, at the end of
    a snake row, returns through the gap below). Any other link leaves its box
    from the bottom (forward) or the top (back), runs along a lane in the gap
    between rows and, when it must change rows, along a lane beside the grid:
    forward links on the right, links back on the left. Shorter links take
    the inner lanes so nested arrows do not cross each other. Gap ``g`` lies
    above row ``g`` (gap ``rows`` is below the last row).
    """
    gap_slots = [0] * (rows + 1)
    infos: list[dict | None] = []
    extras = []
    for e in edges:
        if e["from"] not in index or e["to"] not in index:
            infos.append(None)
            continue
        ia, ib = index[e["from"]], index[e["to"]]
        ra, rb = ia // cols, ib // cols
        info: dict = {"a": ia, "b": ib, "kind": "step" if ib == ia + 1 else "extra"}
        if info["kind"] == "step" and ra != rb and cols > 1:
            info.update(kind="wrap", gap=rb, slot=gap_slots[rb])
            gap_slots[rb] += 1
        elif info["kind"] == "extra":
            forward = ib > ia
            info.update(forward=forward, exit="bottom" if forward else "top")
            info["start_gap"] = ra + 1 if forward else ra
            if ra == rb:
                info.update(end_gap=info["start_gap"], enter=info["exit"])
            else:
                info.update(end_gap=rb if forward else rb + 1, enter="top" if forward else "bottom")
            extras.append(info)
        infos.append(info)
    extras.sort(key=lambda i: abs(i["b"] - i["a"]))
    attached: dict[tuple[int, str, bool], int] = {}
    lanes = {True: 0, False: 0}
    for info in extras:
        info["start_slot"] = info["end_slot"] = gap_slots[info["start_gap"]]
        gap_slots[info["start_gap"]] += 1
        if info["end_gap"] != info["start_gap"]:
            info["end_slot"] = gap_slots[info["end_gap"]]
            gap_slots[info["end_gap"]] += 1
            info["lane"] = lanes[info["forward"]]
            lanes[info["forward"]] += 1
        for end, box, side in (("a", info["a"], info["exit"]), ("b", info["b"], info["enter"])):
            key = (box, side, info["forward"])
            info[f"nth_{end}"] = attached.get(key, 0)
            attached[key] = info[f"nth_{end}"] + 1
    return {"edges": infos, "gap_slots": gap_slots, "right_lanes": lanes[True], "left_lanes": lanes[False]}


def _grid_route(info: dict, a: Rect, b: Rect, geo: dict) -> list[Point]:
    """The route of an arrow between two boxes that are where the grid put them."""
    ax, ay, w, h = a
    bx, by, _, _ = b
    if info["kind"] == "step":
        return route(a, b)
    if info["kind"] == "wrap":
        y = _lane_y(geo, info["gap"], info["slot"])
        return [(ax + w / 2, ay + h), (ax + w / 2, y), (bx + w / 2, y), (bx + w / 2, by)]
    sign = 1 if info["forward"] else -1  # forward arrows attach right of centre, arrows back left of it

    def attach(x: float, nth: int) -> float:
        return x + w / 2 + sign * min(w / 2 - 8, w / 4 + 10 * nth)

    x_a, x_b = attach(ax, info["nth_a"]), attach(bx, info["nth_b"])
    y_a = ay + h if info["exit"] == "bottom" else ay
    y_b = by if info["enter"] == "top" else by + h
    lane_a = _lane_y(geo, info["start_gap"], info["start_slot"])
    points = [(x_a, y_a), (x_a, lane_a)]
    lane_b = lane_a
    if info["end_gap"] != info["start_gap"]:
        lane_b = _lane_y(geo, info["end_gap"], info["end_slot"])
        side = (geo["right"] + SIDE_LANE * (info["lane"] + 1) if info["forward"]
                else geo["left"] - SIDE_LANE * (info["lane"] + 1))
        points += [(side, lane_a), (side, lane_b)]
    return points + [(x_b, lane_b), (x_b, y_b)]


def _lane_y(geo: dict, g: int, slot: int) -> float:
    """The y of lane ``slot`` in gap ``g``: the gap's lanes are spread evenly across it."""
    tops, gap = geo["tops"], geo["gaps"][g]
    top = tops[g] - gap if g < len(tops) else tops[-1] + geo["height"]
    return top + gap * (slot + 1) / (geo["slots"][g] + 1)


def route(a: Rect, b: Rect) -> list[Point]:
    """A straight arrow between the facing sides of two boxes (the next step in
    the grid, or any arrow touching a box placed by hand)."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    if by >= ay + ah - 1:
        return [(ax + aw / 2, ay + ah), (bx + bw / 2, by)]
    if ay >= by + bh - 1:
        return [(ax + aw / 2, ay), (bx + bw / 2, by + bh)]
    if bx >= ax + aw:
        return [(ax + aw, ay + ah / 2), (bx, by + bh / 2)]
    return [(ax, ay + ah / 2), (bx + bw, by + bh / 2)]
