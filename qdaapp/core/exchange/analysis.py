"""Node frequencies by case, source or attribute, and the node co-occurrence matrix.

Both are plain data (lists and dicts) built from grouped SQL counts, so the
GUI can show them in a grid and the exports below can write them as CSV or
XLSX. Charts are drawn elsewhere: :func:`export_frequencies` takes a
``render_chart`` callback for PNG and SVG so this module stays free of Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InvalidInput, NotFound
from ..models import Attribute, AttributeValue, Case, Coding, Source
from ..nodes import list_nodes
from . import sheets, write_atomically

NO_CASE = "(no case)"
NO_VALUE = "(no value)"
UNITS = ("overlap", "source")


@dataclass
class FrequencyTable:
    """Codings per node (rows) and group (columns: cases, sources or attribute values)."""

    by: str
    group_label: str
    nodes: list[tuple[int, str]]  # (node id, path), codebook order
    groups: list[str]
    counts: list[list[int]]  # counts[node index][group index]

    def total(self, row: int) -> int:
        return sum(self.counts[row])

    def rows(self) -> list[list]:
        return [[path, *self.counts[i], self.total(i)] for i, (_, path) in enumerate(self.nodes)]

    def header(self) -> list[str]:
        return ["Node", *self.groups, "Total"]


@dataclass
class CooccurrenceMatrix:
    """How often two nodes' codings meet; ``counts`` is symmetric.

    With unit 'overlap' an off-diagonal cell counts pairs of codings (one of
    each node) in the same source whose spans share at least one character;
    with unit 'source' it counts sources coded at both nodes. The diagonal
    holds each node's own number of codings (or of sources).
    """

    unit: str
    nodes: list[tuple[int, str]]
    counts: list[list[int]] = field(default_factory=list)

    def header(self) -> list[str]:
        return ["Node", *(path for _, path in self.nodes)]

    def rows(self) -> list[list]:
        return [[path, *self.counts[i]] for i, (_, path) in enumerate(self.nodes)]


def _node_rows(session: Session, node_ids: Iterable[int] | None) -> list[tuple[int, str]]:
    """Nodes as (id, path): tree nodes in tree order, then free nodes."""
    infos = list_nodes(session)
    ordered = [n for n in infos if n.kind == "tree"] + [n for n in infos if n.kind == "free"]
    if node_ids is None:
        return [(n.id, n.path) for n in ordered]
    wanted = list(dict.fromkeys(int(i) for i in node_ids))
    known = {n.id for n in ordered}
    missing = [i for i in wanted if i not in known]
    if missing:
        raise NotFound(f"There is no node with id {missing[0]}.")
    chosen = set(wanted)
    return [(n.id, n.path) for n in ordered if n.id in chosen]


def _source_groups(session: Session, by: str) -> tuple[str, dict[int, str]]:
    """(column label, source id -> group name) for a ``by`` specification."""
    if by == "case":
        rows = session.execute(select(Source.id, Case.name).outerjoin(Case, Case.id == Source.case_id)).all()
        return "Case", {sid: name or NO_CASE for sid, name in rows}
    if by == "source":
        return "Source", dict(session.execute(select(Source.id, Source.name)).all())
    kind, _, name = by.partition(":")
    if kind != "attribute" or not name.strip():
        raise InvalidInput(
            f"'{by}' is not a grouping; use case, source or attribute:NAME (for example attribute:role).")
    name = name.strip()
    attr_id = session.scalar(select(Attribute.id).where(Attribute.name == name))
    if attr_id is None:
        raise NotFound(f"There is no attribute '{name}'. List cases and their attributes with 'qdaapp cases'.")
    by_case = dict(session.execute(
        select(AttributeValue.case_id, AttributeValue.value)
        .where(AttributeValue.attribute_id == attr_id, AttributeValue.case_id.is_not(None))).all())
    by_source = dict(session.execute(
        select(AttributeValue.source_id, AttributeValue.value)
        .where(AttributeValue.attribute_id == attr_id, AttributeValue.source_id.is_not(None))).all())
    groups = {}
    for sid, case_id in session.execute(select(Source.id, Source.case_id)):
        # A value set on the source itself wins over its case's value.
        groups[sid] = by_source.get(sid) or by_case.get(case_id) or NO_VALUE
    return name, groups


def _group_order(names: Iterable[str]) -> list[str]:
    placeholders = (NO_CASE, NO_VALUE)
    return sorted((n for n in set(names) if n not in placeholders), key=lambda s: (s.lower(), s)) + [
        p for p in placeholders if p in set(names)]


def frequencies(session: Session, by: str = "case", node_ids: Iterable[int] | None = None) -> FrequencyTable:
    """Codings per node and case (``by='case'``), source, or value of an attribute (``'attribute:role'``).

    Every node appears (with zeros); a group appears when it is a case, a
    source or a value that exists, plus '(no case)'/'(no value)' when some
    coded source has none.
    """
    label, group_of = _source_groups(session, by)
    nodes = _node_rows(session, node_ids)
    pairs = session.execute(
        select(Coding.node_id, Coding.source_id, func.count()).group_by(Coding.node_id, Coding.source_id)).all()
    if by == "case":
        names = [n for n in session.scalars(select(Case.name))]
    else:
        names = [g for g in group_of.values() if g not in (NO_CASE, NO_VALUE)]
    names += [group_of[sid] for _, sid, _ in pairs if sid in group_of]
    groups = _group_order(names)
    col = {g: i for i, g in enumerate(groups)}
    row = {nid: i for i, (nid, _) in enumerate(nodes)}
    counts = [[0] * len(groups) for _ in nodes]
    for nid, sid, n in pairs:
        if nid in row and sid in group_of:
            counts[row[nid]][col[group_of[sid]]] += n
    return FrequencyTable(by, label, nodes, groups, counts)


def overlap_pairs(spans: Sequence[tuple[int, int, int]]) -> dict[tuple[int, int], int]:
    """Count overlapping pairs of spans by node pair, for the spans of ONE source.

    ``spans`` are (start, end, node) with half-open [start, end). Sweeping the
    sorted boundaries keeps, for each node, how many of its spans are open;
    a span that starts overlaps exactly the spans open at that moment. That
    is O(n log n + n * k) for k nodes open at once, never all pairs of
    codings. Returned keys are (a, b) with a < b; same-node pairs are not counted.
    """
    events: list[tuple[int, int, int]] = []
    for start, end, node in spans:
        events.append((start, 1, node))
        events.append((end, 0, node))  # at equal positions ends come first: touching is not overlapping
    events.sort()
    open_by_node: dict[int, int] = {}
    out: dict[tuple[int, int], int] = {}
    for _, is_start, node in events:
        if is_start:
            for other, n in open_by_node.items():
                if other != node:
                    key = (node, other) if node < other else (other, node)
                    out[key] = out.get(key, 0) + n
            open_by_node[node] = open_by_node.get(node, 0) + 1
        else:
            left = open_by_node[node] - 1
            if left:
                open_by_node[node] = left
            else:
                del open_by_node[node]
    return out


def cooccurrence(session: Session, node_ids: Iterable[int] | None = None, unit: str = "overlap") -> CooccurrenceMatrix:
    """The node x node matrix of co-occurring codings (see :class:`CooccurrenceMatrix`)."""
    if unit not in UNITS:
        raise InvalidInput(f"'{unit}' is not a unit of co-occurrence; use {' or '.join(UNITS)}.")
    nodes = _node_rows(session, node_ids)
    index = {nid: i for i, (nid, _) in enumerate(nodes)}
    counts = [[0] * len(nodes) for _ in nodes]
    q = select(Coding.source_id, Coding.start, Coding.end, Coding.node_id).order_by(Coding.source_id)
    if node_ids is not None:
        q = q.where(Coding.node_id.in_(list(index)))
    current: int | None = None
    spans: list[tuple[int, int, int]] = []

    def flush() -> None:
        if unit == "overlap":
            for node in (n for _, _, n in spans):
                counts[index[node]][index[node]] += 1
            for (a, b), n in overlap_pairs(spans).items():
                counts[index[a]][index[b]] += n
                counts[index[b]][index[a]] += n
        else:
            present = sorted({index[n] for _, _, n in spans})
            for i in present:
                for j in present:
                    counts[i][j] += 1

    for sid, start, end, node in session.execute(q):
        if node not in index:
            continue
        if sid != current and spans:
            flush()
            spans = []
        current = sid
        spans.append((start, end, node))
    if spans:
        flush()
    return CooccurrenceMatrix(unit, nodes, counts)


def _write_table(path: str | Path, title: str, header: list[str], rows: list[list]) -> Path:
    def write_csv(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            sheets.write_csv(fh, header, rows)

    def write_xlsx(tmp: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        from .themes import cell_text

        wb = Workbook()
        ws = wb.active
        ws.title = title[:31]
        sheets.append_row(ws, [cell_text(h) for h in header])
        for r in rows:
            sheets.append_row(ws, [cell_text(v) if isinstance(v, str) else v for v in r])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in ws.iter_rows(min_row=2, max_col=1):
            row[0].font = Font(bold=True)
        ws.column_dimensions["A"].width = max(14, min(50, max((len(str(r[0])) for r in rows), default=10) + 2))
        ws.freeze_panes = "B2"
        wb.save(tmp)

    writer = write_xlsx if Path(path).suffix.lower() == ".xlsx" else write_csv
    return write_atomically(path, writer, (".csv", ".xlsx"))


ChartRenderer = Callable[[FrequencyTable, str], bytes]


def export_frequencies(session: Session, path: str | Path, by: str = "case",
                       render_chart: ChartRenderer | None = None,
                       node_ids: Iterable[int] | None = None) -> Path:
    """Write the frequency table as CSV or XLSX, or as a bar chart (PNG or SVG) through ``render_chart``.

    ``render_chart(table, 'png' | 'svg')`` returns the image's bytes.
    """
    suffix = Path(path).suffix.lower()
    allowed = (".csv", ".xlsx", ".png", ".svg")
    if suffix not in allowed:
        raise InvalidInput(f"{Path(path).name}: choose a file ending in {', '.join(allowed)}.")
    table = frequencies(session, by, node_ids)
    if suffix in (".csv", ".xlsx"):
        return _write_table(path, "Frequencies", table.header(), table.rows())
    if render_chart is None:
        raise InvalidInput(f"{Path(path).name}: charts cannot be drawn here; choose a .csv or .xlsx file.")
    data = render_chart(table, suffix[1:])
    return write_atomically(path, lambda tmp: tmp.write_bytes(data), (suffix,))


def export_cooccurrence(session: Session, path: str | Path, node_ids: Iterable[int] | None = None,
                        unit: str = "overlap") -> Path:
    """Write the co-occurrence matrix as CSV or XLSX."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(f"{Path(path).name}: choose a file ending in .csv, .xlsx.")
    matrix = cooccurrence(session, node_ids, unit)
    return _write_table(path, "Co-occurrence", matrix.header(), matrix.rows())
