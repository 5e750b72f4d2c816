"""CLI: find passages like coded examples, and code the chosen results."""

from __future__ import annotations

import argparse
import sys

from qdaapp.core import coding as coding_ops
from qdaapp.core import nodes as node_ops
from qdaapp.core import similar
from qdaapp.core import sources as source_ops

from . import UserError, emit
from .project_cmds import opened, terminal_progress
from .search_cmds import ensure_indexed


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "similar", help="find passages like some coded examples (sentences, paragraphs or turns ranked by the "
                        "words they share with them); with --code-at and --accept, code the chosen results",
        description="Results are numbered; the same command with --code-at NODE --accept N... codes results N "
                    "(the ranking is the same while the project is). Passages that overlap the examples are "
                    "left out, and so are those coded at the examples' node (--node) or at --exclude-coded-at.")
    p.add_argument("project")
    like = p.add_mutually_exclusive_group(required=True)
    like.add_argument("--like", type=int, nargs="+", metavar="CODING_ID", help="the examples: these codings")
    like.add_argument("--node", metavar="NODE", help="the examples: every passage coded at NODE")
    like.add_argument("--account", metavar="ACCOUNT", help="the examples: the passages of an account")
    like.add_argument("--fragment", type=int, metavar="FRAGMENT_ID", help="the examples: a fragment's passages")
    p.add_argument("--unit", default="sentence", choices=similar.UNITS, help="what to rank (default: sentence)")
    p.add_argument("--top", type=int, default=50, metavar="K", help="how many results (default 50)")
    p.add_argument("--scope", nargs="+", default=[], metavar="SOURCE", help="rank only these sources")
    p.add_argument("--include-interviewer", action="store_true",
                   help="rank interviewer turns too (left out by default once roles are known; see 'qdaapp speakers')")
    p.add_argument("--exclude-coded-at", metavar="NODE", help="leave out passages already coded at NODE")
    p.add_argument("--code-at", metavar="NODE", help="code the results chosen with --accept at NODE")
    p.add_argument("--accept", nargs="+", default=[], metavar="N",
                   help="with --code-at: the numbers of the results to code, or 'all'")
    p.add_argument("--reason", default="", metavar="TEXT", help="with --code-at: why, kept in the audit trail")
    p.add_argument("--coder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_similar)


def _chosen(numbers: list[str], found: int) -> list[int]:
    """0-based indexes of the results named by ``numbers`` (1-based, or 'all')."""
    if numbers == ["all"]:
        return list(range(found))
    out = []
    for word in numbers:
        if not word.isdigit() or not 1 <= int(word) <= found:
            raise UserError(f"--accept {word}: give result numbers from 1 to {found} as listed, or 'all'.")
        out.append(int(word) - 1)
    return list(dict.fromkeys(out))


def cmd_similar(args: argparse.Namespace) -> int:
    if bool(args.code_at) != bool(args.accept):
        raise UserError("--code-at NODE and --accept N... go together: name the node and the results to code.")
    progress = terminal_progress("Reading the index")
    with opened(args) as project:
        ensure_indexed(project)
        with project.read_session() as s:
            account = None
            if args.account is not None:
                from qdaapp.core.narrative import resolve_account

                account = resolve_account(s, args.account).id
            node = node_ops.resolve(s, args.node).id if args.node is not None else None
            examples = similar.examples_of(s, coding_ids=args.like or (), node_id=node, account_id=account,
                                           fragment_id=args.fragment)
            scope = [source_ops.resolve(s, ref).id for ref in args.scope] or None
            exclude = node_ops.resolve(s, args.exclude_coded_at).id if args.exclude_coded_at else node
            target = node_ops.resolve(s, args.code_at).id if args.code_at else None

            def told(done: int, total: int) -> bool:
                if progress is not None:
                    if progress.total != total:
                        progress.start(total)
                    progress.advance(done - progress.done)
                return True

            found = similar.rank(s, examples, unit=args.unit, top=args.top, sources=scope, exclude_node=exclude,
                                 progress=told, include_interviewer=args.include_interviewer)
        if target is not None:
            chosen = [found[i] for i in _chosen(args.accept, len(found))]
            coded = 0
            if chosen:
                try:
                    coded = project.run(coding_ops.code_passages, [(r.source_id, r.start, r.end) for r in chosen],
                                        target, args.coder or project.coder, origin=similar.ORIGIN,
                                        label=similar.label(len(examples)), reason=args.reason)["coded"]
                except coding_ops.AlreadyCoded:
                    pass  # every chosen passage is coded there already
            sys.stderr.write(f"coded {coded} passage(s) at {args.code_at}\n")
    if args.json:
        emit([r.as_dict() for r in found], True)
        return 0
    lines = []
    for n, r in enumerate(found, 1):
        text = " ".join(r.text.split())
        lines.append(f"{n:>3}. {r.source}:{r.start}-{r.end}  ({r.score:.2f})  {text[:160]}")
        lines.append(f"     shares: {', '.join(r.shared_terms)}")
    ask = f"{len(examples)} example passage{'s' if len(examples) != 1 else ''}"
    lines.append(f"{len(found)} passage(s) like {ask}" if found else f"No passage shares a word with the {ask}.")
    emit(None, False, lines)
    return 0
