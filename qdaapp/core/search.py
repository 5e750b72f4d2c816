"""Keyword search: the index answers, the text is not rescanned.

Exact search asks the FTS5 paragraph index (``text_fts``) and then finds
each term's position inside the few matching paragraphs. Word-forms search
asks the lemma index (``lemma_fts``) and matches lemma sequences on the
stored tokens of the candidate sentences, so "have to" finds "had to" and
"having to". Results come back as a keyword-in-context list with code point
offsets. FTS5 is SQLite's; this module is the only one that knows that.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from . import fts_text, indexing, speakers
from .errors import InvalidInput
from .models import Attribute, AttributeValue, Case, Coding, Sentence, Source
from .query import ParsedQuery, Term, parse
from .text import page_of

CONTEXT = 60


@dataclass
class Scope:
    """Which text to search. Empty fields mean no restriction."""

    source_ids: list[int] | None = None
    kinds: list[str] | None = None
    case_attribute: tuple[str, str] | None = None  # (name, value)
    node_ids: list[int] | None = None  # only text coded at these nodes

    @classmethod
    def parse(cls, specs: list[str]) -> Scope:
        """From CLI words: ``source:ID``, ``kind:interview``, ``attr:role=nurse``, ``node:ID``."""
        scope = cls()
        for spec in specs:
            key, _, value = spec.partition(":")
            if key == "source" and value.isdigit():
                scope.source_ids = (scope.source_ids or []) + [int(value)]
            elif key == "kind" and value:
                scope.kinds = (scope.kinds or []) + [value]
            elif key == "attr" and "=" in value:
                name, _, val = value.partition("=")
                scope.case_attribute = (name.strip(), val.strip())
            elif key == "node" and value.isdigit():
                scope.node_ids = (scope.node_ids or []) + [int(value)]
            else:
                raise InvalidInput(
                    f"'{spec}' is not a scope; use source:ID, kind:interview, attr:NAME=VALUE or node:ID."
                )
        return scope


class KeywordHit(NamedTuple):
    """One hit. A named tuple: a phrase query over a whole study makes thousands at once."""

    source: str
    source_id: int
    start: int
    end: int
    text: str
    left: str
    right: str
    page: int | None
    case: str | None

    def as_dict(self) -> dict:
        return self._asdict()


def allowed_sources(session: Session, scope: Scope) -> dict[int, tuple[str, str | None, list[int] | None]]:
    """source id -> (name, case name, page starts) for the sources in scope."""
    q = select(Source.id, Source.name, Case.name, Source.page_starts).outerjoin(Case, Case.id == Source.case_id)
    if scope.source_ids:
        q = q.where(Source.id.in_(scope.source_ids))
    if scope.kinds:
        q = q.where(Source.kind.in_(scope.kinds))
    if scope.case_attribute:
        name, value = scope.case_attribute
        cases = (
            select(AttributeValue.case_id)
            .join(Attribute, Attribute.id == AttributeValue.attribute_id)
            .where(Attribute.name == name, AttributeValue.value == value, AttributeValue.case_id.is_not(None))
        )
        q = q.where(Source.case_id.in_(cases))
    return {r[0]: (r[1], r[2], json.loads(r[3]) if r[3] else None) for r in session.execute(q)}


def _coded_filter(session: Session, node_ids: list[int]):
    spans: dict[int, list[tuple[int, int]]] = {}
    for sid, a, b in session.execute(
        select(Coding.source_id, Coding.start, Coding.end).where(Coding.node_id.in_(node_ids))
    ):
        spans.setdefault(sid, []).append((a, b))

    def inside(sid: int, a: int, b: int) -> bool:
        return any(s <= a and b <= e for s, e in spans.get(sid, ()))

    return inside


def _check_searchable(session: Session, allowed: dict) -> None:
    if allowed:
        return
    if not session.scalar(select(Source.id).limit(1)):
        raise InvalidInput("There is nothing to search: the project has no sources yet. Import some first.")
    if not allowed:
        raise InvalidInput("No source is in the chosen scope, so there is nothing to search.")


def keyword_search(
    session: Session, query: str | ParsedQuery, scope: Scope | None = None, forms: bool = False,
    context: int = CONTEXT, include_interviewer: bool = False,
) -> list[KeywordHit]:
    """Every occurrence of the query's terms in scope, in source order.

    Hits inside interviewer turns are left out unless ``include_interviewer``
    (nothing is left out while no speaker in scope is known as an interviewer).

    With ``context=0`` only positions and hit text come back (what a list
    view needs first); :func:`add_context` fills the KWIC columns later.
    """
    parsed = parse(query) if isinstance(query, str) else query
    scope = scope or Scope()
    allowed = allowed_sources(session, scope)
    _check_searchable(session, allowed)
    if not indexing.fts_available(session):
        raise InvalidInput("Keyword search needs a SQLite project.")
    missing = set(indexing.pending(session, need_nlp=forms)) & set(allowed)
    if missing:
        raise InvalidInput(
            f"{len(missing)} source(s) are not indexed yet; wait for indexing to finish "
            "(or run 'qdaapp index PROJECT') and search again."
        )
    raw = _forms_hits(session, parsed, allowed) if forms else _exact_hits(session, parsed, allowed)
    if scope.node_ids:
        inside = _coded_filter(session, scope.node_ids)
        raw = [h for h in raw if inside(h[0], h[1], h[2])]
    raw.sort()
    # Only the sources with hits need their interviewer turns (the roles still weigh every source).
    left_out = {} if include_interviewer or not raw else speakers.interviewer_spans(
        session, sorted({h[0] for h in raw}))
    if left_out:
        raw = speakers.keep_outside(raw, left_out)
    out: list[KeywordHit] = []
    append = out.append
    for sid, a, b, hit_text, _ in raw:
        name, case, page_starts = allowed[sid]
        append(KeywordHit(name, sid, a, b, hit_text or "", "", "", page_of(page_starts, a) if page_starts else None,
                          case))
    if context or forms:
        out = add_context(session, out, context)
    return out


def add_context(session: Session, hits: list[KeywordHit], width: int = CONTEXT) -> list[KeywordHit]:
    """Fill in the hit text and ``width`` characters of context either side (for display).

    Reads one source's text at a time and lets it go, so thousands of hits across a whole
    study never hold every text at once."""
    order: dict[int, list[int]] = {}
    for n, h in enumerate(hits):
        order.setdefault(h.source_id, []).append(n)
    out: list[KeywordHit | None] = [None] * len(hits)
    for sid, body in source_texts(session, list(order)):
        for n in order[sid]:
            h = hits[n]
            out[n] = KeywordHit(h.source, h.source_id, h.start, h.end, body[h.start:h.end],
                                body[max(0, h.start - width):h.start].replace("\n", " "),
                                body[h.end:h.end + width].replace("\n", " "), h.page, h.case)
    return out  # type: ignore[return-value]


def source_texts(session: Session, source_ids: list[int]) -> Iterator[tuple[int, str]]:
    """(id, text) of each of ``source_ids`` in turn, from one streaming query: a caller that
    cuts what it needs from each text holds one text at a time, not every one."""
    cursor = session.connection().connection.cursor()
    try:
        for i in range(0, len(source_ids), 500):
            chunk = source_ids[i:i + 500]
            yield from cursor.execute(
                f"SELECT id, coalesce(text, '') FROM sources WHERE id IN ({', '.join('?' for _ in chunk)})", chunk)
    finally:
        cursor.close()


_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use marks around FTS5's own highlights


def _exact_hits(session: Session, parsed: ParsedQuery, allowed: dict) -> list[tuple]:
    """Positions follow the index's own tokenizer: FTS5 picks the passages; the terms are found in
    them by :mod:`.fts_text` when that reproduces FTS5's marks exactly, else by highlight()."""
    if fts_text.usable(parsed):
        pattern = fts_text.term_pattern(parsed.terms)
        lowered_pattern = fts_text.term_pattern(parsed.terms, lowered=True)
        assert pattern is not None and lowered_pattern is not None  # usable: there is one term
        hits: list[tuple] = []
        unmarked = []
        add, finditer, lowered_finditer = hits.append, pattern.finditer, lowered_pattern.finditer
        for rowid, row in fts_text.matching(session, parsed.fts):
            if row is None:
                unmarked.append(rowid)
                continue
            sid, start, body, lowered = row
            if sid not in allowed:
                continue
            before = len(hits)
            for m in (finditer(body) if lowered is None else lowered_finditer(lowered)):
                a, b = m.span()
                if a and body[a - 1].isalnum():
                    continue  # starts inside a word (see fts_text.term_pattern)
                add((sid, start + a, start + b, body[a:b], None))
            if len(hits) == before:
                unmarked.append(rowid)
        if unmarked:
            hits.extend(_highlight_hits(session, parsed, allowed, unmarked))
        return hits
    return _highlight_hits(session, parsed, allowed)


