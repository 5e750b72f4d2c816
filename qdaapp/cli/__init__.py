"""The command line: every headless operation, for users' scripts and tests.

Contract: exit 0 on success; exit 1 with one line on standard error for any
user error (bad path, unknown node, damaged file...), never a traceback.
``--json`` prints machine-readable output. SOURCE and NODE accept an id or a
name/path. The GUI is imported only inside the ``gui`` command.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from qdaapp import __version__
from qdaapp.core.errors import QdaError

log = logging.getLogger("qdaapp")


class UserError(Exception):
    """A problem to report on one line and exit 1."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: {message} (see '{self.prog} --help')\n")
        raise SystemExit(1)


def emit(data: Any, as_json: bool, lines: Sequence[str] | None = None) -> None:
    """Print ``data`` as JSON, or ``lines`` (default: str(data)) for people."""
    if as_json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif lines is not None:
        for line in lines:
            print(line)
    else:
        print(data)


# Which module registers which commands. A command line names one command, so only its module
# (and what that module imports: SQLAlchemy, the models...) is loaded; ``--help`` loads them all.
# tests/cli/test_cli.py checks this table against what each module registers.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "project_cmds": ("new", "import", "sources", "source", "text", "case", "cases", "memo", "diary", "undo", "redo",
                     "audit", "backup", "check"),
    "coding_cmds": ("node", "nodes", "code", "uncode", "codings"),
    "search_cmds": ("index", "search", "markers", "review", "runs", "lexicon"),
    "narrative_cmds": ("account", "fragment", "flowchart", "framework"),
    "refi_cmds": ("import-qdpx", "import-qdc", "export"),
    "report_cmds": ("report",),
    "plugin_cmds": ("plugins", "analysis", "frame"),
    "speaker_cmds": ("speakers",),
    "review_cmds": ("review-comment", "review-comments"),
    "history_cmds": ("history",),
    "similar_cmds": ("similar",),
}
COMMANDS = frozenset(["gui", *(name for names in COMMAND_MODULES.values() for name in names)])


def build_parser(command: str | None = None) -> Parser:
    """The whole parser, or (given ``command``) one that knows only the module holding that command."""
    import importlib

    parser = Parser(prog="qdaapp", description="Qualitative data analysis built around narrative coding.")
    parser.add_argument("--version", action="version", version=f"qdaapp {__version__}")
    parser.add_argument("--selftest", action="store_true",
                        help="check this installation headless: import, code, search, export, audit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    gui = sub.add_parser("gui", help="open the app (the default command)")
    gui.add_argument("project", nargs="?", help="project file to open")
    gui.add_argument("--demo", action="store_true", help="open a fresh copy of the demo project")
    gui.add_argument("--read-only", action="store_true", help="open the project without changing it")
    gui.set_defaults(func=_cmd_gui)
    for module, names in COMMAND_MODULES.items():
        if command is None or command in names:
            importlib.import_module(f"{__name__}.{module}").register(sub)
    return parser


def _cmd_gui(args: argparse.Namespace) -> int:
    from qdaapp.gui.app import run

    return run(project=args.project, demo=args.demo, read_only=args.read_only)


def _known_failure(args: argparse.Namespace, exc: Exception) -> QdaError | None:
    """A full disk or a damaged project that reached here undressed (e.g. from a plain ``sqlite3``
    connection), as the error a user can act on; None for anything else (a bug)."""
    from pathlib import Path

    from qdaapp.core.db import damaged, disk_full, is_damage, is_disk_full

    project = getattr(args, "project", None)
    if is_disk_full(exc):
        out = getattr(args, "out", None)
        where = Path(out).parent if isinstance(out, str) and out else Path(project).parent if project else Path(".")
        return disk_full(where)
    if is_damage(exc) and isinstance(project, str):
        return damaged(Path(project), str(exc))
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--selftest"]:
        from .selftest import run_selftest

        return run_selftest()
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")) or argv[0] in ("--demo", "--read-only"):
        argv = ["gui", *argv]
    parser = build_parser(argv[0] if argv[0] in COMMANDS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # usage errors (exit 1), --help and --version (exit 0)
        return int(exit_.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    from qdaapp.core.lock import held_as

    try:
        # A project this command locks names the command to anyone else who tries to open it.
        with held_as("cli", args.command) if args.command != "gui" else held_as("window"):
            return int(args.func(args) or 0)
    except (QdaError, UserError) as exc:
        sys.stderr.write(f"qdaapp: {exc}\n")
        return 1
    except BrokenPipeError:  # output piped into head/less that closed early
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("qdaapp: interrupted; nothing was changed by the unfinished command.\n")
        return 130
    except Exception as exc:  # a bug: one line for the user, the trace in the log
        known = _known_failure(args, exc)
        if known is not None:
            sys.stderr.write(f"qdaapp: {known}\n")
            return 1
        from qdaapp.core.logs import log_exception

        where = log_exception(exc)
        sys.stderr.write(f"qdaapp: unexpected error ({type(exc).__name__}: {exc}). Details were written to {where}.\n")
        return 2
