"""CLI: one coding's history (``qdaapp history PROJECT CODING_ID``), read-only."""

from __future__ import annotations

import argparse
import textwrap

from . import UserError, emit
from .project_cmds import opened


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="how one coding was made, by whom and why, and every later change to it")
    p.add_argument("project")
    p.add_argument("coding_id", metavar="CODING_ID", help="the coding's id (as 'qdaapp codings' lists it)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)


def history_lines(h) -> list[str]:  # a CodingHistory
    """The history as lines for people: the passage, then one line per event in time order."""
    from qdaapp.core.passage_history import when_text

    state = "" if h.exists else " (removed since; shown as it last was)"
    out = [f"Coding {h.coding_id}{state}: '{h.node}' in {h.source} ({h.start}-{h.end}), coded by {h.coder} "
           f"{h.how}"]
    out += textwrap.wrap(f"“{h.quote}”", 100, initial_indent="  ", subsequent_indent="  ") if h.quote else []
    for m in h.memos:
        out.append(f"  Memo '{m.title or 'untitled'}' by {m.author or 'someone'}: {_short(m.text)}")
    for m in h.node_memos:
        out.append(f"  Memo on its node, '{m.title or 'untitled'}': {_short(m.text)}")
    out.append("")
    for ln in h.lines:
        out.append(f"{when_text(ln.time):<19}  event {ln.seq:<6} {ln.coder:<12} {ln.text}")
        pad = " " * 41
        out += [f"{pad}{d}" for d in ln.details]
        if ln.reason:
            out.append(f"{pad}Reason: {ln.reason}")
    if not h.lines:
        out.append("(no event in the audit trail records this coding)")
    return out


def _short(text: str, width: int = 80) -> str:
    one = " ".join(text.split())
    return one if len(one) <= width else one[:width - 1] + "…"


def cmd_history(args: argparse.Namespace) -> int:
    from qdaapp.core.passage_history import coding_history

    try:
        coding_id = int(args.coding_id)
    except ValueError:
        raise UserError(f"'{args.coding_id}' is not a coding id; give the number 'qdaapp codings' lists.") from None
    with opened(args, read_only=True) as project:
        with project.engine.connect() as conn:
            h = coding_history(conn, coding_id)
    emit(h.as_dict(), args.json, history_lines(h))
    return 0
