"""Intercoder agreement as a spreadsheet, a Word document or a web page.

All three hold the same tables, built once by :func:`tables`: the overall figures,
then agreement by node (pooled over the sources), by source (pooled over the nodes)
and by node and source, and the method in words for a methods section. The
spreadsheet adds a node x source matrix of kappa (alpha for more than two coders),
coloured by the bands the app uses too (:data:`qdaapp.core.agreement.BANDS`).
Files are written whole or not at all (:func:`write_atomically`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ..agreement import BANDS, Agreement, Cell, band
from . import sheets, write_atomically
from .themes import clean, docx_table, esc, html_page

FORMATS = (".xlsx", ".docx", ".html", ".htm")
UNDEFINED = "undefined"
LEFT_OUT = ("Node and source pairs where no coder coded the node are left out: there every unit is agreed on, "
            "and kappa and alpha are undefined.")


def figure(value: float | None, places: int = 3) -> str:
    """A kappa or alpha as text: ``0.733``, or 'undefined'."""
    return UNDEFINED if value is None else f"{value:.{places}f}"


def headline(agreement: Agreement) -> str:
    """'Ana and Ben, by character: 94.9 % agreement, kappa 0.133, alpha 0.142 (2 nodes x 316 characters)'."""
    o = agreement.overall
    who = " and ".join(agreement.coders) if len(agreement.coders) == 2 else ", ".join(agreement.coders)
    kappa = f", kappa {figure(o.kappa)}" if len(agreement.coders) == 2 else ""
    per_node = o.units // len(agreement.nodes) if agreement.nodes else 0
    return (f"{who}, by {agreement.unit}: {o.percent:.1f} % agreement{kappa}, alpha {figure(o.alpha)} "
            f"({len(agreement.nodes)} node{'' if len(agreement.nodes) == 1 else 's'} x {per_node:,} "
            f"{agreement.unit}{'' if per_node == 1 else 's'})")


def figure_header(agreement: Agreement) -> list[str]:
    unit = agreement.unit.capitalize() + "s"
    cols = [unit, "Coded by all" if len(agreement.coders) > 2 else "Coded by both"]
    cols += [f"Only {c}" for c in agreement.coders]
    cols += ["Coded by neither" if len(agreement.coders) == 2 else "Coded by none", "Agreement %"]
    if len(agreement.coders) == 2:
        cols.append("Kappa")
    return cols + ["Alpha"]


def figure_values(agreement: Agreement, cell: Cell) -> list[Any]:
    """The cell's figures in :func:`figure_header`'s order (numbers; None where undefined)."""
    values: list[Any] = [cell.units, cell.both, *(n for _c, n in cell.only), cell.none, round(cell.percent, 2)]
    if len(agreement.coders) == 2:
        values.append(cell.kappa)
    return values + [cell.alpha]


def tables(agreement: Agreement, coded_only: bool = False) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(title, header, rows) of every table, figures as numbers (None where undefined); ``coded_only``
    leaves out the node and source pairs where no coder coded the node."""
    nodes, sources = dict(agreement.nodes), dict(agreement.sources)
    head = figure_header(agreement)
    by_node = [[path, *figure_values(agreement, c)] for nid, path in agreement.nodes
               if (c := agreement.cell(nid, None)) is not None]
    by_source = [[name, *figure_values(agreement, c)] for sid, name in agreement.sources
                 if (c := agreement.cell(None, sid)) is not None]
    both = [[nodes[c.node_id], sources[c.source_id], *figure_values(agreement, c)] for c in agreement.cells
            if c.node_id is not None and c.source_id is not None and (not coded_only or c.none < c.units)]
    return [
        ("Overall", head, [figure_values(agreement, agreement.overall)]),
        ("By node", ["Node", *head], by_node),
        ("By source", ["Source", *head], by_source),
        ("By node and source", ["Node", "Source", *head], both),
    ]


