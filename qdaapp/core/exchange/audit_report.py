"""The supervisor's audit report: how the analysis was done, readable without the app.

Sections: a project summary (with the audit chain's verification), the
codebook, a timeline of analytic decisions per coder, the reflective diary,
the memos, and the narrative accounts with their flow charts.

The timeline is built with SQL aggregates: codings made or removed (and
flow-chart boxes dragged) are counted per coder and day, everything else
(node changes, marker runs and review decisions, accounts and fragments,
merges, deletions, undo and redo) is listed one event per line. A project
with 100,000 events is summarised in about a second, without loading ORM
objects. Flow charts are drawn by a callback so the core stays free of Qt.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from .. import audit
from ..errors import InvalidInput
from ..flowgraph import Graph, account_graph, fragments, list_accounts
from ..models import Account, AuditEvent, Case, Coding, Fragment, Memo, Node, Source
from . import write_atomically
from .codebook_doc import CodebookEntry, add_codebook_table, codebook, codebook_html
from .memo_export import LabelledMemo, add_memo_docx, add_memos_docx, memo_html
from .memo_export import collect as collect_memos
from .themes import clean, docx_table, esc, html_page, project_title, today

FlowchartRenderer = Callable[[Graph, str], bytes]
# Actions counted per coder and day instead of listed one by one.
COUNTED = {"coding.create": "coding(s) made", "coding.delete": "coding(s) removed",
           "fragment.place": "flow-chart box move(s)"}
KINDS = (("node.", "Codebook"), ("coding.", "Coding"), ("search.", "Keyword search"), ("markers.", "Marker search"),
         ("hits.", "Marker review"),
         ("lexicon.", "Lexicon"), ("account.", "Account"), ("fragment.", "Fragment"), ("link.", "Fragment"),
         ("actant.", "Account"), ("actor.", "Account"), ("framework.", "Framework"), ("source.", "Sources"),
         ("case.", "Cases"), ("attribute.", "Cases"), ("memo.", "Memo"), ("diary.", "Diary"),
         ("project.", "Project"), ("undo", "Undo"), ("redo", "Redo"))
EVENTS_PER_CODER = 5000


def kind_of(action: str) -> str:
    return next((label for prefix, label in KINDS if action.startswith(prefix)), action)


def is_weighty(action: str) -> bool:
    """Deletions, merges and undo/redo: shown in bold."""
    return action.endswith(".delete") or action in ("node.merge", "undo", "redo", "hits.reject")


@dataclass
class TimelineRow:
    day: str
    time: str  # HH:MM (UTC); empty for a day's counted activity
    kind: str
    text: str
    reason: str = ""
    weighty: bool = False


@dataclass
class CoderTimeline:
    coder: str
    events: int
    first: str
    last: str
    codings: int
    rows: list[TimelineRow] = field(default_factory=list)
    not_listed: int = 0


@dataclass
class AccountSection:
    info: dict
    fragments: list[dict]
    chart_png: bytes | None = None
    chart_svg: str | None = None


@dataclass
class AuditReport:
    title: str
    generated: str
    facts: list[tuple[str, str]]
    chain: audit.VerifyResult
    tree: list[CodebookEntry]
    free: list[CodebookEntry]
    coders: list[CoderTimeline]
    memo_groups: list[tuple[str, list[LabelledMemo]]]
    diary: list[LabelledMemo]
    accounts: list[AccountSection]


def _count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _facts(session: Session, chain: audit.VerifyResult) -> list[tuple[str, str]]:
    kinds = session.execute(select(Source.kind, func.count()).group_by(Source.kind).order_by(Source.kind)).all()
    sources = sum(n for _, n in kinds)
    first, last = session.execute(select(func.min(AuditEvent.time), func.max(AuditEvent.time))).one()
    coders = session.scalars(union(select(Coding.coder), select(AuditEvent.coder))).all()
    return [
        ("Sources", f"{sources}" + (f" ({', '.join(f'{n} {k}' for k, n in kinds)})" if kinds else "")),
        ("Cases", str(_count(session, Case))),
        ("Nodes", (f"{_count(session, Node, Node.kind == 'tree')} in the tree, "
                  f"{_count(session, Node, Node.kind == 'free')} free")),
        ("Codings", str(_count(session, Coding))),
        ("Memos / diary entries", (f"{_count(session, Memo, Memo.target_type != 'diary')} / "
                                  f"{_count(session, Memo, Memo.target_type == 'diary')}")),
        ("Accounts / fragments", f"{_count(session, Account)} / {_count(session, Fragment)}"),
        ("Coders", ", ".join(sorted(set(coders), key=str.lower)) or "none"),
        ("Work recorded", f"{(first or '')[:10]} to {(last or '')[:10]} (UTC)" if first else "nothing yet"),
        ("Audit trail", chain.message().split("\n")[0]
         + (" (hash chain intact: no event was edited or removed; every row matches its history)" if chain.ok
            else ". The trail below may not be complete or accurate.")),
        *([("Rows changed outside qdaapp", "; ".join(f.message() for f in chain.findings[:50])
            + (f"; and {len(chain.findings) - 50} more" if len(chain.findings) > 50 else ""))]
          if chain.findings else []),
        *[("Note", note) for note in chain.notes],
        ("Seal", f"{chain.seal} (check it later with: qdaapp audit verify PROJECT --seal {chain.seal})"),
    ]


def timelines(session: Session, per_coder: int = EVENTS_PER_CODER) -> list[CoderTimeline]:
    """Per coder: counted activity per day, then each decision, in time order (a few grouped queries)."""
    day = func.substr(AuditEvent.time, 1, 10)
    totals = session.execute(
        select(AuditEvent.coder, func.count(), func.min(AuditEvent.time), func.max(AuditEvent.time))
        .group_by(AuditEvent.coder)).all()
    codings = dict(session.execute(select(Coding.coder, func.count()).group_by(Coding.coder)).all())
    out = {c: CoderTimeline(c, n, (a or "")[:10], (b or "")[:10], codings.get(c, 0)) for c, n, a, b in totals}
    for c, n in codings.items():  # codings imported without events of their own
        out.setdefault(c, CoderTimeline(c, 0, "", "", n))
    counted: dict[tuple[str, str], dict[str, int]] = {}
    for coder, d, action, n in session.execute(
        select(AuditEvent.coder, day, AuditEvent.action, func.count())
        .where(AuditEvent.action.in_(list(COUNTED))).group_by(AuditEvent.coder, day, AuditEvent.action)
    ):
        counted.setdefault((coder, d), {})[action] = n
    ranked = (
        select(AuditEvent.seq, AuditEvent.time, AuditEvent.coder, AuditEvent.action, AuditEvent.summary,
               AuditEvent.reason,
               func.row_number().over(partition_by=AuditEvent.coder, order_by=AuditEvent.seq).label("rank"))
        .where(AuditEvent.action.not_in(list(COUNTED))).subquery()
    )
    listed: dict[str, list[TimelineRow]] = {}
    for _seq, time, coder, action, summary, reason, _ in session.execute(
        select(ranked).where(ranked.c.rank <= per_coder).order_by(ranked.c.seq)
    ):
        listed.setdefault(coder, []).append(
            TimelineRow(time[:10], time[11:16], kind_of(action), summary, reason, is_weighty(action)))
    decisions = dict(session.execute(
        select(AuditEvent.coder, func.count()).where(AuditEvent.action.not_in(list(COUNTED)))
        .group_by(AuditEvent.coder)).all())
    for coder, t in out.items():
        rows = listed.get(coder, [])
        t.not_listed = decisions.get(coder, 0) - len(rows)
        for (c, d), actions in counted.items():
            if c == coder:
                text = ", ".join(f"{actions[a]} {label}" for a, label in COUNTED.items() if a in actions)
                rows.append(TimelineRow(d, "", "Coding", text))
        rows.sort(key=lambda r: (r.day, r.time != "", r.time))
        t.rows = rows
    return sorted(out.values(), key=lambda t: t.coder.lower())


def _accounts(session: Session, render: FlowchartRenderer | None, fmt: str) -> list[AccountSection]:
    out = []
    for info in list_accounts(session):
        frags = [f.as_dict() for f in fragments(session, info["id"], with_text=False)]
        section = AccountSection(info, frags)
        if render is not None and frags:
            image = render(account_graph(session, info["id"]), fmt)
            if fmt == "png":
                section.chart_png = image
            else:
                section.chart_svg = inline_svg(image.decode("utf-8"), f"a{info['id']}-")
        out.append(section)
    return out


def inline_svg(svg: str, prefix: str) -> str | None:
    """An SVG file's ``<svg>`` element for inlining in HTML: no XML prolog, ids made unique by ``prefix``."""
    start = svg.find("<svg")
    if start < 0:
        return None
    body = svg[start:]
    return re.sub(r'(\bid="|url\(#|href="#)', lambda m: m.group(1) + prefix, body)


