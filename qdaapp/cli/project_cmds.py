"""CLI: projects, sources, cases, memos and the audit chain."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from qdaapp.core.errors import NeedsUpgrade
from qdaapp.core.progress import Progress

from . import UserError, emit

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

    from qdaapp.core.audit import EventFilter
    from qdaapp.core.project import Project

# The core modules that import SQLAlchemy are imported by the commands that use them, so a
# command that does not (``sources``) starts without it.


def _list_importers_in_help(parser: argparse.ArgumentParser) -> None:
    """``--help`` ends with every file format that can be imported, the plugins' included. The plugins are
    looked up only when the help is shown, so an import does not pay for it."""
    plain = parser.format_help

    def format_help() -> str:
        parser.epilog = importers_text()
        return plain()

    parser.format_help = format_help  # type: ignore[method-assign]


def importers_text() -> str:
    from qdaapp.core import plugins

    registry = plugins.registry()
    rows = [(" ".join(imp.extensions), imp.label + ("" if imp.plugin == plugins.BUILTIN else f" (plugin {imp.plugin})"))
            for imp in registry.importers()]
    width = max((len(ext) for ext, _ in rows), default=0)
    lines = ["file formats it imports:"] + [f"  {ext:<{width}}  {label}" for ext, label in rows]
    off = [p.name for p in registry.plugins() if not p.enabled and p.importers]
    if off:
        lines.append("turned off: " + ", ".join(off) + " (turn one on with 'qdaapp plugins enable NAME')")
    return "\n".join(lines)


@contextmanager
def opened(args: argparse.Namespace, read_only: bool = False) -> Iterator[Project]:
    from qdaapp.core.project import Project

    coder = getattr(args, "coder", None)
    try:
        # One command reads each page about once: no memory-mapping (see db.make_engine).
        project = Project.open(args.project, coder=coder, read_only=read_only, mmap=False)
    except NeedsUpgrade:  # a read needs the schema upgraded first (a backup is taken)
        Project.open(args.project, coder=coder, mmap=False).close()
        project = Project.open(args.project, coder=coder, read_only=read_only, mmap=False)
    if project.missing_work is not None:
        sys.stderr.write(f"qdaapp: warning: {project.missing_work.message()}\n")
    try:
        if not read_only and not project.checked_in_full:
            # A file this machine did not leave as it is gets the full check before it is changed:
            # damage that the open's quick check cannot see (indexes, text that no longer decodes)
            # is reported now, not written over.
            if project.check_integrity():
                raise project.damaged
        yield project
    finally:
        project.close()


def terminal_progress(label: str) -> Progress | None:
    """A one-line progress bar on a terminal; nothing when output is piped."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, message: str) -> None:
        width = 30
        filled = int(width * done / total) if total else 0
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {message[:40]:<40}")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return Progress(show)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create a project file (refuses to overwrite)")
    p.add_argument("project")
    p.add_argument("--coder", help="your name as it appears in the audit trail")
    p.add_argument("--frame", metavar="NAME", help="start from a coding frame (see 'qdaapp frame list')")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("import", help="import files as sources (.txt, .docx, .pdf and the formats plugins add)",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _list_importers_in_help(p)
    p.add_argument("project")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--kind", default="interview", choices=["interview", "field-note", "document", "diary"])
    p.add_argument("--case", help="case the sources belong to (created if it does not exist)")
    p.add_argument("--case-per-file", action="store_true",
                   help="put each file in a case of its own, named after the interviewee when the file says "
                        "who (Interviewee:, Participant:… header), else after the file name")
    p.add_argument("--language", metavar="CODE", help="language of the files, e.g. en or fr (default: detected)")
    p.add_argument("--coder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("sources", help="list sources")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("source", help="delete a source").add_subparsers(dest="source_cmd", metavar="ACTION")
    p = p.add_parser("delete", help="delete a source and its codings (the file on disk is not touched)")
    p.add_argument("project")
    p.add_argument("source")
    p.add_argument("--reason", default="", metavar="TEXT", help="why, kept in the audit trail with the change")
    p.add_argument("--coder")
    p.set_defaults(func=cmd_source_delete)

    p = sub.add_parser("text", help="print a source's normalised text, exactly")
    p.add_argument("project")
    p.add_argument("source")
    p.set_defaults(func=cmd_text)

    case = sub.add_parser("case", help="create cases").add_subparsers(dest="case_cmd", metavar="ACTION")
    p = case.add_parser("add", help="create a case, assign sources and set attributes")
    p.add_argument("project")
    p.add_argument("name")
    p.add_argument("--source", action="append", default=[])
    p.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--coder")
    p.set_defaults(func=cmd_case_add)

    p = sub.add_parser("cases", help="list cases with their sources and attributes")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cases)

    memo = sub.add_parser("memo", help="write and list memos").add_subparsers(dest="memo_cmd", metavar="ACTION")
    p = memo.add_parser("add", help="add a memo")
    p.add_argument("project")
    p.add_argument("text")
    p.add_argument("--on", help="source:ID, node:ID, coding:ID or case:ID (default: the project)")
    p.add_argument("--coder")
    p.set_defaults(func=cmd_memo_add)
    p = memo.add_parser("list", help="list memos and diary entries")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_memo_list)

    p = sub.add_parser("diary", help="reflective diary").add_subparsers(dest="diary_cmd", metavar="ACTION")
    p = p.add_parser("add", help="add a dated diary entry")
    p.add_argument("project")
    p.add_argument("text")
    p.add_argument("--date", help="YYYY-MM-DD (default: today)")
    p.add_argument("--coder")
    p.set_defaults(func=cmd_diary_add)

    for name, helptext in (("undo", "undo your last change"), ("redo", "redo what you last undid")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("project")
        p.add_argument("--coder")
        p.set_defaults(func=cmd_undo if name == "undo" else cmd_redo)

    p = sub.add_parser("audit", help="the audit trail: list events, 'audit verify PROJECT' or 'audit seal PROJECT'")
    p.add_argument("project", help="the project (or 'verify' or 'seal' followed by the project)")
    p.add_argument("verify_project", nargs="?", help=argparse.SUPPRESS)
    p.add_argument("--seal", help="with verify: prove the chain still holds and extends this seal")
    p.add_argument("--coder", help="events by this coder")
    p.add_argument("--since", metavar="DATE", help="events from this day on (YYYY-MM-DD, or a time)")
    p.add_argument("--until", metavar="DATE", help="events up to the end of this day (YYYY-MM-DD, or a time)")
    p.add_argument("--action", help="e.g. coding.create, a prefix like coding., or a group as the audit viewer "
                                     "names it: " + ", ".join(f"'{g}'" for g in ACTION_GROUP_NAMES))
    p.add_argument("--node", help="every event that touched this node (id or path): its codings (bulk ones "
                                   "included), its child nodes and its memos")
    p.add_argument("--source", help="every event that touched this source (id or name), its codings and its memos")
    p.add_argument("--case", help="every event that touched this case (id or name): its attributes, its sources "
                                   "and their codings")
    p.add_argument("--search", help="text in the summary or reason")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("backup", help="save a checked, self-contained copy of a project (safe while it is open)")
    p.add_argument("project")
    p.add_argument("out", metavar="OUT.qda", help="the copy to write (refused if it exists, unless --force)")
    p.add_argument("--force", action="store_true", help="replace OUT.qda if it exists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("check", help="check a project file in full for damage (every page, index and text)")
    p.add_argument("project")
    p.set_defaults(func=cmd_check)


def cmd_new(args: argparse.Namespace) -> int:
    from qdaapp.core import frames
    from qdaapp.core.project import Project

    path = Path(args.project)
    frame = frames.load(args.frame) if args.frame else None  # an unknown frame fails before the file is made
    project = Project.create(path, coder=args.coder)
    try:
        applied = frames.apply_frame(project, frame) if frame is not None else None
    finally:
        project.close()
    print(f"created {path}")
    if applied is not None:
        print(applied.message())
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from qdaapp.core import sources as source_ops
    from qdaapp.core.errors import ImportFailure
    from qdaapp.core.nlp import check_language

    language = check_language(args.language) if args.language else None
    if args.case and args.case_per_file:
        raise UserError("--case and --case-per-file cannot be used together: choose one case for all the files "
                        "or one case per file.")
    with opened(args) as project:
        project.require_writable()
        # Each file is parsed, written and let go in turn, in one transaction: only what is printed is kept.
        failures: list[ImportFailure] = []
        rows: list[dict] = []

        def noted(docs):
            for d in docs:
                rows.append({"name": d.name, "format": d.format, "words": d.words, "encoding": d.encoding,
                             "pages": len(d.page_starts) if d.page_starts else None, "turns": len(d.turns),
                             "warnings": d.warnings, "language": language or d.language})
                yield d

        docs = source_ops.stream_files(args.files, failures, progress=terminal_progress("Reading"))
        try:
            ids = project.run(source_ops.import_documents, noted(docs), kind=args.kind, case_name=args.case,
                              imported_by=project.coder, language=language, case_per_file=args.case_per_file)
        except ImportFailure:
            if not failures:
                raise
            for failure in failures:
                sys.stderr.write(f"qdaapp: {failure}\n")
            if len(failures) < len(args.files):
                sys.stderr.write("qdaapp: nothing was imported; fix or leave out the file(s) above and run again.\n")
            return 1
        with project.read_session() as s:
            case_of = {info.id: info.case for info in source_ops.list_sources(s)}
        rows = [{"id": i, **r, "case": case_of.get(i)} for i, r in zip(ids, rows, strict=True)]
        rows = [{k: r[k] for k in ("id", "name", "format", "words", "encoding", "pages", "turns", "warnings",
                                   "language", "case")} for r in rows]
        lines = []
        for r in rows:
            extra = f", case {r['case']}" if r["case"] else ""
            extra += f", {r['pages']} pages" if r["pages"] else ""
            extra += f", encoding {r['encoding']}" if r["encoding"] else ""
            extra += f", language {r['language']}"
            lines.append(f"imported {r['name']} (id {r['id']}): {r['words']} words{extra}")
            lines.extend(f"  note: {w}" for w in r["warnings"])
        emit(rows, args.json, lines)
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    # Read with sqlite3 alone: the list is one query, and SQLAlchemy's import would cost more.
    from qdaapp.core.schema import connect_read_only
    from qdaapp.core.source_list import source_infos

    try:
        conn = connect_read_only(args.project)
    except NeedsUpgrade:  # the schema is upgraded first (a backup is taken), as the other commands do
        with opened(args):
            pass
        conn = connect_read_only(args.project)
    try:
        keys = ("id", "name", "kind", "words", "pages", "sha256", "case")
        rows = [{k: getattr(info, k) for k in keys} for info in source_infos(conn.execute)]
    finally:
        conn.close()
    lines = [f"{r['id']:>4}  {r['name']}  [{r['kind']}]  {r['words']} words"
             + (f", {r['pages']} pages" if r["pages"] else "")
             + (f"  case: {r['case']}" if r["case"] else "") for r in rows]
    emit(rows, args.json, lines or ["(no sources yet: import some with 'qdaapp import')"])
    return 0


def cmd_source_delete(args: argparse.Namespace) -> int:
    from qdaapp.core import sources as source_ops

    with opened(args) as project:
        project.run(source_ops.delete_source, args.source, reason=args.reason)
    print(f"deleted source {args.source} and its codings")
    return 0


def cmd_text(args: argparse.Namespace) -> int:
    from qdaapp.core import sources as source_ops

    with opened(args, read_only=True) as project, project.read_session() as s:
        source = source_ops.resolve(s, args.source)
        text, _ = source_ops.text_and_pages(s, source.id)
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")  # type: ignore[attr-defined]
    sys.stdout.write(text)
    return 0


def _parse_attr(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise UserError(f"'{item}' is not KEY=VALUE (for example --attr role=nurse).")
    return key.strip(), value.strip()


def cmd_case_add(args: argparse.Namespace) -> int:
    from qdaapp.core import cases as case_ops
    from qdaapp.core import sources as source_ops

    attrs = [_parse_attr(a) for a in args.attr]
    with opened(args) as project:
        with project.read_session() as s:  # resolve everything before the first write
            for ref in args.source:
                source_ops.resolve(s, ref)
        case_id = project.run(case_ops.create_case, args.name)
        for ref in args.source:
            project.run(case_ops.assign_source, case_id, ref)
        for key, value in attrs:
            project.run(case_ops.set_attribute, "case", case_id, key, value)
    print(f"created case '{args.name}' (id {case_id})")
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    from qdaapp.core import cases as case_ops

    with opened(args, read_only=True) as project, project.read_session() as s:
        rows = [c.as_dict() for c in case_ops.list_cases(s)]
    for r in rows:
        r.pop("description", None)
    lines = [f"{r['id']:>4}  {r['name']}  sources: {', '.join(r['sources']) or '-'}  "
             + "  ".join(f"{k}={v}" for k, v in r["attributes"].items()) for r in rows]
    emit(rows, args.json, lines or ["(no cases yet)"])
    return 0


def cmd_memo_add(args: argparse.Namespace) -> int:
    from qdaapp.core import memos as memo_ops

    with opened(args) as project:
        memo_id = project.run(memo_ops.add_memo, args.text, target=args.on, author=project.coder)
    print(f"added memo {memo_id}")
    return 0


def cmd_diary_add(args: argparse.Namespace) -> int:
    from qdaapp.core import memos as memo_ops

    with opened(args) as project:
        memo_id = project.run(memo_ops.add_diary_entry, args.text, day=args.date, author=project.coder)
    print(f"added diary entry {memo_id}")
    return 0


def cmd_memo_list(args: argparse.Namespace) -> int:
    from qdaapp.core import memos as memo_ops

    with opened(args, read_only=True) as project, project.read_session() as s:
        rows = [m.as_dict() for m in memo_ops.list_memos(s)]
    lines = [f"{r['id']:>4}  {r['date'] or r['created_at'][:10]}  on {r['target_type']}"
             + (f":{r['target_id']}" if r["target_id"] is not None else "") + f"  {r['text'][:70]!r}" for r in rows]
    emit(rows, args.json, lines or ["(no memos yet)"])
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:  # before the project is even opened
        raise UserError(f"{out} already exists; qdaapp will not overwrite it. Choose another name, "
                        "or add --force to replace it.")
    # Read-only: the copy is taken while the project may be open (and written) elsewhere.
    with opened(args, read_only=True) as project:
        result = project.save_copy(out, force=args.force, progress=terminal_progress("Copying"))
    from qdaapp.core.project import Project

    copy = Project.open(out, read_only=True, mmap=False)
    try:
        verified = copy.verify_audit()
    finally:
        copy.close()
    head = {"seq": result.head[0], "hash": result.head[1]} if result.head else None
    data = {"project": str(args.project), "copy": str(out), "bytes": result.bytes, "head": head, "seal": result.seal,
            "audit_verified": verified.ok, "audit": verified.message()}
    lines = [result.message(), f"copy checked: {verified.message()}"]
    emit(data, args.json, lines)
    if not verified.ok:
        sys.stderr.write(f"qdaapp: the copy was saved, but its audit trail does not verify: {verified.message()}\n")
        return 1
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from qdaapp.core import audit, audit_text

    if args.project in ("verify", "seal") and args.verify_project:
        which, args.project = args.project, args.verify_project
        return cmd_audit_verify(args) if which == "verify" else cmd_audit_seal(args)
    if args.verify_project:
        raise UserError(f"unexpected '{args.verify_project}'; did you mean 'qdaapp audit verify PROJECT'?")
    if args.seal:
        raise UserError("--seal goes with 'qdaapp audit verify PROJECT --seal SEAL'.")
    for value in (args.since, args.until):
        if value:
            try:
                date.fromisoformat(value[:10])
            except ValueError:
                raise UserError(f"'{value}' is not a date; write it as YYYY-MM-DD.") from None
    group = audit.action_group(args.action) if args.action and "." not in args.action else None
    f = audit.EventFilter(coder=args.coder, action=None if group else args.action, actions=group or (),
                          since=args.since, until=args.until, text=args.search)
    with opened(args, read_only=True) as project:
        if args.node or args.source or args.case:
            f = _about_items(project, f, args)
        with project.engine.connect() as conn:
            events = audit.query_events(conn, f, newest_first=False)
            sentences = audit_text.describe_rows(conn, [audit.row_of(e) for e in events])
    rows = [{**audit.event_dict(e), "sentence": sentence} for e, sentence in zip(events, sentences, strict=True)]
    emit(rows, args.json, [f"{r['seq']:>6}  {r['time'][:19].replace('T', ' ')}  {r['coder']:<12} "
                           f"{r['sentence']}" + (f"  (reason: {r['reason']})" if r["reason"] else "") for r in rows]
         or ["(no events match)"])
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with opened(args, read_only=True) as project:
        problems = project.check_integrity()
    if problems:
        raise project.damaged
    name = Path(args.project).name
    print(f"{name} passed its full integrity check: every page, index and stored text is sound.")
    return 0


# The action groups of the audit viewer (qdaapp.core.audit.ACTION_GROUPS), named here so that
# 'qdaapp audit --help' does not import the core's SQLAlchemy modules.
ACTION_GROUP_NAMES = ("Coding", "Nodes", "Sources and cases", "Markers and review", "Accounts and fragments",
                      "Coder agreement", "Memos and diary", "Undo and redo")


def _about_items(project: Project, f: EventFilter, args: argparse.Namespace) -> EventFilter:
    """``f`` narrowed to the node, source and case given. An id of an item that no longer exists is
    taken as it is, so the events of a deleted item can be listed; a name or path must name an item
    that exists."""
    from dataclasses import replace

    from qdaapp.core import cases, nodes, sources
    from qdaapp.core.errors import NotFound

    def ident(ref: str | None, resolve) -> int | None:
        if ref is None:
            return None
        try:
            with project.read_session() as s:
                return resolve(s, ref).id
        except NotFound:
            if ref.strip().isdigit():
                return int(ref)
            raise

    return replace(f, node_id=ident(args.node, nodes.resolve), source_id=ident(args.source, sources.resolve),
                   case_id=ident(args.case, cases.resolve_case))


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from qdaapp.core import audit

    if args.seal:
        try:
            audit.parse_seal(args.seal)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    with opened(args, read_only=True) as project:
        result = project.verify_audit(seal=args.seal)
    if result.ok:
        print(result.message())
        print(f"seal: {result.seal}")
        return 0
    sys.stderr.write(f"qdaapp: {result.message()}\n")
    return 1


def seal_of(session: Session) -> str:
    """The seal of the project as an export or report read it (in the same read transaction)."""
    from qdaapp.core import audit

    return audit.seal(session.connection())


def cmd_audit_seal(args: argparse.Namespace) -> int:
    """Print the project's seal: keep it outside the file (a note, an email) to check the trail against later."""
    with opened(args, read_only=True) as project:
        print(f"seal: {project.seal()}")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    with opened(args) as project:
        text, _ = project.undo_redo_text()
        project.undo()
    print(f"undone: {text}")
    return 0


def cmd_redo(args: argparse.Namespace) -> int:
    with opened(args) as project:
        _, text = project.undo_redo_text()
        project.redo()
    print(f"redone: {text}")
    return 0