def shown(column: str, value: Any) -> str:
    """A table value as text for people: kappa and alpha to 3 places, percent to 2, counts with separators."""
    if value is None:
        return UNDEFINED
    if column in ("Kappa", "Alpha"):
        return f"{value:.3f}"
    if column == "Agreement %":
        return f"{value:.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def write_agreement(agreement: Agreement, path: Path, title: str = "") -> Path:
    """Write ``agreement`` to ``path``: .xlsx, .docx or .html (.htm) by its ending. ``title``: the project's name."""
    writers = {".xlsx": _write_xlsx, ".docx": _write_docx, ".html": _write_html, ".htm": _write_html}
    suffix = Path(path).suffix.lower()
    write = writers.get(suffix, _write_html)
    return write_atomically(path, lambda tmp: write(agreement, tmp, title), FORMATS)


def _heading(agreement: Agreement, title: str) -> str:
    return "Intercoder agreement" + (f": {clean(title)}" if title else "")


def _stamp(agreement: Agreement) -> str:
    coders = ", ".join(agreement.coders)
    return (f"Coders: {coders}. Unit: {agreement.unit}. {len(agreement.nodes)} node(s), "
            f"{len(agreement.sources)} source(s). Made {datetime.now().strftime('%Y-%m-%d %H:%M')}.")