def build_report(session: Session, render_flowchart: FlowchartRenderer | None = None,
                 chart_format: str = "png") -> AuditReport:
    """Everything the report shows, as data (``chart_format``: 'png' for Word, 'svg' for HTML)."""
    chain = audit.verify(session.connection())
    tree, free = codebook(session)
    groups, diary = collect_memos(session)
    return AuditReport(project_title(session), today(), _facts(session, chain), chain, tree, free,
                       timelines(session), groups, diary, _accounts(session, render_flowchart, chart_format))


def _fragment_line(i: int, f: dict) -> str:
    who = f"; actors: {', '.join(f['actors'])}" if f["actors"] else ""
    return f"{i}. [{f['act'] or 'no speech act'}] {f['summary']} ({f['case'] or 'no case'}{who})"


def _account_facts(info: dict) -> str:
    return (f"{info['fragments']} fragment(s) from {info['cases']} case(s) and {info['sources']} source(s). "
            f"Speech acts present: {', '.join(info['present']) or 'none'}; "
            f"missing: {', '.join(info['missing']) or 'none'}.")


# ---------------------------------------------------------------------- Word
def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", data[16:24])
    return (800, 600)


def _add_picture(doc, png: bytes) -> None:
    from docx.shared import Inches

    w, h = _png_size(png)
    width = min(6.3, w / 144)  # drawn at 2x: 144 px per inch of the figure
    if h and width * h / w > 8.3:
        width = 8.3 * w / h
    doc.add_picture(io.BytesIO(png), width=Inches(width))