def _driver_rows(session: Session, sql: str, params: tuple) -> list[tuple]:
    """Plain tuples from the driver's own cursor: no result-row objects for thousands of rows."""
    cursor = session.connection().connection.cursor()
    try:
        return cursor.execute(sql, params).fetchall()
    finally:
        cursor.close()


def _highlight_hits(session: Session, parsed: ParsedQuery, allowed: dict,
                    rowids: list[int] | None = None) -> list[tuple]:
    sql = "SELECT source_id, start, highlight(text_fts, 0, ?, ?) FROM text_fts WHERE text_fts MATCH ?"
    params: tuple = (_OPEN, _CLOSE, parsed.fts)
    if rowids is not None:
        sql += f" AND rowid IN ({', '.join('?' for _ in rowids)})"
        params += tuple(rowids)
    hits = []
    for sid, start, marked in _driver_rows(session, sql, params):
        if sid not in allowed:
            continue
        removed = 0
        i = marked.find(_OPEN)
        while i != -1:
            j = marked.find(_CLOSE, i)
            a = start + i - removed
            b = start + j - removed - 1
            hits.append((sid, a, b, marked[i + 1:j], None))
            removed += 2
            i = marked.find(_OPEN, j)
    return hits


def lemmatise_word(word: str) -> str:
    from . import nlp

    doc = nlp.pipeline()(word)
    return (doc[0].lemma_ or word).lower() if len(doc) == 1 else word.lower()


