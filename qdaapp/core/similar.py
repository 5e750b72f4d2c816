"""Find passages like these: rank the project's sentences, paragraphs or turns by the words they share
with example passages.

The examples' content lemmas (see :mod:`qdaapp.core.similar_index`) make a
weighted query: a lemma counts by the share of the examples that use it, so
what several examples have in common leads. Each unit is scored with BM25
over the lemma-count matrix (rare lemmas weigh more, a long unit does not win
by length alone). Units that overlap an example, and with ``exclude_node``
those already coded at that node, are left out. Every result says which
lemmas it shares with the examples, most weighty first.

Accepting results codes them with the bulk coding command
(:func:`qdaapp.core.coding.code_passages`) with origin ``similar`` and the
label :func:`label`, so the audit trail reads "similar to N examples".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import indexing
from . import nodes as node_ops
from .audit_text import cut
from .db import driver_connection
from .errors import InvalidInput, NotFound
from .models import AccountPassage, Coding, FragmentPassage, Source
from .progress import Cancelled
from .similar_index import LemmaMatrix, Units, matrix

UNITS = ("sentence", "paragraph", "turn")
ORIGIN = "similar"
MIN_TERMS = 3  # distinct content words the examples need between them
MAX_QUERY_TERMS = 300  # the weightiest lemmas of many long examples are enough to rank by
K1, B = 1.2, 0.75  # BM25's usual constants


@dataclass(frozen=True)
class Example:
    source_id: int
    start: int  # code points
    end: int


@dataclass(frozen=True)
class Similar:
    source: str  # source name
    source_id: int
    start: int
    end: int
    score: float  # higher is more similar; comparable within one ranking only
    text: str  # the unit's text
    shared_terms: tuple[str, ...]  # lemmas shared with the examples, most weighty first

    def as_dict(self) -> dict:
        return {"source": self.source, "source_id": self.source_id, "start": self.start, "end": self.end,
                "score": round(self.score, 4), "text": self.text, "shared_terms": list(self.shared_terms)}


def label(examples: int) -> str:
    """What a coding command made from accepted results records as how they were found."""
    return f"similar to {examples} example{'s' if examples != 1 else ''}"


def examples_of(session: Session, *, coding_ids: Sequence[int] = (), node_id: int | None = None,
                account_id: int | None = None, fragment_id: int | None = None) -> list[Example]:
    """The passages of some codings, of every coding at a node, or of an account or fragment, in order."""
    spans: list[tuple[int, int, int]] = []
    if coding_ids:
        wanted = [int(i) for i in coding_ids]
        found = {cid: (sid, a, b) for cid, sid, a, b in session.execute(
            select(Coding.id, Coding.source_id, Coding.start, Coding.end).where(Coding.id.in_(wanted)))}
        missing = [str(i) for i in wanted if i not in found]
        if missing:
            raise NotFound(f"There is no coding with id {', '.join(missing)}. List codings with 'qdaapp codings'.")
        spans += [found[i] for i in wanted]
    if node_id is not None:
        node = node_ops.resolve(session, node_id)
        spans += list(session.execute(select(Coding.source_id, Coding.start, Coding.end)
                                      .where(Coding.node_id == node.id)))
    if account_id is not None:
        from .narrative import resolve_account

        account = resolve_account(session, account_id)
        spans += list(session.execute(select(AccountPassage.source_id, AccountPassage.start, AccountPassage.end)
                                      .where(AccountPassage.account_id == account.id)))
    if fragment_id is not None:
        from .narrative import resolve_fragment

        fragment = resolve_fragment(session, fragment_id)
        spans += list(session.execute(select(FragmentPassage.source_id, FragmentPassage.start, FragmentPassage.end)
                                      .where(FragmentPassage.fragment_id == fragment.id)))
    return [Example(sid, a, b) for sid, a, b in sorted(set(spans))]


def rank(session: Session, examples: Sequence[Example], *, unit: str = "sentence", top: int = 50,
         sources: Sequence[int] | None = None, exclude_node: int | None = None,
         progress: Callable[[int, int], bool] | None = None, include_interviewer: bool = False) -> list[Similar]:
    """The ``top`` units most like ``examples``, best first (only units that share a word with them).

    Units that start in an interviewer's turn are left out unless ``include_interviewer`` (as in
    keyword search and marker runs: nothing is left out while no speaker is known as an interviewer).

    ``sources`` limits the ranking to those sources; ``progress(done, total)`` is told how the
    reading of the index goes (the first ranking of a project, or the first after indexing) and
    may return False to stop: :class:`Cancelled` is raised and nothing changes.
    """
    if unit not in UNITS:
        raise InvalidInput(f"'{unit}' is not a unit to rank; use sentence, paragraph or turn.")
    if top < 1:
        raise InvalidInput(f"--top must be at least 1 (it was {top}).")
    if not examples:
        raise InvalidInput("There are no example passages: choose one or more coded passages (or a node that "
                           "has some) to find passages like them.")
    scope = _check_sources(session, examples, sources)

    def told(done: int, total: int) -> None:
        if progress is not None and progress(done, total) is False:
            raise Cancelled()

    m = matrix(session, told)
    units = m.units(session, unit)
    query = _query(session, m, examples)
    weights, scores = _scores(units, query)
    keep = scores > 0
    if sources is not None:
        keep &= np.isin(units.source, np.asarray(sorted(scope), dtype=np.int32))
    for ex in examples:
        keep[units.overlapping(ex.source_id, ex.start, ex.end)] = False
    if exclude_node is not None:
        node = node_ops.resolve(session, exclude_node)
        for sid, a, b in session.execute(select(Coding.source_id, Coding.start, Coding.end)
                                         .where(Coding.node_id == node.id)):
            keep[units.overlapping(sid, a, b)] = False
    if not include_interviewer:
        _leave_out_interviewers(session, units, keep)
    told(1, 1)
    return _results(session, m, units, scores, keep, weights, top)


def _leave_out_interviewers(session: Session, units: Units, keep: np.ndarray) -> None:
    from . import speakers

    for sid, spans in speakers.interviewer_spans(session).items():
        lo, hi = units.source_range(sid)
        if lo == hi or not spans:
            continue
        starts = units.start[lo:hi]
        bounds = np.asarray(spans, dtype=np.int64)
        at = np.searchsorted(bounds[:, 0], starts, "right") - 1
        inside = (at >= 0) & (starts < bounds[np.maximum(at, 0), 1])
        keep[lo:hi] &= ~inside


def _check_sources(session: Session, examples: Sequence[Example], sources: Sequence[int] | None) -> set[int]:
    """The ids of the sources to rank; refuses an empty project, unknown ids and unindexed sources."""
    names = dict(session.execute(select(Source.id, Source.name)).all())
    if not names:
        raise InvalidInput("The project has no sources yet, so there is nothing to compare the examples with. "
                           "Import some first.")
    scope = set(names) if sources is None else {int(i) for i in sources}
    unknown = sorted(scope - set(names)) + sorted({ex.source_id for ex in examples} - set(names))
    if unknown:
        raise NotFound(f"There is no source with id {', '.join(map(str, unknown))}. List sources with "
                       "'qdaapp sources'.")
    if not scope:
        raise InvalidInput("No source is in the chosen scope, so there is nothing to rank.")
    needed = scope | {ex.source_id for ex in examples}
    waiting = [sid for sid in indexing.pending(session) if sid in needed]
    if waiting:
        listed = ", ".join(names[sid] for sid in waiting[:3]) + (" and others" if len(waiting) > 3 else "")
        raise InvalidInput(f"{len(waiting)} source(s) are not indexed yet ({listed}), so their words cannot be "
                           "compared. Index them first ('qdaapp index PROJECT', or wait until the app has "
                           "finished indexing) and try again.")
    for ex in examples:
        if ex.start >= ex.end:
            raise InvalidInput(f"The example passage {ex.start}-{ex.end} of {names[ex.source_id]} is empty.")
    return scope


def _query(session: Session, m: LemmaMatrix, examples: Sequence[Example]) -> dict[int, float]:
    """term id -> share of the examples whose words include it."""
    conn = driver_connection(session.connection().connection)
    seen: dict[int, int] = {}
    for ex in examples:
        terms: set[int] = set()
        for lemmas, offsets in conn.execute(
                'SELECT lemmas, offsets FROM sentences WHERE source_id = ? AND start < ? AND "end" > ?',
                (ex.source_id, ex.end, ex.start)):
            bounds = indexing.unpack_offsets(offsets)
            for i, lemma in enumerate(lemmas.split(" ")):
                if bounds[2 * i] < ex.end and bounds[2 * i + 1] > ex.start:
                    tid = m.vocabulary.get(lemma)
                    if tid is not None:
                        terms.add(tid)
        for tid in terms:
            seen[tid] = seen.get(tid, 0) + 1
    if len(seen) < MIN_TERMS:
        raise InvalidInput(_too_short(session, examples, [m.terms[t] for t in seen]))
    return {tid: n / len(examples) for tid, n in seen.items()}


def _too_short(session: Session, examples: Sequence[Example], words: list[str]) -> str:
    ex = examples[0]
    body = session.execute(select(Source.text, Source.name).where(Source.id == ex.source_id)).one()
    quote = cut(body[0][ex.start:ex.end], 60)
    what = (f"the example '{quote}' in {body[1]}" if len(examples) == 1
            else f"the {len(examples)} examples (the first: '{quote}' in {body[1]})")
    about = "what it is about" if len(examples) == 1 else "what they are about"
    if words:
        listed = " and ".join(f"'{w}'" for w in sorted(words))
        has = f"only {listed} say{'s' if len(words) == 1 else ''} {about}"
    else:
        has = f"no word says {about}"
    return (f"There is too little to compare in {what}: {has} (short and common words such as 'yes', 'it' "
            "or 'we' are left out). Choose a longer passage, or several.")


def _scores(units: Units, query: dict[int, float]) -> tuple[dict[int, float], np.ndarray]:
    """BM25 of every unit for the weighted query; the weight of each query term too."""
    n = max(units.count, 1)
    idf = {t: float(np.log1p((n - units.doc_freq[t] + 0.5) / (units.doc_freq[t] + 0.5))) for t in query}
    weights = {t: q * idf[t] for t, q in query.items() if units.doc_freq[t] > 0}
    chosen = sorted(weights, key=lambda t: -weights[t])[:MAX_QUERY_TERMS]
    weights = {t: weights[t] for t in chosen}
    scores = np.zeros(units.count, dtype=np.float64)
    if not chosen:
        return weights, scores
    terms = np.asarray(chosen, dtype=np.int64)
    first, last = units.term_ptr[terms], units.term_ptr[terms + 1]
    sizes = last - first
    # every posting of every query term, in one array: first[i], first[i]+1, ... for each term i
    at = np.repeat(first - np.concatenate(([0], np.cumsum(sizes)[:-1])), sizes) + np.arange(int(sizes.sum()))
    who = units.term_units[at]
    tf = units.term_counts[at]
    norm = K1 * (1 - B + B * units.length[who] / max(float(units.length.mean()), 1.0))
    weight = np.repeat(np.asarray([weights[t] for t in chosen]), sizes)
    scores += np.bincount(who, weights=weight * tf * (K1 + 1) / (tf + norm), minlength=units.count)
    return weights, scores


def _results(session: Session, m: LemmaMatrix, units: Units, scores: np.ndarray, keep: np.ndarray,
             weights: dict[int, float], top: int) -> list[Similar]:
    candidates = np.flatnonzero(keep)
    if len(candidates) > top:
        candidates = candidates[np.argpartition(-scores[candidates], top - 1)[:top]]
    order = sorted(candidates.tolist(), key=lambda u: (-scores[u], u))
    conn = driver_connection(session.connection().connection)
    names = dict(session.execute(select(Source.id, Source.name)).all())
    out = []
    for u in order:
        sid, a, b = int(units.source[u]), int(units.start[u]), int(units.end[u])
        body = conn.execute("SELECT substr(text, ?, ?) FROM sources WHERE id = ?", (a + 1, b - a, sid)).fetchone()[0]
        lo, hi = int(units.unit_ptr[u]), int(units.unit_ptr[u + 1])
        held = {int(t): float(c) for t, c in zip(units.unit_terms[lo:hi], units.unit_counts[lo:hi], strict=True)}
        shared = sorted((t for t in held if t in weights), key=lambda t: (-weights[t] * held[t], m.terms[t]))
        out.append(Similar(names.get(sid, ""), sid, a, b, float(scores[u]), body,
                           tuple(m.terms[t] for t in shared)))
    return out


def shared_spans(session: Session, result: Similar) -> list[tuple[int, int]]:
    """Where in ``result`` (code points of its source) the words it shares with the examples are."""
    conn = driver_connection(session.connection().connection)
    shared = set(result.shared_terms)
    out = []
    for lemmas, offsets in conn.execute(
            'SELECT lemmas, offsets FROM sentences WHERE source_id = ? AND start < ? AND "end" > ? ORDER BY start',
            (result.source_id, result.end, result.start)):
        bounds = indexing.unpack_offsets(offsets)
        for i, lemma in enumerate(lemmas.split(" ")):
            a, b = bounds[2 * i], bounds[2 * i + 1]
            if lemma in shared and a >= result.start and b <= result.end:
                out.append((a, b))
    return out


def coded_at(session: Session, node_id: int, passages: Sequence[tuple[int, int, int]]) -> set[tuple[int, int, int]]:
    """Which of ``passages`` (source id, start, end) are coded at ``node_id`` with exactly that span."""
    wanted = set(passages)
    sources_of = sorted({sid for sid, _a, _b in wanted})
    found = set()
    for chunk in range(0, len(sources_of), 500):
        for row in session.execute(select(Coding.source_id, Coding.start, Coding.end).where(
                Coding.node_id == node_id, Coding.source_id.in_(sources_of[chunk:chunk + 500]))):
            if tuple(row) in wanted:
                found.add((row[0], row[1], row[2]))
    return found
