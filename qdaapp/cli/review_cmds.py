"""CLI: review comments, written beside the project (works on a read-only project, never changes it)."""

from __future__ import annotations

import argparse
from pathlib import Path

from qdaapp.core import review_comments as rc

from . import UserError, emit
from .project_cmds import opened


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review-comment",
                       help="leave a review comment on an event, coding, node, fragment, account, source or the "
                            "project, or answer one; the project file is not changed (read-only files too)")
    p.add_argument("project")
    p.add_argument("text")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--on", metavar="KIND:ID",
                      help="what the comment is about: event:57, coding:12, node:3, fragment:4, account:2, "
                           "source:1, or project")
    what.add_argument("--reply-to", type=int, metavar="N", help="answer review comment N")
    p.add_argument("--coder", help="your name, shown with the comment")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_review_comment)

    p = sub.add_parser("review-comments", help="list the review comments on a project, or mark one resolved")
    p.add_argument("project")
    p.add_argument("--open", action="store_true", help="only comments not yet resolved")
    change = p.add_mutually_exclusive_group()
    change.add_argument("--resolve", type=int, metavar="N", help="mark comment N resolved")
    change.add_argument("--reopen", type=int, metavar="N", help="mark comment N open again")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_review_comments)


def comment_lines(comment: rc.ReviewComment) -> list[str]:
    when = comment.time.replace("T", " ")[:16]
    lines = [f"#{comment.id}  {comment.status:<8}  {when}  {comment.author}  on {comment.label}"]
    lines += [f"    {line}" for line in comment.text.splitlines()]
    for r in comment.replies:
        lines.append(f"    ↳ {r.author}, {r.time.replace('T', ' ')[:16]}: {r.text}")
    return lines


def _check_project(path: str) -> None:
    if not Path(path).is_file():
        raise UserError(f"{path}: no such project file.")


def cmd_review_comment(args: argparse.Namespace) -> int:
    _check_project(args.project)
    if args.on is not None:
        from qdaapp.core.review_targets import parse_target  # checks the target exists: SQLAlchemy

        kind, ident = parse_target(args.on)  # a malformed target is refused before the project is opened
    with opened(args, read_only=True) as project:
        if args.reply_to is not None:
            comment = rc.reply(project.path, args.reply_to, args.text, author=project.coder)
        else:
            comment = rc.add_comment(project, args.text, kind, ident)
    done = f"answered review comment #{comment.id}" if args.reply_to is not None else \
        f"review comment #{comment.id} on {comment.label}"
    emit(comment.as_dict(), args.json,
         [f"{done} (saved in {rc.side_file(args.project).name}; the project was not changed)"])
    return 0


def cmd_review_comments(args: argparse.Namespace) -> int:
    _check_project(args.project)
    changed = args.resolve if args.resolve is not None else args.reopen
    if changed is not None:
        status = "resolved" if args.resolve is not None else "open"
        comment = rc.set_status(args.project, changed, status)
        emit(comment.as_dict(), args.json, [f"review comment #{comment.id} is now {status}"])
        return 0
    found = rc.list_comments(args.project)
    if args.open:
        found = [c for c in found if c.status != "resolved"]
    lines = [line for c in found for line in comment_lines(c)]
    emit([c.as_dict() for c in found], args.json,
         lines or [f"(no {'open ' if args.open else ''}review comments on {Path(args.project).name})"])
    return 0
