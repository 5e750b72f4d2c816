"""Coded themes for a team: every node with its definition, counts, quotes and memos.

One collection step (:func:`collect`) feeds four writers: a Word report
(per node: definition, counts by source and case, every quote with where it
comes from, the node's memos), a spreadsheet and a CSV with one row per
coding (the case's attributes as columns, for filtering and pivoting), and a
self-contained HTML page that works offline. Positions are code points into
the source's text, as everywhere in qdaapp.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..cases import list_cases
from ..coding import CodedPassage, list_codings
from ..errors import InvalidInput, NotFound
from ..memos import MemoInfo, list_memos
from ..models import Attribute, AttributeValue, AuditEvent
from ..nodes import NodeInfo, list_nodes
from . import sheets, write_atomically

FORMATS = ("docx", "xlsx", "csv", "html")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


# ---------------------------------------------------------------------- helpers shared by the reports
def clean(text: str | None) -> str:
    """Text without the control characters XML (DOCX, XLSX) cannot hold."""
    return _XML_ILLEGAL.sub("", text or "")


def cell_text(value: str, limit: int = 32_000) -> str:
    """Text for a spreadsheet cell: XML-safe and within Excel's 32,767-character limit."""
    value = clean(value)
    return value if len(value) <= limit else value[:limit] + " [\u2026 cut: the cell limit is reached]"


def esc(text: str | None) -> str:
    return html.escape(clean(text), quote=True)


def safe_colour(colour: str | None) -> str:
    return colour if colour and _COLOUR.match(colour) else "#999999"


def project_title(session: Session) -> str:
    """The project's name as given when it was created (its first audit event)."""
    import json

    after = session.scalar(select(AuditEvent.after).where(AuditEvent.action == "project.create")
                           .order_by(AuditEvent.seq).limit(1))
    try:
        return str(json.loads(after)["name"]) if after else "Project"
    except (ValueError, KeyError, TypeError):
        return "Project"


def today() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M")


def span_label(p: CodedPassage) -> str:
    parts = [p.source, p.case or "no case"]
    if p.page is not None:
        parts.append(f"p. {p.page}")
    parts += [f"{p.start}\u2013{p.end}", p.coder, p.created_at[:10]]
    return " \u00b7 ".join(parts)


CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #fdfdfb; color: #1d1d1d; font: 17px/1.6 Georgia, "Iowan Old Style", "Palatino Linotype",
  "DejaVu Serif", serif; }
main { max-width: 46rem; margin: 0 auto; padding: 2.5rem 1.5rem 4rem; }
h1, h2, h3, h4, nav, table, .meta, .caption { font-family: -apple-system, "Segoe UI", Roboto, "DejaVu Sans",
  Helvetica, Arial, sans-serif; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .3rem; }
