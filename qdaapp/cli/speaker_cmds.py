"""CLI: the speakers of the project and their roles (interviewer or participant)."""

from __future__ import annotations

import argparse

from qdaapp.core import speakers

from . import UserError, emit
from .project_cmds import opened

SET_ROLES = {"interviewer": "interviewer", "participant": "participant", "guess": None}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("speakers", help="list speakers and their roles, or set a role (interviewer or participant)")
    p.add_argument("project")
    p.add_argument("--set", action="append", default=[], metavar="NAME=ROLE",
                   help="set NAME's role: interviewer, participant, or guess (back to the guess); repeatable")
    p.add_argument("--coder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_speakers)


def parse_roles(specs: list[str]) -> dict[str, str | None]:
    """``["Sara=interviewer", ...]`` -> ``{"Sara": "interviewer"}``; a bad word is a one-line error."""
    roles: dict[str, str | None] = {}
    for spec in specs:
        name, sep, role = spec.rpartition("=")
        name, role = name.strip(), role.strip().lower()
        if not sep or not name:
            raise UserError(f"--set '{spec}' needs a speaker and a role, as in --set \"Sara Mannheimer=interviewer\".")
        if role not in SET_ROLES:
            raise UserError(f"--set '{spec}': '{role}' is not a role; use interviewer, participant or guess.")
        roles[name] = SET_ROLES[role]
    return roles


def cmd_speakers(args: argparse.Namespace) -> int:
    roles = parse_roles(args.set)
    with opened(args, read_only=not roles) as project:
        if roles:
            project.run(speakers.set_roles, roles, coder=project.coder)
        with project.read_session() as s:
            found = speakers.list_speakers(s)
    rows = [i.as_dict() for i in found]
    width = max((len(i.name) for i in found), default=10)
    lines = [f"{i.name:<{width}}  {i.role or '-':<11}  {i.sources:>3} source(s) {i.turns:>5} turns  "
             f"{'guess: ' + i.reason if i.guessed else 'set by you'}" for i in found]
    emit(rows, args.json, lines or ["(no speakers: no source has speaker turns such as 'Interviewer:' lines)"])
    return 0
