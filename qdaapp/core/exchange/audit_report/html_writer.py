"""The audit report as one self-contained HTML page (inline CSS and SVG charts, nothing fetched).

``chart_images`` prepares the page for printing by Qt's PDF writer: ``<img>``
tags naming PNG resources instead of inline SVG, and long tables split into
tables of :data:`PRINT_CHUNK` rows, each with its header.
"""

from __future__ import annotations

from ..codebook_doc import codebook_html
from ..memo_export import memo_html
from ..themes import esc, html_page
from . import sections as S
from .report import AuditReport

EXTRA_CSS = ("<style>.fingerprint{font-family:ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace;"
             "font-size:.75rem;word-break:break-all}.quote{margin:.3rem 0 0 1.5rem;padding-left:.8rem;"
             "border-left:3px solid #999;white-space:pre-wrap}.where{margin:0 0 .6rem 1.5rem;color:#555;"
             "font-size:.85rem}table.fixed{table-layout:fixed;width:100%}td,th{overflow-wrap:anywhere}"
             "strong.warn{color:#a40000}</style>")


PRINT_CHUNK = 100  # rows per table when printing: Qt lays out many short tables far faster than one long one


def _table(header: list[str] | None, rows: list[list[str]], bold: list[bool] | None = None,
           numeric_from: int | None = None, cls: str = "", chunk: int = 0) -> str:
    if chunk and len(rows) > chunk:
        return "".join(_table(header, rows[i:i + chunk], bold[i:i + chunk] if bold else None, numeric_from, cls)
                       for i in range(0, len(rows), chunk))
    def cell(tag: str, i: int, value: str, strong: bool) -> str:
        attr = ' class="n"' if numeric_from is not None and i >= numeric_from else ""
        text = esc(value)
        return f"<{tag}{attr}>{'<strong>' + text + '</strong>' if strong else text}</{tag}>"

    head = ("<thead><tr>" + "".join(cell("th", i, h, False) for i, h in enumerate(header)) + "</tr></thead>"
            if header else "")
    body = []
    for r, values in enumerate(rows):
        strong = bool(bold and bold[r])
        if header:
            body.append("<tr>" + "".join(cell("td", i, v, strong) for i, v in enumerate(values)) + "</tr>")
        else:
            body.append(f'<tr><th scope="row">{esc(values[0])}</th>'
                        + "".join(cell("td", i + 1, v, strong) for i, v in enumerate(values[1:])) + "</tr>")
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}>{head}<tbody>{''.join(body)}</tbody></table>"


def _page_one(report: AuditReport) -> list[str]:
    s = report.summary
    sources = "".join(f'<tr><td>{esc(n)}</td><td>{esc(k)}</td><td class="fingerprint">{esc(h)}</td></tr>'
                      for n, k, h in S.source_rows(s))
    parts = [f"<h1>Audit report: {esc(report.title)}</h1>", f'<p class="meta">{esc(S.generated_line(report))}</p>',
             _table(None, S.identity_rows(report)),
             "<h3>What the check of the audit trail proves</h3>", f"<p>{esc(S.VERIFY_PROVES)}</p>",
             (f"<p>{'' if s.chain.ok else '<strong class=warn>'}{esc(S.chain_sentence(s.chain))}"
              f"{'' if s.chain.ok else '</strong>'}</p>"),
             "<h3>Totals</h3>", _table(None, S.total_rows(s)),
             "<h3>Decisions without a reason</h3>", f"<p>{esc(S.unreasoned_sentence(s))}</p>",
             f'<p class="meta">{esc(S.WITHOUT_REASON_DEFINITION)}</p>',
             "<h3>Sources and their fingerprints</h3>", f'<p class="meta">{esc(S.FINGERPRINT_NOTE)}</p>',
             ("<table><thead><tr><th>Source</th><th>Kind</th><th>SHA-256 of the file as imported</th></tr></thead>"
              f"<tbody>{sources}</tbody></table>" if sources else "<p>No sources.</p>")]
    return parts


