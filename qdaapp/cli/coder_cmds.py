"""CLI: a project's coders (``qdaapp coders``) and blind coding (``qdaapp blind``)."""

from __future__ import annotations

import argparse

from . import emit
from .project_cmds import opened

BLIND_ACTIONS = ("on", "off", "end", "status")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("coders", help="list the project's coders with their codings, memos and fragments")
    p.add_argument("project")
    p.add_argument("--coder", help="who you are: in blind coding others' figures are hidden from you")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_coders)

    p = sub.add_parser("blind", help="blind coding: switch it on or off, end the blind phase, or show it",
                       description="While blind coding is on, each coder sees only their own codings; the "
                                   "project owner (who created it) switches it and ends the blind phase.")
    p.add_argument("project")
    p.add_argument("action", choices=BLIND_ACTIONS, help="on, off, end (the blind phase) or status")
    p.add_argument("--coder", help="who you are (default: QDAAPP_CODER or your login name)")
    p.add_argument("--reason", default="", metavar="TEXT", help="why, kept in the audit trail with the change")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_blind)


def _when(stored: str | None) -> str:
    return (stored or "")[:16].replace("T", " ")


def _n(count: int | None) -> str:
    return "-" if count is None else str(count)


def cmd_coders(args: argparse.Namespace) -> int:
    from qdaapp.core.coders import coders

    with opened(args, read_only=True) as project, project.read_session() as s:
        rows = [w.as_dict() for w in coders(s, viewer=project.coder)]
    lines = [f"{'Coder':<20} {'Codings':>8} {'Memos':>6} {'Fragments':>9} {'Changes':>8}  First (UTC)       Last (UTC)"]
    lines += [f"{r['name'][:20]:<20} {_n(r['codings']):>8} {_n(r['memos']):>6} {_n(r['fragments']):>9} "
              f"{_n(r['changes']):>8}  {_when(r['first']):<16}  {_when(r['last'])}" for r in rows]
    if any(r["codings"] is None for r in rows):
        lines.append("(-: hidden during blind coding until the project owner ends the blind phase)")
    emit(rows, args.json, lines if rows else ["(nobody has worked on this project yet)"])
    return 0


def status_lines(info: dict) -> list[str]:
    state = {"off": "off: everyone sees all codings",
             "on": "on: each coder sees only their own codings (the owner sees all)",
             "ended": "ended: the blind phase is over, everyone sees all codings"}[info["state"]]
    return [f"Blind coding is {state}.", f"Project owner: {info['owner'] or 'unknown'}.",
            f"You ({info['coder']}) see {info['sees']}."]


def cmd_blind(args: argparse.Namespace) -> int:
    from qdaapp.core import blind

    read_only = args.action == "status"
    with opened(args, read_only=read_only) as project:
        if args.action == "on":
            project.run(blind.set_blind, True, project.coder, reason=args.reason)
        elif args.action == "off":
            project.run(blind.set_blind, False, project.coder, reason=args.reason)
        elif args.action == "end":
            project.run(blind.end_blind, project.coder, reason=args.reason)
        with project.read_session() as s:
            info = blind.describe(s, project.coder)
    emit(info, args.json, status_lines(info))
    return 0
