"""The codebook as a Word document: the node tree with definitions, colours and counts.

Tree nodes come first, indented by level in tree order; free nodes (the
emergent labels not yet placed in a theme) are listed separately. The same
table is reused by the supervisor's audit report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from ..models import Coding
from ..nodes import NodeInfo, list_nodes
from . import write_atomically
from .themes import clean, esc, project_title, safe_colour, today


@dataclass(frozen=True)
class CodebookEntry:
    node: NodeInfo
    sources: int

    @property
    def depth(self) -> int:
        return self.node.path.count("/") if self.node.kind == "tree" else 0


def codebook(session: Session) -> tuple[list[CodebookEntry], list[CodebookEntry]]:
    """(tree entries in tree order, free entries by name) with coding and source counts."""
    sources = dict(session.execute(
        select(Coding.node_id, func.count(distinct(Coding.source_id))).group_by(Coding.node_id)).all())
    infos = list_nodes(session)
    tree = [CodebookEntry(n, sources.get(n.id, 0)) for n in infos if n.kind == "tree"]
    free = [CodebookEntry(n, sources.get(n.id, 0)) for n in infos if n.kind == "free"]
    return tree, free


def _shade(cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), safe_colour(colour).lstrip("#").upper())
    cell._tc.get_or_add_tcPr().append(shd)


def add_codebook_table(doc, entries: list[CodebookEntry]) -> None:
    """One row per node: name (indented by level), definition, colour swatch, codings, sources."""
    from docx.shared import Cm, Pt

    if not entries:
        doc.add_paragraph("None.")
        return
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    widths = [4.6, 7.6, 0.9, 1.6, 1.6]
    for i, title in enumerate(["Node", "Definition", "", "Codings", "Sources"]):
        cell = table.rows[0].cells[i]
        cell.text = title
        cell.paragraphs[0].runs[0].bold = True if title else None
    for e in entries:
        cells = table.add_row().cells
        para = cells[0].paragraphs[0]
        para.paragraph_format.left_indent = Cm(0.45 * e.depth)
        run = para.add_run(clean(e.node.name))
        run.bold = e.depth == 0
        if e.depth:
            hint = para.add_run(f"\n{clean(e.node.path)}")
            hint.font.size = Pt(7)
        cells[1].text = clean(e.node.description) or "\u2014"
        _shade(cells[2], e.node.color)
        cells[3].text = str(e.node.codings)
        cells[4].text = str(e.sources)
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Cm(widths[i])
            for para in cell.paragraphs:
                for run in para.runs:
                    if run.font.size is None:
                        run.font.size = Pt(9)


def codebook_html(tree: list[CodebookEntry], free: list[CodebookEntry], level: int = 2) -> str:
    def table(entries: list[CodebookEntry]) -> str:
        if not entries:
            return "<p>None.</p>"
        rows = []
        for e in entries:
            pad = f' style="padding-left:{1.1 * e.depth:.1f}em"' if e.depth else ""
            name = f"<strong>{esc(e.node.name)}</strong>" if e.depth == 0 else esc(e.node.name)
            rows.append(
                f'<tr><td{pad}><span class="swatch" style="background:{safe_colour(e.node.color)}"></span>{name}</td>'
                f"<td>{esc(e.node.description) or '&#8212;'}</td><td class=\"n\">{e.node.codings}</td>"
                f'<td class="n">{e.sources}</td></tr>')
        return ('<table><thead><tr><th>Node</th><th>Definition</th><th class="n">Codings</th>'
                f'<th class="n">Sources</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')

    h = f"h{level}"
    return f"<{h}>Tree nodes</{h}>{table(tree)}<{h}>Free nodes</{h}>{table(free)}"


def export_codebook(session: Session, path: str | Path) -> Path:
    """Write the codebook as DOCX."""
    tree, free = codebook(session)
    title = project_title(session)

    def write(tmp: Path) -> None:
        import docx

        doc = docx.Document()
        doc.add_heading(f"Codebook: {clean(title)}", level=0)
        coded = sum(e.node.codings for e in tree + free)
        doc.add_paragraph(f"{len(tree)} tree node(s) and {len(free)} free node(s), {coded} coding(s). "
                          f"Generated {today()}. The colour column shows each node's colour in the app.")
        doc.add_heading("Tree nodes", level=1)
        add_codebook_table(doc, tree)
        doc.add_heading("Free nodes", level=1)
        doc.add_paragraph("Emergent labels not yet placed in a theme.")
        add_codebook_table(doc, free)
        doc.save(str(tmp))

    return write_atomically(path, write, (".docx",))