def _accounts(report: AuditReport, chart_images: bool) -> list[str]:
    p = ["<h2>Narrative accounts</h2>"]
    for a in report.accounts:
        p.append(f"<h3>{esc(a.title)}</h3>")
        if a.description:
            p.append(f"<p>{esc(a.description)}</p>")
        p.append(f'<p class="meta">{esc(a.facts)}</p>')
        for f in a.fragments:
            p.append(f"<p><strong>{f.number}.</strong> {esc(f.summary)} "
                     f'<span class="meta">\u2014 {esc(S.fragment_meta(f))}</span></p>')
            if not f.quotes:
                p.append('<p class="where">No passage marked for this fragment.</p>')
            for q in f.quotes:
                p.append(f'<blockquote class="quote">{esc(q.text)}</blockquote>'
                         f'<p class="where">\u2014 {esc(S.quote_source(q))}</p>')
        if chart_images and a.chart_png:
            p.append(f'<p><img src="chart-{a.id}.png" width="600" alt="Flow chart of {esc(a.title)}"></p>')
        elif a.chart_svg:
            p.append(f'<figure aria-label="Flow chart of {esc(a.title)}">{a.chart_svg}</figure>')
    if not report.accounts:
        p.append("<p>No accounts.</p>")
    return p


def _timeline(report: AuditReport, chunk: int) -> list[str]:
    p = ["<h2>Timeline of analytic decisions</h2>", f"<p>{esc(S.TIMELINE_NOTE)}</p>"]
    if not report.coders:
        p.append(f"<p>Nothing recorded{esc(S.scope_suffix(report))}.</p>")
    for t in report.coders:
        p += [f"<h3>{esc(t.coder)}</h3>", f'<p class="meta">{esc(S.coder_line(t))}</p>']
        if t.rows:
            p.append(_table(S.TIMELINE_HEADER, [[r.day, r.time, r.kind, r.text, r.reason] for r in t.rows],
                            bold=[r.weighty for r in t.rows], chunk=chunk))
        if t.not_listed > 0:
            p.append(f"<p>{esc(S.not_listed_line(t))}</p>")
    return p


def report_html(report: AuditReport, chart_images: bool = False) -> str:
    chunk = PRINT_CHUNK if chart_images else 0
    p = _page_one(report)
    p.append("<h2>Codebook changes over time</h2>")
    p.append(_table(S.CHANGE_HEADER, S.change_rows(report), chunk=chunk) if report.changes
             else f"<p>No changes to the codebook{esc(S.scope_suffix(report))}.</p>")
    p += ["<h2>Marker decisions</h2>", f"<p>{esc(S.MARKER_NOTE)}</p>"]
    p.append(_table(S.MARKER_HEADER, S.marker_rows(report), numeric_from=2) if report.markers
             else f"<p>No marker hits{esc(S.scope_suffix(report))}.</p>")
    p += _accounts(report, chart_images)
    p.append("<h2>Review comments</h2>")
    p.append(_table(S.COMMENT_HEADER, S.comment_rows(report)) if report.comments else "<p>No review comments.</p>")
    p += _timeline(report, chunk)
    p += ["<h2>Codebook as it is now</h2>", codebook_html(report.tree, report.free, level=3),
          "<h2>Reflective diary</h2>"]
    p += [memo_html(m, 4) for m in report.diary] or ["<p>No diary entries.</p>"]
    p.append("<h2>Memos</h2>")
    for heading, items in report.memo_groups:
        p.append(f"<h3>{esc(heading)}</h3>")
        p += [memo_html(m, 4) for m in items]
    if not report.memo_groups:
        p.append("<p>No memos.</p>")
    page = html_page(f"Audit report: {report.title}", "\n".join(p))
    return page.replace("</head>", EXTRA_CSS + "\n</head>", 1)
