"""CLI: accounts, fragments, flow charts and the framework matrix."""

from __future__ import annotations

import argparse
from pathlib import Path

from qdaapp.core import act_candidates, flowgraph, narrative
from qdaapp.core.errors import InvalidInput
from qdaapp.core.exchange import write_atomically
from qdaapp.core.exchange.matrix import export_matrix

from . import emit
from .coding_cmds import REASON_HELP
from .project_cmds import opened, seal_of


def register(sub: argparse._SubParsersAction) -> None:
    acc = sub.add_parser("account", help="narrative accounts").add_subparsers(dest="account_cmd", metavar="ACTION")
    p = acc.add_parser("add", help="create an account (its title is the object of the activity)")
    p.add_argument("project")
    p.add_argument("title")
    p.add_argument("--description", default="")
    p.add_argument("--coder")
    p.set_defaults(func=cmd_account_add)
    p = acc.add_parser("list", help="list accounts with their completeness")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_account_list)
    p = acc.add_parser("show", help="fragments in sequence, passages, actors")
    p.add_argument("project")
    p.add_argument("account")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_account_show)
    p = acc.add_parser("check", help="which speech acts are present or missing; cases and sources")
    p.add_argument("project")
    p.add_argument("account")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_account_check)
    p = acc.add_parser("candidates", help="passages near the account's that may tell a missing speech act "
                                          "(performance, sanction...), with why each is proposed")
    p.add_argument("project")
    p.add_argument("account")
    p.add_argument("--act", required=True, choices=["performance", "sanction", "manipulation", "commitment",
                                                     "competence"])
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N candidates (default 20)")
    p.add_argument("--near", type=int, default=act_candidates.NEAR, metavar="SENTENCES",
                   help=f"how far from the account's passages to look (default {act_candidates.NEAR} sentences)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_account_candidates)
    p = acc.add_parser("passage", help="add a passage SOURCE:START:END to an account")
    p.add_argument("project")
    p.add_argument("account")
    p.add_argument("passage", metavar="SOURCE:START:END")
    p.add_argument("--coder")
    p.set_defaults(func=cmd_account_passage)
    p = acc.add_parser("delete", help="delete an account with its fragments (the codings stay)")
    p.add_argument("project")
    p.add_argument("account")
    p.add_argument("--reason", default="", metavar="TEXT", help=REASON_HELP)
    p.add_argument("--coder")
    p.set_defaults(func=cmd_account_delete)

    frag = sub.add_parser("fragment", help="narrative fragments").add_subparsers(dest="fragment_cmd", metavar="ACTION")
    p = frag.add_parser("add", help="add a fragment to an account's sequence")
    p.add_argument("project")
    p.add_argument("account")
    p.add_argument("--summary", required=True)
    p.add_argument("--act", choices=["manipulation", "commitment", "competence", "performance", "sanction", "none"])
    p.add_argument("--case")
    p.add_argument("--actor", action="append", default=[])
    p.add_argument("--passage", action="append", default=[], metavar="SOURCE:START:END")
    p.add_argument("--after", type=int, metavar="FRAGMENT")
    p.add_argument("--coder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_fragment_add)
    p = frag.add_parser("move", help="put a fragment at another place in its account's sequence "
                                     "(the sequence arrows follow)")
    p.add_argument("project")
    p.add_argument("fragment", help="the fragment's id")
    p.add_argument("--to", required=True, type=int, metavar="POSITION", help="1 is the first place")
    p.add_argument("--coder")
    p.set_defaults(func=cmd_fragment_move)
    p = frag.add_parser("delete", help="delete a fragment (its passages and codings stay)")
    p.add_argument("project")
    p.add_argument("fragment", type=int, help="the fragment's id")
    p.add_argument("--reason", default="", metavar="TEXT", help=REASON_HELP)
    p.add_argument("--coder")
    p.set_defaults(func=cmd_fragment_delete)

    p = sub.add_parser("flowchart", help="export an account's flow chart (SVG, PNG or PDF)")
    p.add_argument("project")
    p.add_argument("account")
    p.add_argument("--out", required=True, metavar="FILE.svg|FILE.png|FILE.pdf")
    p.add_argument("--layout", choices=flowgraph.LAYOUTS, default="down",
                   help="down: top to bottom; across: left to right; snake: rows that wrap (default: down)")
    p.add_argument("--page", choices=sorted(flowgraph.PAGES),
                   help="make the file exactly this paper size, the chart scaled down to fit the margins")
    p.add_argument("--landscape", action="store_true", help="with --page: the paper turned sideways")
    p.add_argument("--relayout", action="store_true", help="ignore boxes moved by hand")
    p.set_defaults(func=cmd_flowchart)

    p = sub.add_parser("framework", help="export the framework matrix (XLSX, CSV or DOCX)")
    p.add_argument("project")
    p.add_argument("--rows", choices=["cases", "sources"], default="cases")
    p.add_argument("--cols", choices=["accounts", "nodes"], default="accounts")
    p.add_argument("--out", required=True, metavar="FILE.xlsx|FILE.csv|FILE.docx")
    p.add_argument("--include-interviewer", action="store_true",
                   help="quote interviewer turns too (left out by default once roles are known)")
    p.set_defaults(func=cmd_framework)


def cmd_account_add(args: argparse.Namespace) -> int:
    with opened(args) as project:
        account_id = project.run(narrative.create_account, args.title, description=args.description,
                                 created_by=project.coder)
    print(f"created account '{args.title}' (id {account_id})")
    return 0


def cmd_account_list(args: argparse.Namespace) -> int:
    with opened(args, read_only=True) as project, project.read_session() as s:
        rows = flowgraph.list_accounts(s)
    emit(rows, args.json, [f"{r['id']:>4}  {r['title']}  ({r['fragments']} fragments, {r['cases']} cases, "
                           f"missing: {', '.join(r['missing']) or 'none'})" for r in rows]
         or ["(no accounts yet: create one with 'qdaapp account add')"])
    return 0


def cmd_account_show(args: argparse.Namespace) -> int:
    with opened(args, read_only=True) as project, project.read_session() as s:
        data = flowgraph.show(s, args.account)
    lines = [data["title"], data["description"]] if data["description"] else [data["title"]]
    for i, f in enumerate(data["fragments"], start=1):
        lines.append(f"{i:>3}. [{f['act'] or '-'}] {f['summary']}  ({f['case'] or 'no case'}; "
                     f"actors: {', '.join(f['actors']) or '-'}; {len(f['passages'])} passage(s); id {f['id']})")
    lines.append(f"passages: {len(data['passages'])}; actors: {', '.join(data['actors']) or '-'}")
    emit(data, args.json, lines)
    return 0


def cmd_account_check(args: argparse.Namespace) -> int:
    with opened(args, read_only=True) as project, project.read_session() as s:
        account = narrative.resolve_account(s, args.account)
        check = flowgraph.completeness(s, account.id)
    data = {k: check[k] for k in ("present", "missing", "cases", "sources")}
    emit(data, args.json, [f"present: {', '.join(data['present']) or 'none'}",
                           f"missing: {', '.join(data['missing']) or 'none'}",
                           f"cases: {data['cases']}; sources: {data['sources']}"])
    return 0


def cmd_account_candidates(args: argparse.Namespace) -> int:
    from .search_cmds import ensure_indexed

    with opened(args) as project:
        ensure_indexed(project)
        with project.read_session() as s:
            account = narrative.resolve_account(s, args.account)
            present = args.act in flowgraph.completeness(s, account.id)["present"]
            found = act_candidates.candidates(s, account.id, args.act, limit=args.limit, near=args.near)
    lines = [f"{args.act} candidates near the passages of '{account.title}'"
             + (f" (it has {args.act} already)" if present else "") + ":"]
    for n, c in enumerate(found, start=1):
        away = f"{c.distance} sentence{'s' if c.distance != 1 else ''} away"
        lines.append(f"{n:>3}. {c.source}:{c.start}:{c.end} · {c.speaker or 'no speaker'} · {away} · {c.reason}")
        lines.append(f"     {c.text[:300]}")
    if not found:
        lines.append("     none: no sentence near the account's passages has a phrase of the act or is like them")
    emit([c.as_dict() for c in found], args.json, lines)
    return 0


def cmd_account_passage(args: argparse.Namespace) -> int:
    source, start, end = narrative.parse_passage(args.passage)
    with opened(args) as project:
        pid = project.run(narrative.add_passage, args.account, source, start, end, added_by=project.coder)
    print(f"added passage {pid}")
    return 0


def cmd_fragment_add(args: argparse.Namespace) -> int:
    passages = [narrative.parse_passage(p) for p in args.passage]
    with opened(args) as project:
        fid = project.run(narrative.add_fragment, args.account, args.summary, act=args.act, case_ref=args.case,
                          actors=args.actor, passages=passages, after=args.after)
    emit({"id": fid}, args.json, [f"added fragment {fid}"])
    return 0


def cmd_account_delete(args: argparse.Namespace) -> int:
    with opened(args) as project:
        project.run(narrative.delete_account, args.account, reason=args.reason)
    print(f"deleted account {args.account} (its codings stay)")
    return 0


def cmd_fragment_delete(args: argparse.Namespace) -> int:
    with opened(args) as project:
        project.run(narrative.delete_fragment, args.fragment, reason=args.reason)
    print(f"deleted fragment {args.fragment}")
    return 0


def cmd_fragment_move(args: argparse.Namespace) -> int:
    with opened(args) as project:
        project.run(narrative.move_fragment, args.fragment, args.to - 1)
    print(f"moved fragment {args.fragment} to place {args.to}")
    return 0


def cmd_flowchart(args: argparse.Namespace) -> int:
    from qdaapp.render.flowchart import export

    if args.landscape and not args.page:
        raise InvalidInput("--landscape needs --page a4 or --page letter.")
    with opened(args, read_only=True) as project, project.read_session() as s:
        graph = flowgraph.account_graph(s, args.account, keep_saved=not args.relayout, mode=args.layout)
    out = write_atomically(args.out, lambda tmp: export(graph, tmp, page=args.page, landscape=args.landscape),
                           (".svg", ".png", ".pdf"))
    paper = f" on {args.page.upper() if args.page == 'a4' else 'Letter'}" if args.page else ""
    print(f"wrote {out} ({len(graph.boxes)} fragments, {args.layout}{paper})")
    return 0


def cmd_framework(args: argparse.Namespace) -> int:
    with opened(args, read_only=True) as project, project.read_session() as s:
        out = export_matrix(s, Path(args.out), rows=args.rows, cols=args.cols,
                            include_interviewer=args.include_interviewer)
        sealed = seal_of(s)
    print(f"wrote {out}")
    print(f"seal: {sealed}")
    return 0
