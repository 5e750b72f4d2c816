"""Marker density: hits per 1,000 words, per case and per speech act, from a marker run.

The figures come from the latest marker run (or the run given). Hits the
user rejected are left out; candidates and accepted hits count. The words
counted are those of the sources the run searched: the sources it was given
(or all of them), in the lexicon's language, imported before the run.
"""

from __future__ import annotations

from typing import Any

from qdaapp.core import plugin_api
from qdaapp.core.lexicon import ACTS

NO_CASE = "(no case)"
ALL_CASES = "All cases"


def _rate(hits: int, words: int) -> float:
    return round(1000.0 * hits / words, 2) if words else 0.0


def _group(name: str, sources: int, words: int, counts: dict[str, int]) -> dict[str, Any]:
    hits = sum(counts.values())
    return {"case": name, "sources": sources, "words": words, "hits": hits, "per_1000": _rate(hits, words),
            "acts": {act: {"hits": counts.get(act, 0), "per_1000": _rate(counts.get(act, 0), words)} for act in ACTS}}


def compute(project: Any, run: int | None = None) -> dict[str, Any]:
    """The density table of marker run ``run`` (default: the latest) of ``project``."""
    found = plugin_api.marker_run(project, run)
    sources = [(src.id, src.words, src.case) for src in plugin_api.run_sources(project, found)]
    counts = [(source_id, act, n) for (source_id, act), n in plugin_api.marker_hit_counts(project, found).items()]
    run_info = {"run": found.id, "lexicon": found.lexicon, "lexicon_version": found.lexicon_version,
                "language": found.language, "created_at": found.created_at}
    by_source: dict[int, dict[str, int]] = {}
    for source_id, act, n in counts:
        by_source.setdefault(source_id, {})[act] = n
    cases: dict[str, list] = {}
    for source_id, words, case in sources:
        cases.setdefault(case or NO_CASE, []).append((source_id, words or 0))
    groups = []
    for name in sorted(cases, key=lambda c: (c == NO_CASE, c.lower())):
        members = cases[name]
        tally: dict[str, int] = {}
        for source_id, _words in members:
            for act, n in by_source.get(source_id, {}).items():
                tally[act] = tally.get(act, 0) + n
        groups.append(_group(name, len(members), sum(w for _, w in members), tally))
    total_counts: dict[str, int] = {}
    for g in groups:
        for act in ACTS:
            total_counts[act] = total_counts.get(act, 0) + g["acts"][act]["hits"]
    total = _group(ALL_CASES, sum(g["sources"] for g in groups), sum(g["words"] for g in groups), total_counts)
    columns = ["case", "sources", "words", "hits", "per_1000"] + [f"{act}_per_1000" for act in ACTS]
    rows = [[g["case"], g["sources"], g["words"], g["hits"], g["per_1000"]] + [g["acts"][a]["per_1000"] for a in ACTS]
            for g in [*groups, total]]
    title = (f"Marker density (hits per 1,000 words), marker run {run_info['run']}: "
             f"lexicon {run_info['lexicon']} v{run_info['lexicon_version']}")
    return {"analysis": "marker-density", "title": title, **run_info,
            "counted": "candidate and accepted hits; rejected hits are left out", "acts": list(ACTS),
            "cases": groups, "total": total, "columns": columns, "rows": rows}
