"""CLI: REFI-QDA exchange (.qdpx projects, .qdc codebooks) and the ``export`` command."""

from __future__ import annotations

import argparse
from pathlib import Path

from qdaapp.core import nodes as node_ops
from qdaapp.core.project import Project

from . import UserError, emit
from .project_cmds import opened, seal_of, terminal_progress

FORMATS = ("qdpx", "qdc", "docx", "xlsx", "csv", "html")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-qdpx", help="import a REFI-QDA project (.qdpx); creates PROJECT if it does not exist")
    p.add_argument("file", metavar="FILE.qdpx")
    p.add_argument("project")
    p.add_argument("--coder", help="your name as it appears in the audit trail")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_qdpx)

    p = sub.add_parser("import-qdc", help="merge a REFI-QDA codebook (.qdc) into PROJECT's nodes (created if missing)")
    p.add_argument("file", metavar="FILE.qdc")
    p.add_argument("project")
    p.add_argument("--coder", help="your name as it appears in the audit trail")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_qdc)

    p = sub.add_parser("export",
                       help="export for other QDA programs (qdpx, qdc) or coded themes (docx, xlsx, csv, html)")
    p.add_argument("project")
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--nodes", nargs="+", metavar="NODE",
                   help="only these nodes and their subtrees (id, tree path or free node name)")
    p.set_defaults(func=cmd_export)


def cmd_import_qdpx(args: argparse.Namespace) -> int:
    from qdaapp.core.exchange.refi_read import read_qdpx

    parsed = read_qdpx(args.file, progress=terminal_progress("Reading"))  # before the project is touched
    return _write(args, parsed)


def cmd_import_qdc(args: argparse.Namespace) -> int:
    from qdaapp.core.exchange.refi_read import read_qdc

    return _write(args, read_qdc(args.file))


def _write(args: argparse.Namespace, parsed) -> int:
    from qdaapp.core.exchange.refi_import import import_parsed

    path = Path(args.project)
    if path.exists():
        with opened(args) as project:
            project.require_writable()
            summary = project.run(import_parsed, parsed, coder=project.coder)
    else:
        project = Project.create(path, coder=args.coder)
        try:
            summary = project.run(import_parsed, parsed, coder=project.coder)
        except BaseException:
            project.close()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            raise
        project.close()
    data = summary.as_dict()
    lines = [f"imported {parsed.file_name} into {path.name}: "
             + ", ".join(f"{n} {k}" for k, n in summary.counts().items())]
    merged = {k: n for k, n in summary.merged.items() if n}
    if merged:
        lines.append("already in the project (reused): " + ", ".join(f"{n} {k}" for k, n in merged.items()))
    lines += [f"note: {n}" for n in summary.notices]
    if summary.skipped:
        lines.append(f"not imported ({sum(s.count for s in summary.skipped)}):")
        lines += [f"  {s.kind} '{s.name}'" + (f" x{s.count}" if s.count > 1 else "") + f": {s.reason}"
                  for s in summary.skipped]
    emit(data, args.json, lines)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffixes = {"html": (".html", ".htm")}.get(args.format, (f".{args.format}",))
    if out.suffix.lower() not in suffixes:
        raise UserError(f"{out.name}: a {args.format} export needs a file ending in {' or '.join(suffixes)}.")
    notes: list[str] = []
    with opened(args, read_only=True) as project, project.read_session() as session:
        node_ids = [node_ops.resolve(session, ref).id for ref in args.nodes] if args.nodes else None
        if args.format == "qdpx":
            from qdaapp.core.exchange.refi_export import export_losses, export_qdpx

            written = export_qdpx(session, out, node_ids, progress=terminal_progress("Exporting"))
            notes = export_losses(session)
        elif args.format == "qdc":
            from qdaapp.core.exchange.refi_export import export_qdc

            written = export_qdc(session, out, node_ids)
        else:
            from qdaapp.core.exchange.themes import export_themes

            written = export_themes(session, out, args.format, node_ids)
        sealed = seal_of(session)
    print(f"wrote {written}")
    print(f"seal: {sealed}")
    if notes:
        print(f"not in the file (REFI-QDA has no place for them): {'; '.join(notes)}")
    return 0
