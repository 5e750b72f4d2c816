"""The audit report as a list of plain blocks: headings, paragraphs, tables, quotes, charts, memos.

One ordering of the report's content, read by the HTML writer (which turns
each block into markup) and by the PDF printer passed in by the caller (Qt's,
in :mod:`qdaapp.render.report_pdf`, which lays the blocks out on pages itself).
Tables carry relative column widths so that a printer can lay them out in one
pass without measuring every cell first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..codebook_doc import CodebookEntry
from ..memo_export import LabelledMemo
from . import sections as S
from .report import AuditReport

# Styles of a run of text and of a paragraph.
PLAIN, BOLD, META, WARN, WHERE = "", "bold", "meta", "warn", "where"


@dataclass(frozen=True)
class Run:
    text: str
    style: str = PLAIN  # PLAIN | BOLD | META | WARN


@dataclass(frozen=True)
class Heading:
    level: int  # 1 to 4
    text: str


@dataclass(frozen=True)
class Para:
    runs: tuple[Run, ...]
    style: str = PLAIN  # PLAIN | META | WHERE (under a quote, indented)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...] | None  # None: the first column heads each row
    rows: list[list[str]]
    widths: tuple[float, ...]  # relative
    bold: list[bool] | None = None  # per row
    numeric_from: int | None = None  # columns from here on are numbers, aligned right
    mono: frozenset[int] = frozenset()  # columns in a fixed-width face (fingerprints)
    indent: list[int] | None = None  # per row: depth of the first column (the codebook's tree)
    swatch: list[str] | None = None  # per row: a colour shown before the first column
    bold_cols: frozenset[int] | None = None  # the columns a bold row is bold in (None: all)


@dataclass(frozen=True)
class Quote:
    text: str


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes | None
    svg: str | None


@dataclass(frozen=True)
class MemoBody:
    meta: str
    text: str


Block = Heading | Para | Table | Quote | Chart | MemoBody


@dataclass(frozen=True)
class BlockDocument:
    title: str
    author: str
    paper: str  # 'a4' | 'letter'
    blocks: list[Block] = field(default_factory=list)


def para(text: str, style: str = PLAIN) -> Para:
    return Para((Run(text),), style)


def report_blocks(report: AuditReport) -> BlockDocument:
    blocks: list[Block] = []
    blocks += _page_one(report)
    blocks.append(Heading(2, "Codebook changes over time"))
    blocks.append(Table(tuple(S.CHANGE_HEADER), S.change_rows(report), tuple(S.CHANGE_WIDTHS)) if report.changes
                  else para(f"No changes to the codebook{S.scope_suffix(report)}."))
    blocks += [Heading(2, "Marker decisions"), para(S.MARKER_NOTE)]
    blocks.append(Table(tuple(S.MARKER_HEADER), S.marker_rows(report), tuple(S.MARKER_WIDTHS), numeric_from=2)
                  if report.markers else para(f"No marker hits{S.scope_suffix(report)}."))
    blocks += _accounts(report)
    blocks.append(Heading(2, "Review comments"))
    blocks.append(Table(tuple(S.COMMENT_HEADER), S.comment_rows(report), tuple(S.COMMENT_WIDTHS))
                  if report.comments else para("No review comments."))
    blocks += _timeline(report)
    blocks += [Heading(2, "Codebook as it is now"), Heading(3, "Tree nodes"), _codebook(report.tree),
               Heading(3, "Free nodes"), _codebook(report.free), Heading(2, "Reflective diary")]
    blocks += [b for m in report.diary for b in _memo(m)] or [para("No diary entries.")]
    blocks.append(Heading(2, "Memos"))
    for heading, items in report.memo_groups:
        blocks.append(Heading(3, heading))
        blocks += [b for m in items for b in _memo(m)]
    if not report.memo_groups:
        blocks.append(para("No memos."))
    return BlockDocument(f"Audit report: {report.title}", report.author, report.paper, blocks)


def _page_one(report: AuditReport) -> list[Block]:
    s = report.summary
    sources = S.source_rows(s)
    chain = Run(S.chain_sentence(s.chain), PLAIN if s.chain.ok else WARN)
    return [Heading(1, f"Audit report: {report.title}"), para(S.generated_line(report), META),
            Table(None, S.identity_rows(report), (1, 3)),
            Heading(3, "What the check of the audit trail proves"), para(S.VERIFY_PROVES), Para((chain,)),
            Heading(3, "Totals"), Table(None, S.total_rows(s), (1, 2)),
            Heading(3, "Decisions without a reason"), para(S.unreasoned_sentence(s)),
            para(S.WITHOUT_REASON_DEFINITION, META),
            Heading(3, "Sources and their fingerprints"), para(S.FINGERPRINT_NOTE, META),
            (Table(("Source", "Kind", "SHA-256 of the file as imported"), sources, (3, 1.2, 5.5), mono=frozenset({2}))
             if sources else para("No sources."))]


def _accounts(report: AuditReport) -> list[Block]:
    out: list[Block] = [Heading(2, "Narrative accounts")]
    for a in report.accounts:
        out.append(Heading(3, a.title))
        if a.description:
            out.append(para(a.description))
        out.append(para(a.facts, META))
        for f in a.fragments:
            out.append(Para((Run(f"{f.number}.", BOLD), Run(f" {f.summary} "),
                             Run(f"\u2014 {S.fragment_meta(f)}", META))))
            if not f.quotes:
                out.append(para("No passage marked for this fragment.", WHERE))
            for q in f.quotes:
                out += [Quote(q.text), para(f"\u2014 {S.quote_source(q)}", WHERE)]
        if a.chart_png or a.chart_svg:
            out.append(Chart(f"Flow chart of {a.title}", a.chart_png, a.chart_svg))
    if not report.accounts:
        out.append(para("No accounts."))
    return out


def _timeline(report: AuditReport) -> list[Block]:
    out: list[Block] = [Heading(2, "Timeline of analytic decisions"), para(S.TIMELINE_NOTE)]
    if not report.coders:
        out.append(para(f"Nothing recorded{S.scope_suffix(report)}."))
    for t in report.coders:
        out += [Heading(3, t.coder), para(S.coder_line(t), META)]
        if t.rows:
            out.append(Table(tuple(S.TIMELINE_HEADER), [[r.day, r.time, r.kind, r.text, r.reason] for r in t.rows],
                             tuple(S.TIMELINE_WIDTHS), bold=[r.weighty for r in t.rows]))
        if t.not_listed > 0:
            out.append(para(S.not_listed_line(t)))
    return out


CODEBOOK_HEADER = ("Node", "Definition", "Codings", "Sources")


def _codebook(entries: list[CodebookEntry]) -> Block:
    if not entries:
        return para("None.")
    rows = [[e.node.name, e.node.description or "\u2014", str(e.node.codings), str(e.sources)] for e in entries]
    return Table(CODEBOOK_HEADER, rows, (3.5, 7, 1.5, 1.5), bold=[e.depth == 0 for e in entries], numeric_from=2,
                 indent=[e.depth for e in entries], swatch=[e.node.color for e in entries],
                 bold_cols=frozenset({0}))


def _memo(m: LabelledMemo) -> list[Block]:
    return [Heading(4, m.heading), MemoBody(m.meta, m.memo.text)]
