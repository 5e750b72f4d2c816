"""CLI: intercoder agreement (``qdaapp agreement PROJECT --coders A B``), read-only."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from . import UserError, emit
from .project_cmds import opened

UNITS = ("character", "sentence", "paragraph")  # core.agreement.UNITS, named here so --help loads no core module
OUT_SUFFIXES = (".xlsx", ".docx", ".html", ".htm")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("agreement", help="intercoder agreement: percent, Cohen's kappa, Krippendorff's alpha",
                       description="Compare coders' codings per node and source, per node, per source and "
                                   "overall: percent agreement, Cohen's kappa (two coders) and Krippendorff's "
                                   "alpha (nominal).")
    p.add_argument("project")
    p.add_argument("--coders", nargs="+", required=True, metavar="CODER", help="two coders or more")
    p.add_argument("--nodes", nargs="+", metavar="NODE",
                   help="only these nodes (tree path, free node name or id; default: every node the coders used)")
    p.add_argument("--sources", nargs="+", metavar="SOURCE",
                   help="only these sources (name or id; default: every source one of the coders coded)")
    p.add_argument("--unit", choices=UNITS, default="character",
                   help="what is counted: characters (default), sentences or paragraphs; a sentence or paragraph "
                        "counts as coded when any of it is")
    p.add_argument("--coder", help="who you are: in blind coding only the project's owner may compare "
                   "(default: QDAAPP_CODER or your login name)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--out", metavar="FILE.xlsx|FILE.docx|FILE.html", help="also write the tables to this file")
    p.set_defaults(func=cmd_agreement)


def cmd_agreement(args: argparse.Namespace) -> int:
    from qdaapp.core import agreement, blind
    from qdaapp.core import nodes as node_ops
    from qdaapp.core import sources as source_ops
    from qdaapp.core.exchange.agreement_export import write_agreement
    from qdaapp.core.exchange.themes import project_title

    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in OUT_SUFFIXES:
        raise UserError(f"{out.name}: agreement can be written as {', '.join(OUT_SUFFIXES)}.")
    with opened(args, read_only=True) as project, project.read_session() as s:
        blind.check_comparison(s, project.coder)
        node_ids = [node_ops.resolve(s, ref).id for ref in args.nodes] if args.nodes else None
        source_ids = [source_ops.resolve(s, ref).id for ref in args.sources] if args.sources else None
        result = agreement.compute(s, args.coders, nodes=node_ids, sources=source_ids, unit=args.unit)
        title = project_title(s)
    written = write_agreement(result, out, title=title) if out is not None else None
    data = result.as_dict()
    if written is not None:
        data["written"] = str(written)
    lines = agreement_lines(result)
    if written is not None:
        lines += ["", f"wrote {written}"]
    emit(data, args.json, lines)
    return 0


def agreement_lines(result) -> list[str]:  # an agreement.Agreement
    """The figures as a table for people: each node, then its sources where a coder coded it; each source;
    overall; then the method."""
    from qdaapp.core.exchange.agreement_export import figure_header, figure_values, headline, shown

    header = figure_header(result)
    label_width = max([len(p) for _i, p in result.nodes] + [len(n) + 2 for _i, n in result.sources] + [20])
    label_width = min(label_width, 48)
    widths = [max(len(h), 9) for h in header]

    def row(label: str, cell) -> str:
        name = label if len(label) <= label_width else label[:label_width - 1] + "…"
        values = [shown(h, v).replace("undefined", "–") for h, v in zip(header, figure_values(result, cell),
                                                                         strict=True)]
        return f"{name:<{label_width}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(values, widths, strict=True))

    head = f"{'':<{label_width}}  " + "  ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True))
    out = [f"Agreement of {headline(result)}", "", "By node (indented: its sources where a coder coded it)", head]
    for nid, path in result.nodes:
        out.append(row(path, result.cell(nid, None)))
        for sid, name in result.sources:
            cell = result.cell(nid, sid)
            if cell is not None and cell.none < cell.units:
                out.append(row(f"  {name}", cell))
    out += ["", "By source", head]
    out += [row(name, result.cell(None, sid)) for sid, name in result.sources]
    out += ["", row("Overall", result.overall), ""]
    out += textwrap.wrap("Method: " + result.method, 100)
    return out
