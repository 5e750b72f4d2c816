"""CLI: indexing, keyword search, marker runs, review and the lexicon."""

from __future__ import annotations

import argparse
import os
import sys

from qdaapp.core import coding as coding_ops
from qdaapp.core import indexing, lexicon, markers, review, search
from qdaapp.core import nodes as node_ops
from qdaapp.core import sources as source_ops

from . import UserError, emit
from .project_cmds import opened, terminal_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="build the search indexes of sources that lack them")
    p.add_argument("project")
    p.add_argument("--workers", type=int, metavar="N",
                   help="processes that analyse sentences beside the one writing (0: none; default: one per "
                        "core but one, when there is enough text)")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="keyword search: words, \"phrases\", manag*, AND OR NOT, NEAR(a b, 5)")
    p.add_argument("project")
    p.add_argument("query")
    p.add_argument("--forms", action="store_true", help="match word forms through lemmas (had to = have to)")
    p.add_argument("--scope", action="append", default=[],
                   help="source:ID | kind:KIND | attr:NAME=VALUE | node:ID (repeatable)")
    p.add_argument("--code", metavar="NODE", help="code every result at NODE")
    p.add_argument("--spread", default="hit", choices=search.SPREADS, help="with --code: what to code")
    p.add_argument("--reason", default="", metavar="TEXT", help="with --code: why, kept in the audit trail")
    p.add_argument("--include-interviewer", action="store_true",
                   help="search interviewer turns too (left out by default once roles are known; "
                        "see 'qdaapp speakers')")
    p.add_argument("--coder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("markers", help="run a speech-act marker search and store the run")
    p.add_argument("project")
    p.add_argument("--lexicon", default="greimas-en", help="lexicon name (default greimas-en)")
    p.add_argument("--act", action="append", default=[], choices=lexicon.ACTS)
    p.add_argument("--source", action="append", default=[])
    p.add_argument("--group", action="append", default=[], metavar="NAME",
                   help="also use the phrases of this group of the lexicon (such as modals, off by default)")
    p.add_argument("--skip-group", action="append", default=[], metavar="NAME",
                   help="leave out the phrases of this group (such as performance or sanction, on by default)")
    p.add_argument("--include-low-precision", action="store_true",
                   help="use every phrase group, including those that are off by default (bare modal verbs)")
    p.add_argument("--include-interviewer", action="store_true",
                   help="find markers in interviewer turns too (left out by default once roles are known)")
    p.add_argument("--coder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_markers)

    p = sub.add_parser("review", help="accept or reject the hits of a marker run")
    p.add_argument("project")
    p.add_argument("run", type=int)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--accept", choices=["all"], help="accept every candidate hit")
    what.add_argument("--accept-marker", metavar="PHRASE", help="accept the candidate hits of one marker")
    what.add_argument("--reject-marker", metavar="PHRASE", help="reject the candidate hits of one marker")
    what.add_argument("--accept-source", metavar="SOURCE", help="accept the candidate hits in one source")
    what.add_argument("--reject-source", metavar="SOURCE", help="reject the candidate hits in one source")
    what.add_argument("--accept-speaker", metavar="NAME", help="accept the candidate hits of one speaker")
    what.add_argument("--reject-speaker", metavar="NAME", help="reject the candidate hits of one speaker")
    what.add_argument("--accept-hit", type=int, nargs="+", metavar="HIT_ID")
    what.add_argument("--reject", type=int, nargs="+", metavar="HIT_ID")
    what.add_argument("--list", action="store_true", help="list the run's hits")
    p.add_argument("--spread", default="sentence", choices=["sentence", "turn", "hit", "paragraph"])
    p.add_argument("--skip-speaker", action="append", default=[], help="leave hits of this speaker (e.g. Interviewer)")
    p.add_argument("--include-negated", action="store_true",
                   help="a bulk accept codes negated hits too ('did not have to'; left to review one by one "
                        "by default)")
    p.add_argument("--reason", default="", metavar="TEXT", help="why, kept in the audit trail with the decision")
    p.add_argument("--coder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("runs", help="list marker runs with their review counts")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_runs)

    lex = sub.add_parser("lexicon", help="show or edit the project's lexicon").add_subparsers(
        dest="lexicon_cmd", metavar="ACTION")
    p = lex.add_parser("show", help="print the lexicon the project uses")
    p.add_argument("project")
    p.add_argument("--lexicon", default="greimas-en")
    p.set_defaults(func=cmd_lexicon_show)
    p = lex.add_parser("edit", help="add, move, remove or exclude a phrase (project copy, versioned)")
    p.add_argument("project")
    p.add_argument("--lexicon", default="greimas-en")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--add", nargs=2, metavar=("ACT", "PHRASE"))
    how.add_argument("--move", nargs=2, metavar=("PHRASE", "ACT"))
    how.add_argument("--remove", metavar="PHRASE")
    how.add_argument("--exclude", nargs=2, metavar=("ACT", "PHRASE"))
    p.add_argument("--coder")
    p.set_defaults(func=cmd_lexicon_edit)


def ensure_indexed(project, nlp: bool = True) -> None:
    with project.read_session() as s:
        todo = indexing.pending(s, need_nlp=nlp)
    if todo and not project.read_only:
        indexing.index_sources(project, todo, nlp=nlp, progress=terminal_progress("Indexing"))


def cmd_index(args: argparse.Namespace) -> int:
    with opened(args) as project:
        n = indexing.index_sources(project, progress=terminal_progress("Indexing"), workers=args.workers)
    print(f"indexed {n} source(s)")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    scope = search.Scope.parse(args.scope)
    with opened(args) as project:
        ensure_indexed(project, nlp=args.forms or (args.code is not None and args.spread == "sentence"))
        with project.read_session() as s:
            hits = search.keyword_search(s, args.query, scope, forms=args.forms,
                                         include_interviewer=args.include_interviewer)
            if args.code:
                node_id = node_ops.resolve(s, args.code).id
                spans = sorted(set(search.spread_spans(s, [(h.source_id, h.start, h.end) for h in hits], args.spread)))
        if args.code:
            made = 0
            if spans:
                try:
                    label = f"{len(hits)} result(s) of the search {args.query}, {args.spread}"
                    made = project.run(coding_ops.code_passages, spans, node_id, args.coder or project.coder,
                                       origin=f"search:{args.query}"[:64], label=label, reason=args.reason)["coded"]
                except coding_ops.AlreadyCoded:
                    pass  # every passage is coded there already
            sys.stderr.write(f"coded {made} passage(s) at {args.code}\n")
    if args.json:
        keys = ("source", "source_id", "start", "end", "text", "left", "right", "page")
        emit([{k: d[k] for k in keys} for d in (h.as_dict() for h in hits)], True)
    else:
        emit(None, False, [f"{h.source}:{h.start}-{h.end}  …{h.left[-40:]}[{h.text}]{h.right[:40]}…" for h in hits]
             + [f"{len(hits)} hit(s)"])
    return 0


def cmd_markers(args: argparse.Namespace) -> int:
    with opened(args) as project:
        ensure_indexed(project)
        with project.read_session() as s:
            spec = lexicon.load(s, args.lexicon)
            ids = [source_ops.resolve(s, ref).id for ref in args.source] or None
        groups = spec.default_groups() + spec.check_groups(args.group)
        if args.include_low_precision:
            groups = list(spec.groups)
        skipped = spec.check_groups(args.skip_group)
        groups = [g for g in dict.fromkeys(groups) if g not in skipped]
        # Both cores: a forked helper matches half the sentences (the hits are the same).
        run_id = project.run(markers.run_markers, spec, source_ids=ids, acts=args.act or None,
                             coder=args.coder or project.coder, groups=groups,
                             include_interviewer=args.include_interviewer, workers=min(2, _cores()))
        # In list_hits' order, without the sentences (neither output shows them): no text is read.
        with project.read_session() as s:
            if args.json:
                keys = ("id", "source", "source_id", "start", "end", "act", "marker", "polarity", "subject",
                        "speaker", "sentence_start", "sentence_end")
                emit({"run": run_id, "hits": [{k: getattr(h, k) for k in keys} for h in review.listed_hits(s, run_id)]},
                     True)
            else:
                lines = [f"{h.id:>6}  {h.act:<12} {h.marker!r:<18} {h.polarity:<8} {h.subject or '-':<5} "
                         f"{h.speaker or '-':<14} {h.source}:{h.start}" for h in review.listed_hits(s, run_id)]
                emit(None, False, [f"run {run_id}: {len(lines)} hit(s)"] + lines)
    return 0


def _cores() -> int:
    """The cores this process may run on (a container or an affinity mask may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def cmd_review(args: argparse.Namespace) -> int:
    with opened(args, read_only=bool(args.list)) as project:
        coder = args.coder or project.coder
        with project.read_session() as s:
            if args.list:
                rows = [h.as_dict() for h in review.list_hits(s, args.run)]
                emit(rows, args.json, [f"{r['id']:>6} {r['status']:<9} {r['act']:<12} {r['marker']!r:<16} "
                                       f"{r['sentence'][:70]!r}" for r in rows])
                return 0
            reject = bool(args.reject or args.reject_marker or args.reject_source or args.reject_speaker)
            if args.reject or args.accept_hit:
                ids = review.select_hits(s, args.run, hit_ids=args.reject or args.accept_hit, status=None)
            else:
                marker = args.accept_marker or args.reject_marker
                source = args.accept_source or args.reject_source
                speaker = args.accept_speaker or args.reject_speaker
                source_id = source_ops.resolve(s, source).id if source else None
                ids = review.select_hits(s, args.run, marker=marker, source_id=source_id, speaker=speaker,
                                         skip_speakers=args.skip_speaker)
                which = (f"of the marker '{marker}'" if marker else f"in the source '{source}'" if source
                         else f"of the speaker '{speaker}'" if speaker else "")
                if which and not ids:
                    raise UserError(f"run #{args.run} has no candidate hits {which}.")
        if not ids:
            raise UserError(f"run #{args.run} has no candidate hits left to review.")
        left: list[int] = []
        if not reject and not args.accept_hit:  # a bulk accept: negated hits wait unless included
            with project.read_session() as s:
                pick = review.pick_bulk_accept(s, args.run, ids, include_negated=args.include_negated)
            ids, left = pick.accept, pick.left
            if not ids:
                raise UserError(f"the {len(left)} candidate hit(s) {which or 'of run #' + str(args.run)} are negated; "
                                "accept them one by one (--accept-hit) or add --include-negated.")
        if reject:
            result = project.run(review.reject_hits, args.run, ids, coder=coder, reason=args.reason)
        else:
            result = project.run(review.accept_hits, args.run, ids, spread=args.spread, coder=coder,
                                 reason=args.reason)
    if left:
        result = {**result, "negated_left": len(left)}
    lines = [", ".join(f"{k}: {v}" for k, v in result.items())]
    if left:
        lines.append(f"{len(left)} negated hit(s) left to review one by one (--accept-hit, or --include-negated)")
    emit(result, args.json, lines)
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    with opened(args, read_only=True) as project, project.read_session() as s:
        rows = review.list_runs(s)
    emit(rows, args.json, [f"run {r['run']}: {r['lexicon']} v{r['version']} by {r['coder']} at {r['created_at'][:16]}"
                           f"  {r['hits']} hits ({r.get('accepted', 0)} accepted, {r.get('rejected', 0)} rejected)"
                           for r in rows] or ["(no marker runs yet: run 'qdaapp markers PROJECT')"])
    return 0


def cmd_lexicon_show(args: argparse.Namespace) -> int:
    with opened(args, read_only=True) as project, project.read_session() as s:
        spec = lexicon.load(s, args.lexicon)
    sys.stdout.write(lexicon.dump(spec))
    return 0


def cmd_lexicon_edit(args: argparse.Namespace) -> int:
    with opened(args) as project:
        version = project.run(lexicon.edit_lexicon, args.lexicon, add=tuple(args.add) if args.add else None,
                              move=tuple(args.move) if args.move else None, remove=args.remove,
                              exclude=tuple(args.exclude) if args.exclude else None, editor=project.coder)
    print(f"lexicon {args.lexicon} is now version {version} in this project")
    return 0