def _timeline_docx(doc, t: CoderTimeline) -> None:
    doc.add_heading(clean(t.coder), level=2)
    span = f", {t.first} to {t.last}" if t.first else ""
    doc.add_paragraph(f"{t.events} recorded event(s){span}; {t.codings} coding(s) in the project are theirs.")
    if not t.rows:
        return
    docx_table(doc, ["Date", "Time", "What", "Decision", "Reason"],
               [[r.day, r.time, r.kind, r.text, r.reason] for r in t.rows], [2.2, 1.2, 2.3, 7.6, 3.1], 8,
               bold_rows=[r.weighty for r in t.rows])
    if t.not_listed > 0:
        doc.add_paragraph(f"{t.not_listed} later decision(s) are not listed here; "
                          "'qdaapp audit' shows the complete trail.")


def _write_docx(report: AuditReport, tmp: Path) -> None:
    import docx

    doc = docx.Document()
    doc.add_heading(f"Audit report: {clean(report.title)}", level=0)
    doc.add_paragraph(f"Generated {report.generated}. Times are UTC. This report is read-only: it is drawn from "
                      "the project's hash-chained audit trail, codebook, memos, diary and accounts.")
    doc.add_heading("Project summary", level=1)
    docx_table(doc, None, [list(f) for f in report.facts], [4.5, 12], 9)
    doc.add_heading("Codebook", level=1)
    doc.add_heading("Tree nodes", level=2)
    add_codebook_table(doc, report.tree)
    doc.add_heading("Free nodes", level=2)
    add_codebook_table(doc, report.free)
    doc.add_heading("Timeline of analytic decisions", level=1)
    doc.add_paragraph("Per coder and day: codings made or removed are counted; every other decision (codebook "
                      "changes, marker runs and reviews, accounts and fragments, merges, deletions, undo and "
                      "redo) is listed with the reason given. Deletions, merges, rejections and undo/redo are in bold.")
    for t in report.coders:
        _timeline_docx(doc, t)
    doc.add_heading("Reflective diary", level=1)
    if report.diary:
        for item in report.diary:
            add_memo_docx(doc, item, level=2)
    else:
        doc.add_paragraph("No diary entries.")
    doc.add_heading("Memos", level=1)
    if report.memo_groups:
        add_memos_docx(doc, report.memo_groups, [], level=2)
    else:
        doc.add_paragraph("No memos.")
    doc.add_heading("Narrative accounts", level=1)
    if not report.accounts:
        doc.add_paragraph("No accounts.")
    for a in report.accounts:
        doc.add_heading(clean(a.info["title"]), level=2)
        if a.info["description"]:
            doc.add_paragraph(clean(a.info["description"]))
        doc.add_paragraph(_account_facts(a.info))
        for i, f in enumerate(a.fragments, start=1):
            doc.add_paragraph(clean(_fragment_line(i, f)))
        if a.chart_png:
            _add_picture(doc, a.chart_png)
    doc.save(str(tmp))