h2 { font-size: 1.35rem; margin: 2.6rem 0 .6rem; padding-top: .6rem; border-top: 1px solid #ddd; }
h3 { font-size: 1.05rem; margin: 1.6rem 0 .4rem; color: #333; }
h4 { font-size: .95rem; margin: 1.2rem 0 .3rem; color: #444; }
.meta, .caption { color: #666; font-size: .82rem; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: .4em;
  vertical-align: baseline; border: 1px solid rgba(0,0,0,.25); }
.definition { font-style: italic; }
blockquote { margin: 1rem 0 .2rem; padding: .1rem 0 .1rem 1rem; border-left: 4px solid #999;
  white-space: pre-wrap; }
.caption { margin: 0 0 1rem 1.3rem; }
.memo { background: #f4f4ef; border-radius: 4px; padding: .6rem .9rem; margin: .6rem 0; white-space: pre-wrap; }
.memo .meta { display: block; white-space: normal; margin-bottom: .2rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .7rem .25rem 0; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #888; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
nav ol { padding-left: 1.2rem; font-size: .9rem; }
a { color: #0b5394; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
@media print { body { background: white; font-size: 11pt; } main { max-width: none; } h2 { break-before: auto; } }
"""


def html_page(title: str, body: str) -> str:
    """A complete, self-contained HTML document (inline CSS, nothing fetched)."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def html_table(header: list[str], rows: list[list], numeric_from: int = 1) -> str:
    def cell(tag: str, i: int, v: object) -> str:
        cls = ' class="n"' if i >= numeric_from else ""
        return f"<{tag}{cls}>{esc(str(v) if v is not None else '')}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _xml_text(text: str) -> str:
    """Text for a ``w:t`` element: XML-safe and escaped, each newline a ``w:br`` (called per table cell)."""
    text = _XML_ILLEGAL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">') if "\n" in text else text


def fix_widths(table, twips: list[int]) -> None:
    """Give a Word table fixed column widths (in twips) that Word and LibreOffice both keep.

    The layout is set to fixed, the table's own width to the sum of its columns,
    the grid to the columns, and every cell already in the table to its column's
    width, so no program autofits a column down to a few characters.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    tbl = table._tbl
    tbl_pr = tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout"):
        for old in tbl_pr.findall(qn(tag)):
            tbl_pr.remove(old)
    width = parse_xml(f'<w:tblW {nsdecls("w")} w:w="{sum(twips)}" w:type="dxa"/>')
    layout = parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>')
    # CT_TblPr's children come in a set order: tblStyle, tblpPr, tblOverlap, bidiVisual, tblStyleRowBandSize,
    # tblStyleColBandSize, tblW, jc, tblCellSpacing, tblInd, tblBorders, shd, tblLayout, tblCellMar, tblLook.
    after_w = [qn(t) for t in ("w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout",
                               "w:tblCellMar", "w:tblLook")]
    after_layout = after_w[-2:]
    _insert_before(tbl_pr, width, after_w)
    _insert_before(tbl_pr, layout, after_layout)
    grid = tbl.tblGrid
    for col in list(grid.gridCol_lst):
        grid.remove(col)
    for w in twips:
        grid.append(parse_xml(f'<w:gridCol {nsdecls("w")} w:w="{w}"/>'))
    for tr in tbl.tr_lst:
        for i, tc in enumerate(tr.tc_lst[:len(twips)]):
            tc_pr = tc.get_or_add_tcPr()
            for old in tc_pr.findall(qn("w:tcW")):
                tc_pr.remove(old)
            tc_pr.insert(0, parse_xml(f'<w:tcW {nsdecls("w")} w:w="{twips[i]}" w:type="dxa"/>'))


def _insert_before(parent, child, later_tags: list[str]) -> None:
    for i, existing in enumerate(parent):
        if existing.tag in later_tags:
            parent.insert(i, child)
            return
    parent.append(child)


def docx_table(doc, header: list[str] | None, rows: list[list], widths: list[float] | None = None,
               size: float = 9, bold_rows: list[bool] | None = None):
    """A grid table with a bold header row (or, without ``header``, a bold first column).

    The rows are written as WordprocessingML in one piece: python-docx's
    cell-by-cell API needs about a millisecond per cell, too slow for an
    audit timeline with thousands of rows.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    ncols = len(header) if header else (len(rows[0]) if rows else 1)
    table = doc.add_table(rows=0, cols=ncols)
    table.style = "Table Grid"
    twips = [round(w * 567) for w in widths] if widths else None
    if twips:
        fix_widths(table, twips)
    half_points = round(size * 2)

    widths_xml = [f'<w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>' for w in twips] if twips else None
    rprs = {bold: f'<w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="{half_points}"/></w:rPr>' for bold in (False, True)}

    def cell(text: object, col: int, bold: bool) -> str:
        width = widths_xml[col] if widths_xml else ""
        body = _xml_text("" if text is None else str(text))
        return f'<w:tc>{width}<w:p><w:r>{rprs[bold]}<w:t xml:space="preserve">{body}</w:t></w:r></w:p></w:tc>'

    parts = []
    if header:  # repeated at the top of each page the table runs over
        parts.append('<w:tr><w:trPr><w:tblHeader/></w:trPr>'
                     + "".join(cell(h, i, True) for i, h in enumerate(header)) + "</w:tr>")
    for r, values in enumerate(rows):
        strong = bool(bold_rows and bold_rows[r])
        parts.append("<w:tr>" + "".join(cell(v, i, strong or (not header and i == 0))
                                        for i, v in enumerate(values)) + "</w:tr>")
    built = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(parts)}</w:tbl>")
    for tr in list(built):
        table._tbl.append(tr)
    return table


# ---------------------------------------------------------------------- collection
@dataclass
class ThemeNode:
    info: NodeInfo
    passages: list[CodedPassage] = field(default_factory=list)
    memos: list[MemoInfo] = field(default_factory=list)

    def by_source(self) -> list[list]:
        counts: dict[tuple[str, str], int] = {}
        for p in self.passages:
            key = (p.source, p.case or "")
            counts[key] = counts.get(key, 0) + 1
        return [[s, c, n] for (s, c), n in sorted(counts.items(), key=lambda kv: kv[0][0].lower())]

    def by_case(self) -> list[list]:
        codings: dict[str, int] = {}
        sources: dict[str, set] = {}
        for p in self.passages:
            key = p.case or "(no case)"
            codings[key] = codings.get(key, 0) + 1
            sources.setdefault(key, set()).add(p.source_id)
        return [[k, len(sources[k]), codings[k]] for k in sorted(codings, key=lambda k: (k == "(no case)", k.lower()))]


@dataclass
class Themes:
    title: str
    nodes: list[ThemeNode]
    attributes: list[str]
    case_attrs: dict[str, dict[str, str]]
    source_attrs: dict[int, dict[str, str]]
    coding_memos: dict[int, list[MemoInfo]]
    seal: str = ""  # the audit trail's seal as the export read the project

    def attrs_for(self, p: CodedPassage) -> list[str]:
        own, case = self.source_attrs.get(p.source_id, {}), self.case_attrs.get(p.case or "", {})
        return [own.get(a) or case.get(a, "") for a in self.attributes]


def _with_subtrees(infos: list[NodeInfo], node_ids: Iterable[int]) -> set[int]:
    known = {n.id for n in infos}
    chosen = set()
    for raw in node_ids:
        nid = int(raw)
        if nid not in known:
            raise NotFound(f"There is no node with id {nid}.")
        chosen.add(nid)
    children: dict[int, list[int]] = {}
    for n in infos:
        if n.parent_id is not None:
            children.setdefault(n.parent_id, []).append(n.id)
    frontier = list(chosen)
    while frontier:
        kids = [k for f in frontier for k in children.get(f, []) if k not in chosen]
        chosen.update(kids)
        frontier = kids
    return chosen


def collect(session: Session, node_ids: Iterable[int] | None = None) -> Themes:
    """Nodes in tree order (then free nodes) with their codings and memos; ``node_ids`` adds subtrees."""
    infos = list_nodes(session)
    ordered = [n for n in infos if n.kind == "tree"] + [n for n in infos if n.kind == "free"]
    if node_ids is not None:
        keep = _with_subtrees(infos, node_ids)
        ordered = [n for n in ordered if n.id in keep]
    nodes = {n.id: ThemeNode(n) for n in ordered}
    for p in list_codings(session, context=0):
        if p.node_id in nodes:
            nodes[p.node_id].passages.append(p)
    coding_memos: dict[int, list[MemoInfo]] = {}
    for m in list_memos(session):
        if m.target_type == "node" and m.target_id in nodes:
            nodes[m.target_id].memos.append(m)
        elif m.target_type == "coding" and m.target_id is not None:
            coding_memos.setdefault(m.target_id, []).append(m)
    case_attrs = {c.name: c.attributes for c in list_cases(session)}
    source_attrs: dict[int, dict[str, str]] = {}
    for sid, name, value in session.execute(
        select(AttributeValue.source_id, Attribute.name, AttributeValue.value)
        .join(Attribute, Attribute.id == AttributeValue.attribute_id).where(AttributeValue.source_id.is_not(None))
    ):
        source_attrs.setdefault(sid, {})[name] = value  # type: ignore[arg-type]  # the query leaves out cases' values
    attributes = list(session.scalars(select(Attribute.name).order_by(Attribute.name)))
    from .. import audit

    return Themes(project_title(session), list(nodes.values()), attributes, case_attrs, source_attrs, coding_memos,
                  audit.seal(session.connection()))


def coding_rows(themes: Themes) -> tuple[list[str], list[list]]:
    header = ["Node", "Source", "Case", *themes.attributes, "Text", "Coder", "Date", "Start", "End", "Page"]
    rows = [
        [t.info.path, p.source, p.case or "", *themes.attrs_for(p), p.text, p.coder, p.created_at[:10],
         p.start, p.end, p.page]
        for t in themes.nodes for p in t.passages
    ]
    return header, rows


# ---------------------------------------------------------------------- writers
def _write_csv(themes: Themes, tmp: Path) -> None:
    header, rows = coding_rows(themes)
    with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
        sheets.write_csv(fh, header, rows)


def _write_xlsx(themes: Themes, tmp: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    header, rows = coding_rows(themes)
    wb = Workbook()
    ws = wb.active
    ws.title = "Codings"
    sheets.append_row(ws, [cell_text(h) for h in header])
    for r in rows:
        sheets.append_row(ws, [cell_text(v) if isinstance(v, str) else v for v in r])
    for c in ws[1]:
        c.font = Font(bold=True)
    text_col = header.index("Text") + 1
    for col in range(1, len(header) + 1):
        letter = ws.cell(1, col).column_letter
        ws.column_dimensions[letter].width = 70 if col == text_col else (24 if col <= text_col else 11)
    for row in ws.iter_rows(min_row=2, min_col=text_col, max_col=text_col):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    wb.save(tmp)


def _docx_memo(doc, memo: MemoInfo, label: str = "") -> None:
    from docx.shared import Pt, RGBColor

    head = doc.add_paragraph()
    run = head.add_run(clean(memo.title or f"Memo {memo.id}"))
    run.bold = True
    meta = head.add_run(clean(f"  {label + ' · ' if label else ''}{memo.author or 'unknown'} · "
                              f"{(memo.date or memo.updated_at)[:10]}"))
    meta.font.size, meta.font.color.rgb = Pt(8), RGBColor(0x66, 0x66, 0x66)
    doc.add_paragraph(clean(memo.text))


def _write_docx(themes: Themes, tmp: Path) -> None:
    import docx
    from docx.shared import Pt, RGBColor

    doc = docx.Document()
    doc.add_heading(f"Coded themes: {clean(themes.title)}", level=0)
    total = sum(len(t.passages) for t in themes.nodes)
    doc.add_paragraph(f"{len(themes.nodes)} node(s), {total} coding(s). Generated {today()}. Positions are "
                      "characters from the start of each source's text." + _seal_note(themes))
    section = None
    for t in themes.nodes:
        kind = "Tree nodes" if t.info.kind == "tree" else "Free nodes"
        if kind != section:
            doc.add_heading(kind, level=1)
            section = kind
        doc.add_heading(clean(t.info.path), level=2)
        definition = doc.add_paragraph()
        definition.add_run("Definition: ").bold = True
        definition.add_run(clean(t.info.description) or "none written yet").italic = True
        if not t.passages:
            doc.add_paragraph("No codings.")
        else:
            docx_table(doc, ["Source", "Case", "Codings"], t.by_source(), [7, 5, 2.5])
            doc.add_paragraph()
            docx_table(doc, ["Case", "Sources", "Codings"], t.by_case(), [7, 2.5, 2.5])
            doc.add_heading("Quotes", level=3)
            for p in t.passages:
                doc.add_paragraph(clean(p.text), style="Quote")
                caption = doc.add_paragraph()
                run = caption.add_run(clean(span_label(p)))
                run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x55, 0x55, 0x55)
                for memo in themes.coding_memos.get(p.id, []):
                    _docx_memo(doc, memo, "memo on this coding")
        if t.memos:
            doc.add_heading("Memos", level=3)
            for memo in t.memos:
                _docx_memo(doc, memo)
    doc.save(str(tmp))


def _html_memo(memo: MemoInfo, label: str = "") -> str:
    meta = f"{memo.title or f'Memo {memo.id}'} · {label + ' · ' if label else ''}{memo.author or 'unknown'} · " \
           f"{(memo.date or memo.updated_at)[:10]}"
    return f'<div class="memo"><span class="meta">{esc(meta)}</span>{esc(memo.text)}</div>'


def _seal_note(themes: Themes) -> str:
    return f" Audit trail seal: {themes.seal}." if themes.seal else ""


def themes_html(themes: Themes) -> str:
    total = sum(len(t.passages) for t in themes.nodes)
    parts = [f"<h1>Coded themes: {esc(themes.title)}</h1>",
             (f'<p class="meta">{len(themes.nodes)} node(s), {total} coding(s). Generated {esc(today())}. '
             "Positions are characters from the start of each source&#8217;s text."
             f"{esc(_seal_note(themes))}</p>"), "<nav><ol>"]
    parts += [f'<li><a href="#node-{t.info.id}">{esc(t.info.path)}</a> ({len(t.passages)})</li>' for t in themes.nodes]
    parts.append("</ol></nav>")
    for t in themes.nodes:
        colour = safe_colour(t.info.color)
        kind = "free node" if t.info.kind == "free" else "tree node"
        parts.append(f'<h2 id="node-{t.info.id}"><span class="swatch" style="background:{colour}"></span>'
                     f"{esc(t.info.path)}</h2>")
        parts.append(f'<p class="meta">{kind} · {len(t.passages)} coding(s)</p>')
        parts.append(f'<p class="definition">{esc(t.info.description) or "No definition written yet."}</p>')
        if t.passages:
            parts.append(html_table(["Source", "Case", "Codings"], t.by_source(), numeric_from=2))
            parts.append(html_table(["Case", "Sources", "Codings"], t.by_case()))
            parts.append("<h3>Quotes</h3>")
            for p in t.passages:
                parts.append(f'<blockquote style="border-left-color:{colour}">{esc(p.text)}</blockquote>')
                parts.append(f'<p class="caption">{esc(span_label(p))}</p>')
                parts += [_html_memo(m, "memo on this coding") for m in themes.coding_memos.get(p.id, [])]
        else:
            parts.append("<p>No codings.</p>")
        if t.memos:
            parts.append("<h3>Memos</h3>")
            parts += [_html_memo(m) for m in t.memos]
    return html_page(f"Coded themes: {themes.title}", "\n".join(parts))


def export_themes(session: Session, path: str | Path, fmt: str, node_ids: Iterable[int] | None = None) -> Path:
    """Write the coded themes as ``fmt`` (docx, xlsx, csv or html) to ``path``.

    ``node_ids`` restricts the report to those nodes and their subtrees. The
    file is written through a temporary file: nothing is left behind on error.
    """
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInput(f"'{fmt}' is not a format for coded themes; use {', '.join(FORMATS)}.")
    allowed = (".html", ".htm") if fmt == "html" else (f".{fmt}",)
    if Path(path).suffix.lower() not in allowed:
        raise InvalidInput(f"{Path(path).name}: a {fmt.upper()} report needs a file ending in {', '.join(allowed)}.")
    themes = collect(session, node_ids)
    if fmt == "html":
        page = themes_html(themes)
        return write_atomically(path, lambda tmp: tmp.write_text(page, encoding="utf-8"), allowed)
    writer = {"docx": _write_docx, "xlsx": _write_xlsx, "csv": _write_csv}[fmt]
    return write_atomically(path, lambda tmp: writer(themes, tmp), allowed)
