"""Each narrative account with its fragments and the quotes they rest on.

A quote is named by its source and, where the source has them, its page (PDF
sources) or its speaker turn ("turn 12, Rosa"); never by character offsets.
Flow charts are drawn by a callback so the core stays free of Qt.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...flowgraph import Graph, account_graph, fragments, list_accounts
from ...models import Source
from ...text import page_of

FlowchartRenderer = Callable[[Graph, str], bytes]
QUOTE_LIMIT = 1200  # code points of a quote shown; longer ones end with an ellipsis


@dataclass
class Quote:
    source: str
    where: str  # "p. 3", "turn 12, Rosa" or ""
    text: str


@dataclass
class FragmentEntry:
    number: int
    summary: str
    act: str
    case: str
    actors: list[str]
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class AccountSection:
    id: int
    title: str
    description: str
    facts: str
    fragments: list[FragmentEntry]
    chart_png: bytes | None = None
    chart_svg: str | None = None


class _Locator:
    """Page and speaker turn of an offset, per source (each source's layout read once)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[int, tuple[list[int] | None, list[int], list]] = {}

    def where(self, source_id: int, offset: int) -> str:
        if source_id not in self.cache:
            row = self.session.execute(select(Source.page_starts, Source.turns).where(Source.id == source_id)).first()
            pages = json.loads(row[0]) if row and row[0] else None
            turns = json.loads(row[1]) if row and row[1] else []
            self.cache[source_id] = (pages, [t[0] for t in turns], turns)
        pages, starts, turns = self.cache[source_id]
        page = page_of(pages, offset)
        if page is not None:
            return f"p. {page}"
        i = bisect_right(starts, offset) - 1
        if i >= 0 and turns[i][0] <= offset < turns[i][1]:
            return f"turn {i + 1}, {turns[i][2]}"
        return ""


def quote_text(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT].rstrip() + "\u2026"


def account_facts(info: dict) -> str:
    return (f"{info['fragments']} fragment(s) from {info['cases']} case(s) and {info['sources']} source(s). "
            f"Speech acts present: {', '.join(info['present']) or 'none'}; "
            f"missing: {', '.join(info['missing']) or 'none'}.")


def inline_svg(svg: str, prefix: str) -> str | None:
    """An SVG file's ``<svg>`` element for inlining in HTML: no XML prolog, ids made unique by ``prefix``."""
    start = svg.find("<svg")
    if start < 0:
        return None
    return re.sub(r'(\bid="|url\(#|href="#)', lambda m: m.group(1) + prefix, svg[start:])


def account_sections(session: Session, render: FlowchartRenderer | None, fmt: str) -> list[AccountSection]:
    where = _Locator(session)
    out = []
    for info in list_accounts(session):
        entries = []
        for number, f in enumerate(fragments(session, info["id"], with_text=True), start=1):
            quotes = [Quote(p["source"], where.where(p["source_id"], p["start"]), quote_text(p["text"]))
                      for p in f.passages]
            entries.append(FragmentEntry(number, f.summary, f.act or "", f.case or "", list(f.actors), quotes))
        section = AccountSection(info["id"], info["title"], info["description"] or "", account_facts(info), entries)
        if render is not None and entries:
            image = render(account_graph(session, info["id"]), fmt)
            if fmt == "png":
                section.chart_png = image
            else:
                section.chart_svg = inline_svg(image.decode("utf-8"), f"a{info['id']}-")
        out.append(section)
    return out
