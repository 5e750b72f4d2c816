"""CLI: working apart and merging back (``qdaapp copy``, ``qdaapp merge``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import UserError, emit
from .project_cmds import opened, terminal_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("copy", help="save a copy of a project for one coder to work on alone (merge it back "
                                    "with 'qdaapp merge')")
    p.add_argument("project")
    p.add_argument("out", metavar="OUT.qda")
    p.add_argument("--for", dest="for_coder", required=True, metavar="CODER", help="the coder the copy is for")
    p.add_argument("--force", action="store_true", help="replace OUT.qda if it exists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_copy)

    p = sub.add_parser("merge", help="bring a coder's copy back into the project (its audit trail is verified "
                                     "first; nothing of either side is lost)")
    p.add_argument("project")
    p.add_argument("other", metavar="OTHER.qda")
    p.add_argument("--preview", action="store_true", help="show what would come in and the conflicts; change nothing")
    p.add_argument("--resolve", action="append", default=[], metavar="KEY=CHOICE",
                   help="settle a conflict another way than its default (keys and choices as --preview lists them)")
    p.add_argument("--reason", default="", help="why, recorded in the audit trail")
    p.add_argument("--coder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_merge)


def cmd_copy(args: argparse.Namespace) -> int:
    from qdaapp.core.merge_copy import make_copy

    out = Path(args.out)
    if out.exists() and not args.force:
        raise UserError(f"{out} already exists; qdaapp will not overwrite it. Choose another name, "
                        "or add --force to replace it.")
    with opened(args, read_only=True) as project:
        made = make_copy(project, out, args.for_coder, force=args.force, progress=terminal_progress("Copying"))
    data = {"project": str(args.project), "copy": str(made.path), "for": made.coder, "seal": made.seal,
            "bytes": made.bytes}
    emit(data, args.json, [f"saved a copy for {made.coder} to {made.path} ({made.bytes / 1_048_576:.1f} MB), "
                           f"sealed {made.seal}",
                           f"when it comes back: qdaapp merge {args.project} {made.path}"])
    return 0


def _resolutions(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, choice = item.rpartition("=")
        if not sep or not key or not choice:
            raise UserError(f"--resolve takes KEY=CHOICE (as 'qdaapp merge --preview' lists them), not '{item}'.")
        out[key] = choice
    return out


def report_lines(report, preview: bool) -> list[str]:  # a MergeReport
    from qdaapp.core.merge import CHOICE_WORDS

    who = f" ({report.copy_for}'s copy)" if report.copy_for else ""
    if preview:
        head = f"{report.copy}{who}, sealed {report.seal}: would bring in"
    elif report.written:
        head = f"merged {report.copy}{who}, sealed {report.seal} (event {report.seq}):"
    else:
        head = f"{report.copy}{who}, sealed {report.seal}: nothing new; the project was not changed."
    lines = [head]
    if preview or report.written:
        lines += [f"  {n:>7}  {kind}" for kind, n in sorted(report.merged.items())] or ["  nothing new"]
    there = sum(report.duplicates.values())
    lines.append(f"  {there} item(s) were there already")
    for kind, n in sorted(report.skipped.items()):
        lines.append(f"  {n} {kind}(s) left out")
    if not report.same_project:
        lines.append("  note: the copy was not made from this project")
    if report.conflicts:
        lines.append(f"{len(report.conflicts)} conflict(s):")
        for c in report.conflicts:
            lines.append(f"  {c.label}")
            lines.append(f"      here: {c.ours}; in the copy: {c.theirs}")
            options = ", ".join(f"{k} ({CHOICE_WORDS[k]})" for k in c.choices)
            lines.append(f"      {'will' if preview else 'did'}: {CHOICE_WORDS[c.chosen]}   "
                         f"[--resolve {c.key}=CHOICE: {options}]")
    return lines


def cmd_merge(args: argparse.Namespace) -> int:
    from qdaapp.core.merge import MergeRefused, merge_copy, preview
    from qdaapp.core.merge_read import read_copy

    resolutions = _resolutions(args.resolve)
    say = (lambda text: sys.stderr.write(text + "\n")) if sys.stderr.isatty() else None
    with opened(args, read_only=args.preview) as project:
        try:
            copy = read_copy(Path(args.other), project.path, say)
            if args.preview:
                report = preview(project, copy, resolutions)
            else:
                report = merge_copy(project, args.other, resolutions, reason=args.reason, progress=say, copy=copy)
        except MergeRefused as exc:
            raise UserError(str(exc)) from None
    emit(report.as_dict(), args.json, report_lines(report, args.preview))
    return 0
