"""CLI: plugins (list, turn on and off), plugin analyses, and coding frames."""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path
from typing import Any

from . import UserError, emit


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's commands to the parser."""
    p = sub.add_parser("plugins", help="list plugins, or turn one on or off ('plugins disable NAME')")
    p.add_argument("action", nargs="?", default="list", choices=["list", "enable", "disable"])
    p.add_argument("name", nargs="?", help="the plugin to enable or disable")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plugins)

    p = sub.add_parser("analysis", help="run an analysis contributed by a plugin (e.g. marker-density)")
    p.add_argument("project")
    p.add_argument("name", help="the analysis, e.g. marker-density")
    p.add_argument("--out", metavar="FILE", help="save it: a chart as .png or .svg, or the table as .csv")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="an option of the analysis (e.g. run=3 for marker-density)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_analysis)

    frame = sub.add_parser("frame", help="coding frames: 'frame list', 'frame apply PROJECT NAME'").add_subparsers(
        dest="frame_cmd", metavar="ACTION")
    p = frame.add_parser("list", help="list the coding frames a project can start from")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_frame_list)
    p = frame.add_parser("apply", help="add a coding frame's nodes to a project (only what is missing)")
    p.add_argument("project")
    p.add_argument("name", help="the frame, e.g. greimas-speech-acts")
    p.add_argument("--coder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_frame_apply)


# ---------------------------------------------------------------------- plugins
def _describe(info: dict) -> str:
    parts = [f"{kind}: {' '.join(items)}" for kind, items in info["contributes"].items() if items]
    state = "on " if info["enabled"] else "off"
    line = f"{info['name']:<20} {info['version'] or '-':<8} {state}  {'; '.join(parts) or '(contributes nothing)'}"
    if info["error"]:
        line += f"\n{'':<20} FAILED: {info['error']}"
    return line


def cmd_plugins(args: argparse.Namespace) -> int:
    from qdaapp.core import plugins

    if args.action == "list":
        if args.name:
            raise UserError(f"unexpected '{args.name}'; use 'qdaapp plugins enable NAME' "
                            "or 'qdaapp plugins disable NAME'.")
        rows = [p.as_dict() for p in plugins.registry().plugins()]
        emit(rows, args.json, [_describe(r) for r in rows])
        return 0
    if not args.name:
        raise UserError(f"say which plugin to {args.action}: 'qdaapp plugins {args.action} NAME'.")
    plugin = plugins.set_enabled(args.name, args.action == "enable")
    info = plugin.as_dict()
    note = f" (it does not work yet: {plugin.error})" if plugin.error and plugin.enabled else ""
    emit(info, args.json, [f"plugin {plugin.name} is now {'on' if plugin.enabled else 'off'}{note}"])
    return 0


# ---------------------------------------------------------------------- analyses
def _options(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise UserError(f"'{item}' is not KEY=VALUE (for example --option run=3).")
        value = value.strip()
        out[key.strip()] = int(value) if value.lstrip("-").isdigit() else value
    return out


def _table_lines(result: dict) -> list[str]:
    columns, rows = result.get("columns"), result.get("rows")
    if not columns or rows is None:
        return [str(result)]
    cells = [[str(c) for c in columns]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    head = [str(result["title"])] if result.get("title") else []
    return head + ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(r, widths, strict=False)))
                   for r in cells]


def cmd_analysis(args: argparse.Namespace) -> int:
    from qdaapp.core.plugins import registry

    from .project_cmds import opened

    reg = registry()
    spec = reg.analysis(args.name)
    out = Path(args.out) if args.out else None
    suffix = out.suffix.lower() if out else ""
    if out is not None:
        if suffix not in (".png", ".svg", ".csv"):
            raise UserError(f"--out must end in .png or .svg (a chart) or .csv (the table), not '{out.name}'.")
        if suffix != ".csv" and spec.chart is None:
            raise UserError(f"the analysis '{spec.name}' has no chart; save its table as .csv instead.")
        if not out.parent.exists():
            raise UserError(f"the folder {out.parent} does not exist.")
    options = _options(args.option)
    run = reg.load(spec.plugin, spec.run)
    try:
        inspect.signature(run).bind(None, **options)
    except TypeError:
        raise UserError(f"the analysis '{spec.name}' does not take the option(s) {', '.join(options)}.") from None
    with opened(args, read_only=True) as project:
        result = run(project, **options)
    lines = _table_lines(result)
    if out is not None:
        if suffix == ".csv":
            from qdaapp.core.plugins import save_analysis_table

            save_analysis_table(result, out)
        else:
            from qdaapp.core.safe_write import write_via_temp

            chart = reg.load(spec.plugin, spec.chart)
            write_via_temp(Path(out), lambda tmp: chart(result, tmp))
        if args.json:
            sys.stderr.write(f"wrote {out}\n")
        else:
            lines.append(f"wrote {out}")
    emit(result, args.json, lines)
    return 0


# ---------------------------------------------------------------------- coding frames
def cmd_frame_list(args: argparse.Namespace) -> int:
    from qdaapp.core import frames

    rows = [f.as_dict() for f in frames.list_frames()]
    lines = [f"{r['name']:<22} {r['title']} ({r['codes']} codes"
             + (f", plugin {r['plugin']}" if r["plugin"] not in (None, "qdaapp") else "") + ")"
             + (f"  FAILED: {r['error']}" if r["error"] else "") for r in rows]
    emit(rows, args.json, lines or ["(no coding frames)"])
    return 0


def cmd_frame_apply(args: argparse.Namespace) -> int:
    from qdaapp.core import frames

    from .project_cmds import opened

    frame = frames.load(args.name)  # an unknown name fails before the project is opened
    with opened(args) as project:
        result = frames.apply_frame(project, frame)
    emit(result.as_dict(), args.json, [result.message()])
    return 0
