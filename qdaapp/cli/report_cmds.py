"""CLI: reports for supervisors and teams (audit, memos, codebook) and analyses (frequencies, co-occurrence)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qdaapp.core import nodes as node_ops
from qdaapp.core.exchange.analysis import UNITS, export_cooccurrence, export_frequencies
from qdaapp.core.exchange.audit_report import PAPERS, check_since, export_audit_report, pdf_route
from qdaapp.core.exchange.codebook_doc import export_codebook
from qdaapp.core.exchange.memo_export import export_memos
from qdaapp.core.project import default_coder
from qdaapp.core.review_comments import comments_for_report

from . import UserError
from .project_cmds import opened, seal_of

SUFFIXES = {
    "audit": (".docx", ".html", ".htm", ".pdf"),
    "memos": (".docx", ".md"),
    "codebook": (".docx",),
    "frequencies": (".csv", ".xlsx", ".png", ".svg"),
    "cooccurrence": (".csv", ".xlsx"),
}


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="reports for supervisors and teams, and analyses")
    actions = report.add_subparsers(dest="report_cmd", metavar="REPORT")

    p = actions.add_parser("audit", help="the supervisor's audit report (Word, self-contained HTML, or PDF)")
    p.add_argument("project")
    p.add_argument("--out", required=True, metavar="FILE.docx|FILE.html|FILE.pdf")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only work from this day on")
    p.add_argument("--coder", metavar="NAME", help="only this coder's work")
    p.add_argument("--paper", choices=sorted(PAPERS), default="a4", help="paper size of Word and PDF (default a4)")
    p.add_argument("--pdf-with", choices=("auto", "libreoffice", "qt"), default="auto",
                   help="how to make a PDF: Qt's PDF writer (auto, the default, LibreOffice if PySide6 is "
                        "missing) or LibreOffice converting the Word file (slow on a long trail)")
    p.add_argument("--no-charts", action="store_true", help="leave out the accounts' flow charts")
    p.set_defaults(func=cmd_audit)

    p = actions.add_parser("memos", help="all memos and the reflective diary (DOCX or Markdown)")
    p.add_argument("project")
    p.add_argument("--out", required=True, metavar="FILE.docx|FILE.md")
    p.set_defaults(func=cmd_memos)

    p = actions.add_parser("codebook", help="the node tree with definitions, colours and counts (DOCX)")
    p.add_argument("project")
    p.add_argument("--out", required=True, metavar="FILE.docx")
    p.set_defaults(func=cmd_codebook)

    p = actions.add_parser("frequencies", help="codings per node by case or attribute (table or bar chart)")
    p.add_argument("project")
    p.add_argument("--by", default="case", metavar="case|source|attribute:NAME",
                   help="group codings by case (default), source, or the value of an attribute")
    p.add_argument("--nodes", nargs="+", metavar="NODE", help="only these nodes (id, tree path or free node name)")
    p.add_argument("--out", required=True, metavar="FILE.csv|FILE.xlsx|FILE.png|FILE.svg")
    p.set_defaults(func=cmd_frequencies)

    p = actions.add_parser("cooccurrence", help="how often nodes' codings overlap (node x node matrix)")
    p.add_argument("project")
    p.add_argument("--nodes", nargs="+", metavar="NODE", help="only these nodes (default: all)")
    p.add_argument("--unit", choices=UNITS, default="overlap",
                   help="overlap: pairs of overlapping codings (default); source: sources coded at both")
    p.add_argument("--out", required=True, metavar="FILE.csv|FILE.xlsx")
    p.set_defaults(func=cmd_cooccurrence)


def _check_out(kind: str, out: str) -> Path:
    """Refuse a wrong suffix before opening the project, so the message names the choices."""
    path = Path(out)
    if path.suffix.lower() not in SUFFIXES[kind]:
        raise UserError(f"{path.name}: the {kind} report can be written as {', '.join(SUFFIXES[kind])}.")
    return path


def _node_ids(session, refs: list[str] | None) -> list[int] | None:
    if not refs:
        return None
    return [node_ops.resolve(session, ref).id for ref in refs]


def _qt_pdf_writer():
    try:
        from qdaapp.render.pdf import print_blocks
    except ImportError:
        return None
    return print_blocks


def cmd_audit(args: argparse.Namespace) -> int:
    out = _check_out("audit", args.out)
    check_since(args.since)
    pdf_writer, route = None, ""
    if out.suffix.lower() == ".pdf":
        pdf_writer = _qt_pdf_writer() if args.pdf_with != "libreoffice" else None
        route = pdf_route(args.pdf_with, pdf_writer)
    render = None
    if not args.no_charts:
        try:
            from qdaapp.render.charts import flowchart_bytes
        except ImportError:  # without PySide6 the report is written without its flow charts
            print("note: the flow charts are left out (drawing them needs PySide6)", file=sys.stderr)
        else:
            render = flowchart_bytes
    with opened(args, read_only=True) as project, project.read_session() as s:
        written = export_audit_report(s, out, render_flowchart=render, since=args.since, coder=args.coder,
                                      paper=args.paper, author=default_coder(), pdf_printer=pdf_writer,
                                      pdf_converter=args.pdf_with,
                                      comments=comments_for_report(project.path, since=check_since(args.since)))
        sealed = seal_of(s)
    print(f"wrote {written}" + (f" (PDF made with {'LibreOffice' if route == 'libreoffice' else 'Qt'})"
                                if route else ""))
    print(f"seal: {sealed}")
    return 0


def cmd_memos(args: argparse.Namespace) -> int:
    out = _check_out("memos", args.out)
    with opened(args, read_only=True) as project, project.read_session() as s:
        written = export_memos(s, out)
        sealed = seal_of(s)
    print(f"wrote {written}")
    print(f"seal: {sealed}")
    return 0


def cmd_codebook(args: argparse.Namespace) -> int:
    out = _check_out("codebook", args.out)
    with opened(args, read_only=True) as project, project.read_session() as s:
        written = export_codebook(s, out)
        sealed = seal_of(s)
    print(f"wrote {written}")
    print(f"seal: {sealed}")
    return 0


def cmd_frequencies(args: argparse.Namespace) -> int:
    out = _check_out("frequencies", args.out)
    render = None
    if out.suffix.lower() in (".png", ".svg"):
        from qdaapp.render.charts import frequency_chart_bytes

        render = frequency_chart_bytes
    with opened(args, read_only=True) as project, project.read_session() as s:
        written = export_frequencies(s, out, by=args.by, render_chart=render, node_ids=_node_ids(s, args.nodes))
        sealed = seal_of(s)
    print(f"wrote {written}")
    print(f"seal: {sealed}")
    return 0


def cmd_cooccurrence(args: argparse.Namespace) -> int:
    out = _check_out("cooccurrence", args.out)
    with opened(args, read_only=True) as project, project.read_session() as s:
        written = export_cooccurrence(s, out, node_ids=_node_ids(s, args.nodes), unit=args.unit)
        sealed = seal_of(s)
    print(f"wrote {written}")
    print(f"seal: {sealed}")
    return 0
