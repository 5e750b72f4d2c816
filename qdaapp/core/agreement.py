"""Intercoder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha.

:func:`compute` compares two or more coders' codings per node and source, per node
(pooled over the sources), per source (pooled over the nodes) and overall (pooled over
every node and unit). A unit is a character (as NVivo's coding comparison counts
them), a sentence of the sentence index, or a paragraph (a non-blank line); a coder
coded a sentence or paragraph at a node when any of it is coded there. Each coder
decides every unit, coded or not, so no value is missing.

Codings become intervals and intervals become counts (:mod:`.agreement_units`); the
figures come from the counts (:mod:`.agreement_stats`). Read-only: nothing here
changes the project.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .agreement_stats import binary_alpha, cohen_kappa, percent
from .agreement_units import Span, load_units, sweep, to_units
from .errors import InvalidInput, NotFound
from .models import AuditEvent, Coding, Source
from .nodes import list_nodes
from .progress import Cancelled

UNITS = ("character", "sentence", "paragraph")
CONSENSUS = "consensus"  # the coder name of consensus codings


@dataclass(frozen=True)
class Band:
    low: float  # the lowest value in the band
    name: str  # a key (and a CSS class) for it
    words: str  # for a legend
    colour: str


# The bands a kappa or alpha is coloured by, in the app and in every export, from the top down: after
# Landis and Koch (1977), with their three lowest bands (poor, slight, fair) taken together.
BANDS = (Band(0.80, "almost-perfect", "0.80 or more (almost perfect)", "#7cc47f"),
         Band(0.60, "substantial", "0.60 to 0.80 (substantial)", "#cfe8a9"),
         Band(0.40, "moderate", "0.40 to 0.60 (moderate)", "#f6d58e"),
         Band(float("-inf"), "poor", "below 0.40 (poor to fair)", "#f2a39b"))


def band(value: float | None) -> Band | None:
    """The band of a kappa or alpha; None when the figure is undefined."""
    if value is None:
        return None
    return next(b for b in BANDS if value >= b.low)


@dataclass(frozen=True)
class Cell:
    node_id: int | None  # None: all nodes (pooled)
    source_id: int | None  # None: all sources (pooled)
    units: int  # units counted (characters, sentences or paragraphs)
    both: int  # units coded at the node by every coder
    none: int  # units coded by no coder
    only: tuple[tuple[str, int], ...]  # (coder, units only that coder coded), in coders' order
    percent: float  # percent agreement, 0..100
    kappa: float | None  # Cohen's kappa (exactly 2 coders), None when undefined
    alpha: float | None  # Krippendorff's alpha (nominal), None when undefined

    def as_dict(self) -> dict[str, Any]:
        return {"node_id": self.node_id, "source_id": self.source_id, "units": self.units, "both": self.both,
                "none": self.none, "only": dict(self.only), "percent": self.percent, "kappa": self.kappa,
                "alpha": self.alpha}


@dataclass(frozen=True)
class Agreement:
    coders: tuple[str, ...]
    unit: str
    nodes: tuple[tuple[int, str], ...]  # (node id, path as shown to users)
    sources: tuple[tuple[int, str], ...]  # (source id, name)
    cells: tuple[Cell, ...]  # node x source, node x None, None x source, None x None
    method: str  # the method in words, for a methods section
    _index: dict[tuple[int | None, int | None], Cell] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(c.node_id, c.source_id): c for c in self.cells})

    def cell(self, node_id: int | None, source_id: int | None) -> Cell | None:
        return self._index.get((node_id, source_id))

    @property
    def overall(self) -> Cell:
        return self._index[(None, None)]

    def as_dict(self) -> dict[str, Any]:
        node_names = dict(self.nodes)
        source_names = dict(self.sources)
        cells = []
        for c in self.cells:
            d = c.as_dict()
            d["node"] = None if c.node_id is None else node_names[c.node_id]
            d["source"] = None if c.source_id is None else source_names[c.source_id]
            cells.append(d)
        return {"coders": list(self.coders), "unit": self.unit,
                "nodes": [{"id": i, "path": p} for i, p in self.nodes],
                "sources": [{"id": i, "name": n} for i, n in self.sources],
                "overall": self.overall.as_dict(), "cells": cells, "method": self.method}


class _Tally:
    """Additive counts of one cell: units, units by number of coders, units only each coder coded."""

    __slots__ = ("units", "by_k", "only")

    def __init__(self, m: int) -> None:
        self.units = 0
        self.by_k = [0] * (m + 1)
        self.only = [0] * m

    def add(self, units: int, by_k: Sequence[int], only: Sequence[int]) -> None:
        self.units += units
        self.by_k = [x + y for x, y in zip(self.by_k, by_k, strict=True)]
        self.only = [x + y for x, y in zip(self.only, only, strict=True)]

    def cell(self, node_id: int | None, source_id: int | None, coders: Sequence[str]) -> Cell:
        m = len(coders)
        by_k = self.by_k
        kappa = cohen_kappa(by_k[2], self.only[0], self.only[1], by_k[0]) if m == 2 else None
        alpha = binary_alpha(by_k, m) if self.units else None
        return Cell(node_id, source_id, self.units, by_k[m], by_k[0], tuple(zip(coders, self.only, strict=True)),
                    percent(self.units, by_k[0] + by_k[m]), kappa, alpha)


def known_coders(session: Session) -> list[str]:
    """Every coder the project knows of: who made a coding, or any change in the audit trail."""
    names = set(session.scalars(select(Coding.coder).distinct()))
    names.update(session.scalars(select(AuditEvent.coder).distinct()))
    return sorted((n for n in names if n), key=str.lower)


def _check_coders(session: Session, coders: Sequence[str]) -> tuple[str, ...]:
    picked = tuple(str(c).strip() for c in coders)
    if len(picked) < 2:
        raise InvalidInput("Agreement needs two coders or more; name each coder to compare.")
    if len(set(picked)) < len(picked):
        raise InvalidInput("A coder is named twice; name each coder to compare once.")
    known = known_coders(session)
    unknown = [c for c in picked if c not in known]
    if unknown:
        names = ", ".join(f"'{c}'" for c in unknown)
        listed = ", ".join(known) if known else "none yet"
        raise NotFound(f"This project has no coder {names}. Its coders: {listed}.")
    return picked


def _method(coders: Sequence[str], unit: str, n_nodes: int, n_sources: int, picked_sources: bool) -> str:
    who = " and ".join(coders) if len(coders) == 2 else ", ".join(coders[:-1]) + f" and {coders[-1]}"
    what = {
        "character": "each character of a source counts as coded or not coded at a node by each coder "
                     "(as NVivo's coding comparison counts them)",
        "sentence": "each sentence of a source (as the sentence index splits the text) counts as coded at a node "
                    "by a coder when any of its characters is coded there",
        "paragraph": "each paragraph (non-blank line) of a source counts as coded at a node by a coder when any "
                     "of its characters is coded there",
    }[unit]
    sources = (f"the {n_sources} source(s) chosen" if picked_sources
               else f"the {n_sources} source(s) that at least one of them coded")
    text = (f"Agreement between {who} was measured at the {unit} level: {what}. It was computed for "
            f"{n_nodes} node(s) over {sources}. Percent agreement is the share of units on which the coders "
            "decided alike (all coded the unit at the node, or none did). ")
    if len(coders) == 2:
        text += ("Cohen's kappa corrects that agreement for chance, estimated from each coder's own proportion "
                 "of coded units; it is undefined when chance agreement is total (for example when neither "
                 "coder coded the node in a source). ")
    text += ("Krippendorff's alpha for nominal data (coded / not coded) is computed from the coincidence matrix "
             "of the coders' decisions; it is undefined when only one value occurs. Figures for a node pool its "
             "units over all the sources; figures for a source pool every node's units in it; the overall "
             "figures pool every pair of node and unit.")
    return text


def compute(session: Session, coders: Sequence[str], nodes: Sequence[int] | None = None,
            sources: Sequence[int] | None = None, unit: str = "character",
            progress: Callable[[int, int], bool] | None = None) -> Agreement:
    """Agreement of ``coders`` at ``nodes`` (default: every node one of them applied in the sources)
    over ``sources`` (default: every source one of them coded).

    ``progress(done, total)`` is called between steps; returning False stops the work
    (:class:`~.progress.Cancelled` is raised)."""
    if unit not in UNITS:
        raise InvalidInput(f"'{unit}' is not a unit of agreement; use {', '.join(UNITS)}.")
    picked = _check_coders(session, coders)
    m = len(picked)
    index_of = {c: i for i, c in enumerate(picked)}
    all_nodes = list_nodes(session)
    paths = {n.id: n.path for n in all_nodes}
    if nodes is not None:
        missing = [n for n in nodes if n not in paths]
        if missing:
            raise NotFound(f"There is no node with id {', '.join(str(n) for n in missing)}.")
    source_rows = session.execute(select(Source.id, Source.name, Source.length)).all()
    names = {r[0]: r[1] for r in source_rows}
    lengths = {r[0]: r[2] for r in source_rows}
    if sources is not None:
        missing = [s for s in sources if s not in names]
        if missing:
            raise NotFound(f"There is no source with id {', '.join(str(s) for s in missing)}.")

    query = select(Coding.source_id, Coding.node_id, Coding.start, Coding.end, Coding.coder).where(
        Coding.coder.in_(picked))
    if sources is not None:
        query = query.where(Coding.source_id.in_(list(sources)))
    rows = session.execute(query).all()
    source_ids = list(dict.fromkeys(sources)) if sources is not None else sorted({r[0] for r in rows})
    wanted = set(nodes) if nodes is not None else {r[1] for r in rows}
    node_ids = [n.id for n in all_nodes if n.id in wanted]
    source_ids.sort(key=lambda s: (names[s].lower(), s))

    spans: dict[tuple[int, int], list[list[Span]]] = {}
    for sid, nid, start, end, coder in rows:
        if nid in wanted:
            spans.setdefault((nid, sid), [[] for _ in picked])[index_of[coder]].append((start, end))

    units = load_units(session, unit, source_ids, names) if unit != "character" else None
    size = {sid: lengths[sid] or 0 for sid in source_ids} if units is None else {s: len(u) for s, u in units.items()}

    node_total = {nid: _Tally(m) for nid in node_ids}
    source_total = {sid: _Tally(m) for sid in source_ids}
    overall = _Tally(m)
    cells: list[Cell] = []
    total = len(node_ids)
    for done, nid in enumerate(node_ids):
        if progress is not None and progress(done, total) is False:
            raise Cancelled()
        for sid in source_ids:
            tally = _Tally(m)
            per_coder = spans.get((nid, sid))
            length = size[sid]
            if per_coder is None:
                tally.add(length, [length] + [0] * m, [0] * m)
            else:
                if units is not None:
                    per_coder = [to_units(s, units[sid]) for s in per_coder]
                by_k, only = sweep(per_coder, length)
                tally.add(length, by_k, only)
            for pooled in (node_total[nid], source_total[sid], overall):
                pooled.add(tally.units, tally.by_k, tally.only)
            cells.append(tally.cell(nid, sid, picked))
    if progress is not None:
        progress(total, total)
    cells += [node_total[nid].cell(nid, None, picked) for nid in node_ids]
    cells += [source_total[sid].cell(None, sid, picked) for sid in source_ids]
    cells.append(overall.cell(None, None, picked))
    return Agreement(
        coders=picked, unit=unit,
        nodes=tuple((nid, paths[nid]) for nid in node_ids),
        sources=tuple((sid, names[sid]) for sid in source_ids),
        cells=tuple(cells),
        method=_method(picked, unit, len(node_ids), len(source_ids), sources is not None),
    )