def _forms_hits(session: Session, parsed: ParsedQuery, allowed: dict) -> list[tuple]:
    lemma_query = parsed.map_words(lemmatise_word)
    rows = session.execute(
        text("SELECT s.id, s.source_id, s.lemmas, s.offsets FROM lemma_fts JOIN sentences s ON s.id = lemma_fts.rowid "
             "WHERE lemma_fts MATCH :q"),
        {"q": lemma_query.fts},
    ).all()
    hits = set()
    for _sid, source_id, lemmas, blob in rows:
        if source_id not in allowed:
            continue
        tokens = lemmas.split(" ")
        offsets = indexing.unpack_offsets(blob)
        for term in lemma_query.terms:
            for i in _find_sequence(tokens, term):
                j = i + len(term.words) - 1
                hits.add((source_id, offsets[2 * i], offsets[2 * j + 1], None, None))
    return list(hits)


def _find_sequence(tokens: list[str], term: Term) -> list[int]:
    """Token indexes where the lemma sequence of ``term`` starts (punctuation tokens skipped)."""
    words = term.words
    found = []
    first = words[0]
    for i, tok in enumerate(tokens):
        if tok != first and not (term.prefix and len(words) == 1 and tok.startswith(first)):
            continue
        k = i
        ok = True
        for n, w in enumerate(words[1:], start=1):
            k += 1
            if k >= len(tokens):
                ok = False
                break
            last = n == len(words) - 1
            if tokens[k] != w and not (term.prefix and last and tokens[k].startswith(w)):
                ok = False
                break
        if ok:
            found.append(i)
    return found


# ---------------------------------------------------------------------- spreads
SPREADS = ("hit", "sentence", "paragraph", "turn")


def spread_span(session: Session, source_id: int, start: int, end: int, spread: str) -> tuple[int, int]:
    """Widen a hit to its sentence, paragraph (line) or speaker turn."""
    if spread == "hit":
        return start, end
    if spread == "sentence":
        row = session.execute(
            select(Sentence.start, Sentence.end).where(
                Sentence.source_id == source_id, Sentence.start <= start
            ).order_by(Sentence.start.desc()).limit(1)
        ).first()
        if row is not None and row[1] >= end:
            return row[0], row[1]
        spread = "paragraph"  # no sentence index (or the hit crosses sentences): fall back
    src = session.execute(select(Source.text, Source.paragraph_starts, Source.turns)
                          .where(Source.id == source_id)).one()
    return _widen(src, start, end, spread)


def spread_spans(session: Session, hits: list[tuple[int, int, int]], spread: str) -> list[tuple[int, int, int]]:
    """:func:`spread_span` of many ``(source id, start, end)`` hits: ``(source id, start, end)`` each.

    Reads each source's sentences or text once, not once per hit, so coding
    a thousand results at their sentence or turn costs a few queries."""
    if spread not in SPREADS:
        raise InvalidInput(f"'{spread}' is not a spread; use {', '.join(SPREADS)}.")
    if spread == "hit":
        return [(sid, a, b) for sid, a, b in hits]
    sentences: dict[int, tuple[list[int], list[int]]] = {}
    texts: dict[int, tuple] = {}
    out = []
    for sid, start, end in hits:
        how = spread
        if how == "sentence":
            if sid not in sentences:
                rows = session.execute(select(Sentence.start, Sentence.end).where(Sentence.source_id == sid)
                                       .order_by(Sentence.start)).all()
                sentences[sid] = ([r[0] for r in rows], [r[1] for r in rows])
            starts, ends = sentences[sid]
            i = bisect_right(starts, start) - 1
            if i >= 0 and ends[i] >= end:
                out.append((sid, starts[i], ends[i]))
                continue
            how = "paragraph"
        if sid not in texts:
            texts[sid] = session.execute(
                select(Source.text, Source.paragraph_starts, Source.turns).where(Source.id == sid)).one()
        out.append((sid, *_widen(texts[sid], start, end, how)))
    return out


def _widen(src: tuple, start: int, end: int, spread: str) -> tuple[int, int]:
    """A hit widened to its paragraph or turn, given the source's (text, paragraph starts, turns)."""
    body = src[0]
    if spread == "turn":
        for a, b, _speaker in json.loads(src[2] or "[]"):
            if a <= start < b:
                b = len(body[:b].rstrip())
                return a, max(b, end)
        spread = "paragraph"
    if spread == "paragraph":
        starts = json.loads(src[1] or "[0]")
        i = bisect_right(starts, start) - 1
        a = starts[max(0, i)]
        b = body.find("\n", end)
        b = len(body) if b == -1 else b
        return a, max(b, end)
    raise InvalidInput(f"'{spread}' is not a spread; use {', '.join(SPREADS)}.")