# ---------------------------------------------------------------------- XLSX
def _write_xlsx(agreement: Agreement, tmp: Path, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    sheets.append_row(ws, [_heading(agreement, title)])
    ws["A1"].font = Font(bold=True, size=14)
    sheets.append_row(ws, [_stamp(agreement)])
    sheets.append_row(ws, [headline(agreement)])
    sheets.append_row(ws, [])
    sheets.append_row(ws, ["Method"])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    sheets.append_row(ws, [agreement.method])
    ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 120
    ws.row_dimensions[ws.max_row].height = 150
    for name, header, rows in tables(agreement):
        sheet = ws if name == "Overall" else wb.create_sheet(name)
        if name == "Overall":
            sheets.append_row(ws, [])
            sheets.append_row(ws, ["Overall"])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
        start = sheet.max_row + 1 if name == "Overall" else 1
        sheets.append_row(sheet, header)
        for cell in sheet[start]:
            cell.font = Font(bold=True)
        for row in rows:
            sheets.append_row(sheet, [UNDEFINED if v is None else clean(v) if isinstance(v, str) else v for v in row])
        if name != "Overall":
            labels = 2 if name == "By node and source" else 1
            for i in range(1, len(header) + 1):
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = 30 if i <= labels else 14
            sheet.freeze_panes = sheet.cell(2, labels + 1).coordinate
            sheet.auto_filter.ref = sheet.dimensions
        _number_formats(sheet, header, start + 1)
    _write_matrix(wb.create_sheet("Matrix"), agreement, PatternFill, Font)
    wb.save(tmp)


def _number_formats(sheet: Any, header: list[str], first_row: int) -> None:
    for col, name in enumerate(header, start=1):
        fmt = "0.00" if name == "Agreement %" else "0.000" if name in ("Kappa", "Alpha") else None
        if fmt:
            for row in sheet.iter_rows(min_row=first_row, min_col=col, max_col=col):
                if isinstance(row[0].value, float):
                    row[0].number_format = fmt


def _write_matrix(ws: Any, agreement: Agreement, fill: Any, font: Any) -> None:
    """Nodes down, sources across: kappa (alpha for more than two coders), coloured by band."""
    which = "Kappa" if len(agreement.coders) == 2 else "Alpha"
    sheets.append_row(ws, [f"{which} by node and source", *(clean(n) for _s, n in agreement.sources), "All sources"])
    for cell in ws[1]:
        cell.font = font(bold=True)
    for nid, path in agreement.nodes:
        values: list[Any] = [clean(path)]
        for sid in [s for s, _n in agreement.sources] + [None]:
            c = agreement.cell(nid, sid)
            value = None if c is None else (c.kappa if which == "Kappa" else c.alpha)
            values.append(UNDEFINED if value is None else value)
        sheets.append_row(ws, values)
        for cell in ws[ws.max_row][1:]:
            if isinstance(cell.value, float):
                cell.number_format = "0.000"
                found = band(cell.value)
                if found:
                    colour = found.colour.lstrip("#").upper()
                    cell.fill = fill("solid", start_color=colour, end_color=colour)
    ws.column_dimensions["A"].width = 30
    ws.freeze_panes = "B2"


# ---------------------------------------------------------------------- DOCX
def _write_docx(agreement: Agreement, tmp: Path, title: str) -> None:
    import docx

    from .audit_report.docx_layout import add_page_numbers, set_page, set_properties

    doc = docx.Document()
    set_page(doc, "a4")
    _landscape(doc)
    heading = _heading(agreement, title)
    set_properties(doc, heading, ", ".join(agreement.coders))
    props = doc.core_properties
    props.subject = "Intercoder agreement"
    props.comments = "Written by qdaapp from the project's codings."
    props.keywords = "intercoder agreement; Cohen's kappa; Krippendorff's alpha"
    add_page_numbers(doc, heading)
    doc.add_heading(heading, level=0)
    doc.add_paragraph(_stamp(agreement))
    doc.add_paragraph(headline(agreement)).runs[0].bold = True
    doc.add_heading("Method", level=1)
    doc.add_paragraph(agreement.method)
    for name, header, rows in tables(agreement, coded_only=True):
        doc.add_heading(name, level=1)
        if name == "By node and source":
            doc.add_paragraph(LEFT_OUT)
        labels = len(header) - len(figure_header(agreement))
        cm = [3.8] * labels + [2.4] * (len(header) - labels)  # a name; a heading such as "Characters"
        scale = min(1.0, LANDSCAPE_TEXT_CM / sum(cm))
        docx_table(doc, header, [[shown(h, v) for h, v in zip(header, r, strict=True)] for r in rows],
                   [w * scale for w in cm], size=8)
    doc.save(str(tmp))


LANDSCAPE_TEXT_CM = 29.7 - 2 * 2.0 - 0.05  # A4 across, less set_page's margins


def _landscape(doc: Any) -> None:
    """Every section turned to landscape: the tables have up to a dozen columns of figures."""
    from docx.enum.section import WD_ORIENT

    for section in doc.sections:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width


# ---------------------------------------------------------------------- HTML
def _write_html(agreement: Agreement, tmp: Path, title: str) -> None:
    tmp.write_text(agreement_html(agreement, title), encoding="utf-8")


def agreement_html(agreement: Agreement, title: str = "") -> str:
    heading = _heading(agreement, title)
    parts = [f"<h1>{esc(heading)}</h1>", f'<p class="meta">{esc(_stamp(agreement))}</p>',
             f"<p><strong>{esc(headline(agreement))}</strong></p>",
             "<h2>Method</h2>", f"<p>{esc(agreement.method)}</p>"]
    for name, header, rows in tables(agreement, coded_only=True):
        parts.append(f"<h2>{esc(name)}</h2>")
        if name == "By node and source":
            parts.append(f'<p class="caption">{esc(LEFT_OUT)}</p>')
        parts.append(_html_table(header, rows))
    css = ("<style>main{max-width:none}" + "".join(f"td.{b.name}{{background:{b.colour}}}" for b in BANDS)
           + "</style>")
    return html_page(heading, css + "\n".join(parts))


NUMERIC = ' class="n"'


def _html_table(header: list[str], rows: list[list[Any]]) -> str:
    first = len(header) - len([h for h in header if h not in ("Node", "Source")])
    banded = {i for i, h in enumerate(header) if h in ("Kappa", "Alpha")}

    def cell(i: int, value: Any) -> str:
        column = header[i]
        classes = ["n"] if i >= first else []
        found = band(value) if i in banded and isinstance(value, float) else None
        if found:
            classes.append(found.name)
        cls = f' class="{" ".join(classes)}"' if classes else ""
        return f"<td{cls}>{esc(shown(column, value))}</td>"

    head = "".join(f"<th{NUMERIC if i >= first else ''}>{esc(h)}</th>" for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell(i, v) for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
