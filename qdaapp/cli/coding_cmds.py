"""CLI: nodes (free and tree) and codings."""

from __future__ import annotations

import argparse

from qdaapp.core import coding as coding_ops
from qdaapp.core import nodes as node_ops

from . import UserError, emit
from .project_cmds import opened

REASON_HELP = "why, kept in the audit trail with the change"


def register(sub: argparse._SubParsersAction) -> None:
    node = sub.add_parser("node", help="create and change nodes").add_subparsers(dest="node_cmd", metavar="ACTION")
    p = node.add_parser("add", help="create a node; PATH 'Theme/Sub-theme' makes tree nodes along the path")
    p.add_argument("project")
    p.add_argument("path")
    p.add_argument("--free", action="store_true", help="make a free (flat) node")
    p.add_argument("--description", default="", help="its codebook definition")
    p.add_argument("--color", help="#RRGGBB")
    p.add_argument("--coder")
    p.set_defaults(func=cmd_node_add)

    p = node.add_parser("move", help="move a node into the tree, elsewhere in it, or back to free nodes")
    p.add_argument("project")
    p.add_argument("node")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="PARENT_PATH", help="tree node to move under ('' for the top level)")
    where.add_argument("--free", action="store_true", help="make it a free node")
    p.add_argument("--reason", default="", metavar="TEXT", help=REASON_HELP)
    p.add_argument("--coder")
    p.set_defaults(func=cmd_node_move)

    p = node.add_parser("merge", help="merge NODE into INTO_NODE (codings move over, duplicates collapse)")
    p.add_argument("project")
    p.add_argument("node")
    p.add_argument("into_node")
    p.add_argument("--reason", default="", metavar="TEXT", help=REASON_HELP)
    p.add_argument("--coder")
    p.set_defaults(func=cmd_node_merge)

    p = node.add_parser("edit", help="rename, describe or recolour a node")
    p.add_argument("project")
    p.add_argument("node")
    p.add_argument("--name")
    p.add_argument("--description")
    p.add_argument("--color")
    p.add_argument("--coder")
    p.set_defaults(func=cmd_node_edit)

    p = node.add_parser("delete", help="delete a node, its child nodes and their codings")
    p.add_argument("project")
    p.add_argument("node")
    p.add_argument("--reason", default="", metavar="TEXT", help=REASON_HELP)
    p.add_argument("--coder")
    p.set_defaults(func=cmd_node_delete)

    p = sub.add_parser("nodes", help="list nodes with their coding counts")
    p.add_argument("project")
    _coder_filter(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_nodes)

    p = sub.add_parser("code", help="code characters START to END (end excluded) of SOURCE at NODE")
    p.add_argument("project")
    p.add_argument("source")
    p.add_argument("start", type=int)
    p.add_argument("end", type=int)
    p.add_argument("node")
    p.add_argument("--coder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_code)

    p = sub.add_parser("uncode", help="remove one coding")
    p.add_argument("project")
    p.add_argument("coding_id", type=int)
    p.add_argument("--coder")
    p.set_defaults(func=cmd_uncode)

    p = sub.add_parser("codings", help="list codings with their text")
    p.add_argument("project")
    p.add_argument("--node")
    p.add_argument("--source")
    _coder_filter(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_codings)


def _coder_filter(p: argparse.ArgumentParser) -> None:
    p.add_argument("--coder", help="who you are: in blind coding you see only your own codings "
                                   "(default: QDAAPP_CODER or your login name)")
    p.add_argument("--by", action="append", metavar="CODER", help="only this coder's codings (repeatable)")


def _shown(args: argparse.Namespace, project, session) -> set[str] | None:  # an open Project, its session
    """The coders whose codings a listing shows: those asked for with --by, within what blind coding
    lets the current coder see (a note on standard error says when it hides others' work)."""
    import sys

    from qdaapp.core import blind

    allowed = blind.visible_coders(session, project.coder)
    if allowed is not None:
        sys.stderr.write(f"qdaapp: blind coding is on: showing only the codings of {project.coder}.\n")
    return blind.narrow(args.by, allowed)


def cmd_node_add(args: argparse.Namespace) -> int:
    with opened(args) as project:
        node_id = project.run(node_ops.create_node, args.path, free=args.free, description=args.description,
                              color=args.color, created_by=project.coder)
    print(f"created {'free ' if args.free else ''}node '{args.path}' (id {node_id})")
    return 0


def cmd_node_move(args: argparse.Namespace) -> int:
    with opened(args) as project:
        with project.read_session() as s:
            node_id = node_ops.resolve(s, args.node).id
        project.run(node_ops.move_node, node_id, to_parent=args.to, free=args.free, reason=args.reason)
    print(f"moved node {args.node}")
    return 0


def cmd_node_merge(args: argparse.Namespace) -> int:
    with opened(args) as project:
        with project.read_session() as s:
            a, b = node_ops.resolve(s, args.node).id, node_ops.resolve(s, args.into_node).id
        project.run(node_ops.merge_nodes, a, b, reason=args.reason)
    print(f"merged '{args.node}' into '{args.into_node}'")
    return 0


def cmd_node_edit(args: argparse.Namespace) -> int:
    if args.name is None and args.description is None and args.color is None:
        raise UserError("say what to change: --name, --description or --color.")
    with opened(args) as project:
        with project.read_session() as s:
            node_id = node_ops.resolve(s, args.node).id
        project.run(node_ops.update_node, node_id, name=args.name, description=args.description, color=args.color)
    print(f"changed node {args.node}")
    return 0


def cmd_node_delete(args: argparse.Namespace) -> int:
    with opened(args) as project:
        with project.read_session() as s:
            node_id = node_ops.resolve(s, args.node).id
        project.run(node_ops.delete_node, node_id, reason=args.reason)
    print(f"deleted node {args.node}")
    return 0


def cmd_nodes(args: argparse.Namespace) -> int:
    with opened(args, read_only=True) as project, project.read_session() as s:
        rows = [
            {k: v for k, v in n.as_dict().items() if k != "position"}
            for n in node_ops.list_nodes(s, coders=_shown(args, project, s))
        ]
    lines = [f"{r['id']:>4}  {'[free] ' if r['kind'] == 'free' else ''}{r['path']}  ({r['codings']})" for r in rows]
    emit(rows, args.json, lines or ["(no nodes yet: create one with 'qdaapp node add')"])
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    with opened(args) as project:
        coder = args.coder or project.coder
        coding_id = project.run(coding_ops.code, args.source, args.start, args.end, args.node, coder)
    emit({"id": coding_id}, args.json, [f"coded (coding id {coding_id})"])
    return 0


def cmd_uncode(args: argparse.Namespace) -> int:
    with opened(args) as project:
        project.run(coding_ops.uncode, args.coding_id)
    print(f"removed coding {args.coding_id}")
    return 0


def cmd_codings(args: argparse.Namespace) -> int:
    with opened(args, read_only=True) as project, project.read_session() as s:
        rows = [c.as_dict() for c in coding_ops.list_codings(s, node_ref=args.node, source_ref=args.source,
                                                             coders=_shown(args, project, s))]
    lines = [f"{r['id']:>5}  {r['node']}  {r['source']} {r['start']}-{r['end']}  {r['coder']}  "
             f"{_excerpt(r['text'])!r}" for r in rows]
    emit(rows, args.json, lines or ["(no codings)"])
    return 0


EXCERPT = 60  # characters of a coding's text shown in the list


def _excerpt(text: str) -> str:
    """The first EXCERPT characters of ``text``; a cut one ends with "…" so it is not taken for the whole."""
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"