# ---------------------------------------------------------------------- HTML
def _timeline_html(t: CoderTimeline) -> str:
    span = f", {t.first} to {t.last}" if t.first else ""
    parts = [f"<h3>{esc(t.coder)}</h3>",
             (f'<p class="meta">{t.events} recorded event(s){esc(span)}; '
             f"{t.codings} coding(s) in the project are theirs.</p>")]
    if t.rows:
        rows = []
        for r in t.rows:
            text = f"<strong>{esc(r.text)}</strong>" if r.weighty else esc(r.text)
            rows.append(f"<tr><td>{esc(r.day)}</td><td>{esc(r.time)}</td><td>{esc(r.kind)}</td><td>{text}</td>"
                        f"<td>{esc(r.reason)}</td></tr>")
        parts.append("<table><thead><tr><th>Date</th><th>Time</th><th>What</th><th>Decision</th><th>Reason</th>"
                     f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    if t.not_listed > 0:
        parts.append(f"<p>{t.not_listed} later decision(s) are not listed here; "
                     "<code>qdaapp audit</code> shows the complete trail.</p>")
    return "".join(parts)


def report_html(report: AuditReport) -> str:
    p = [f"<h1>Audit report: {esc(report.title)}</h1>",
         (f'<p class="meta">Generated {esc(report.generated)}. Times are UTC. Drawn from the project&#8217;s '
         "hash-chained audit trail, codebook, memos, diary and accounts.</p>"),
         "<h2>Project summary</h2>", "<table>" + "".join(f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>'
                                                  for k, v in report.facts) + "</table>",
         "<h2>Codebook</h2>", codebook_html(report.tree, report.free, level=3),
         "<h2>Timeline of analytic decisions</h2>",
         ("<p>Per coder and day: codings made or removed are counted; every other decision is listed with the "
         "reason given. Deletions, merges, rejections and undo/redo are in bold.</p>")]
    p += [_timeline_html(t) for t in report.coders]
    p.append("<h2>Reflective diary</h2>")
    p += [memo_html(m, 4) for m in report.diary] or ["<p>No diary entries.</p>"]
    p.append("<h2>Memos</h2>")
    for heading, items in report.memo_groups:
        p.append(f"<h3>{esc(heading)}</h3>")
        p += [memo_html(m, 4) for m in items]
    if not report.memo_groups:
        p.append("<p>No memos.</p>")
    p.append("<h2>Narrative accounts</h2>")
    for a in report.accounts:
        p.append(f"<h3>{esc(a.info['title'])}</h3>")
        if a.info["description"]:
            p.append(f"<p>{esc(a.info['description'])}</p>")
        p.append(f'<p class="meta">{esc(_account_facts(a.info))}</p><ol>')
        p += [f"<li>{esc(_fragment_line(i, f).split('. ', 1)[1])}</li>" for i, f in enumerate(a.fragments, 1)]
        p.append("</ol>")
        if a.chart_svg:
            p.append(f'<figure aria-label="Flow chart of {esc(a.info["title"])}">{a.chart_svg}</figure>')
    if not report.accounts:
        p.append("<p>No accounts.</p>")
    return html_page(f"Audit report: {report.title}", "\n".join(p))


def export_audit_report(session: Session, path: str | Path,
                        render_flowchart: FlowchartRenderer | None = None) -> Path:
    """Write the audit report as DOCX (flow charts as PNG) or self-contained HTML (inline SVG).

    ``render_flowchart(graph, 'png' | 'svg')`` returns the drawn chart's bytes;
    without it the accounts are listed without their charts.
    """
    suffix = Path(path).suffix.lower()
    allowed = (".docx", ".html", ".htm")
    if suffix not in allowed:
        raise InvalidInput(f"{Path(path).name}: choose a file ending in {', '.join(allowed)}.")
    report = build_report(session, render_flowchart, "png" if suffix == ".docx" else "svg")
    if suffix == ".docx":
        return write_atomically(path, lambda tmp: _write_docx(report, tmp), allowed)
    page = report_html(report)
    return write_atomically(path, lambda tmp: tmp.write_text(page, encoding="utf-8"), allowed)

