"""The audit report as one self-contained HTML page (inline CSS and SVG charts, nothing fetched).

The page is the report's blocks (:mod:`.blocks`) turned into markup, so the
HTML and the printed PDF say the same in the same order.
"""

from __future__ import annotations

import base64

from ..themes import esc, html_page, safe_colour
from .blocks import BOLD, META, WARN, Block, Chart, Heading, MemoBody, Para, Quote, Run, Table, report_blocks
from .report import AuditReport

EXTRA_CSS = ("<style>.fingerprint{font-family:ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace;"
             "font-size:.75rem;word-break:break-all}.quote{margin:.3rem 0 0 1.5rem;padding-left:.8rem;"
             "border-left:3px solid #999;white-space:pre-wrap}.where{margin:0 0 .6rem 1.5rem;color:#555;"
             "font-size:.85rem}table.fixed{table-layout:fixed;width:100%}td,th{overflow-wrap:anywhere}"
             "strong.warn{color:#a40000}</style>")


def _run(run: Run) -> str:
    text = esc(run.text)
    if run.style == BOLD:
        return f"<strong>{text}</strong>"
    if run.style == WARN:
        return f'<strong class="warn">{text}</strong>'
    if run.style == META:
        return f'<span class="meta">{text}</span>'
    return text


def _table(t: Table) -> str:
    def cell(tag: str, i: int, value: str, strong: bool, row: int | None = None) -> str:
        classes = [c for c, on in (("n", t.numeric_from is not None and i >= t.numeric_from),
                                   ("fingerprint", i in t.mono and tag == "td")) if on]
        attr = f' class="{" ".join(classes)}"' if classes else ""
        if tag == "th" and row is not None:
            attr += ' scope="row"'
        text = esc(value)
        if strong and (t.bold_cols is None or i in t.bold_cols):
            text = f"<strong>{text}</strong>"
        if i == 0 and row is not None and t.swatch:
            text = f'<span class="swatch" style="background:{safe_colour(t.swatch[row])}"></span>{text}'
        if i == 0 and row is not None and t.indent and t.indent[row]:
            attr += f' style="padding-left:{1.1 * t.indent[row]:.1f}em"'
        return f"<{tag}{attr}>{text}</{tag}>"

    head = ("<thead><tr>" + "".join(cell("th", i, h, False) for i, h in enumerate(t.header)) + "</tr></thead>"
            if t.header else "")
    body = []
    for r, values in enumerate(t.rows):
        strong = bool(t.bold and t.bold[r])
        first = "td" if t.header else "th"
        body.append("<tr>" + cell(first, 0, values[0], strong, r)
                    + "".join(cell("td", i, v, strong, r) for i, v in enumerate(values[1:], start=1)) + "</tr>")
    return f"<table>{head}<tbody>{''.join(body)}</tbody></table>"


def _chart(c: Chart) -> str:
    if c.svg:
        return f'<figure aria-label="{esc(c.title)}">{c.svg}</figure>'
    data = base64.b64encode(c.png or b"").decode("ascii")
    return f'<p><img src="data:image/png;base64,{data}" width="600" alt="{esc(c.title)}"></p>'


def block_html(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{esc(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        klass = f' class="{block.style}"' if block.style else ""
        return f"<p{klass}>{''.join(_run(r) for r in block.runs)}</p>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Quote):
        return f'<blockquote class="quote">{esc(block.text)}</blockquote>'
    if isinstance(block, Chart):
        return _chart(block)
    if isinstance(block, MemoBody):
        return f'<div class="memo"><span class="meta">{esc(block.meta)}</span>{esc(block.text)}</div>'
    raise TypeError(f"not a report block: {block!r}")


def report_html(report: AuditReport) -> str:
    doc = report_blocks(report)
    page = html_page(doc.title, "\n".join(block_html(b) for b in doc.blocks))
    return page.replace("</head>", EXTRA_CSS + "\n</head>", 1)
