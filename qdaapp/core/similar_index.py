"""The lemma-count matrix that "Find similar passages" ranks: built from the stored sentence index.

Each sentence of the ``sentences`` table becomes a row of content lemmas
(lower-case lemmas with a letter and no digit, at least two characters long,
stop words out). Paragraphs and speaker turns are made of the sentences that
start inside them. The matrix is kept term by term (which units hold a term,
how often) so a ranking reads only the postings of the examples' terms, and
unit by unit (which terms a unit holds) to say what a result shares with the
examples.

Derived data, like the sentence index it is made from: it is built the first
time a project is ranked, kept in memory and in ``data_dir()/cache/`` (safe to
delete) under the state of the index (number of sentences, their highest id,
the sources, when they were last indexed), so indexing, re-indexing or
removing a source makes the next ranking build it again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidInput

# Function words and the fillers of spoken English; spaCy's own list also drops words that carry
# the sense of a sanction or a performance ("made", "well", "done", "put", "show"), so it is not used for English.
_ENGLISH_STOP = frozenset("""
a about above after again against all also although am an and any are as at be because been before
being below between both but by can could did do does doing down during each either else even ever every few
for from further had has have having he her here hers herself him himself his how however i if in into is it
its itself just me might mine more most much must my myself neither no nor not now of off on once only or other
our ours ourselves out over own same shall she should so some such than that the their theirs them themselves
then there these they this those though through thus to too under until up upon us very was we were what
whatever when where whether which while who whom whose why will with within without would yet you your yours
yourself yourselves 's n't 'm 're 've 'd 'll ca wo sha
um umm uh uhm er erm hmm mm mhm yeah yes yep okay ok oh ah like sort kind just really actually basically
gonna wanna got thing things lot lots bit quite maybe perhaps anyway
""".split())

MIN_LENGTH = 2  # characters of a content lemma


def stop_words(languages: set[str]) -> frozenset[str]:
    """The stop words of ``languages`` (ISO codes): the list above for English, spaCy's for the others."""
    words = set(_ENGLISH_STOP)
    for lang in languages - {"en"}:
        try:
            import importlib

            module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
            words |= {w.lower() for w in module.STOP_WORDS}
        except (ImportError, AttributeError):
            continue
    return frozenset(words)


def is_content(lemma: str, stop: frozenset[str]) -> bool:
    """A lemma that says what a passage is about: two letters or more, no digit, not a stop word (a
    typographic apostrophe counts as a plain one: "n’t" is "n't")."""
    return (len(lemma) >= MIN_LENGTH and lemma.replace("\u2019", "'") not in stop
            and any(c.isalpha() for c in lemma) and not any(c.isdigit() for c in lemma))


@dataclass
class Units:
    """One kind of unit (sentences, paragraphs or turns) of every indexed source, in source order."""

    source: np.ndarray  # int32, per unit
    start: np.ndarray  # int64 code points
    end: np.ndarray
    length: np.ndarray  # content lemmas per unit (float64, for BM25)
    term_ptr: np.ndarray  # postings by term: units[term_ptr[t]:term_ptr[t+1]], counts alike
    term_units: np.ndarray
    term_counts: np.ndarray
    unit_ptr: np.ndarray  # terms of a unit: terms[unit_ptr[u]:unit_ptr[u+1]], counts alike
    unit_terms: np.ndarray
    unit_counts: np.ndarray
    doc_freq: np.ndarray  # units holding each term

    @property
    def count(self) -> int:
        return len(self.source)

    def source_range(self, source_id: int) -> tuple[int, int]:
        return (int(np.searchsorted(self.source, source_id, "left")),
                int(np.searchsorted(self.source, source_id, "right")))

    def overlapping(self, source_id: int, start: int, end: int) -> range:
        """Indexes of the units of ``source_id`` that overlap ``[start, end)`` (units of a source do
        not overlap one another and come in order, so their ends are in order too)."""
        lo, hi = self.source_range(source_id)
        first = lo + int(np.searchsorted(self.end[lo:hi], start, "right"))
        last = lo + int(np.searchsorted(self.start[lo:hi], end, "left"))
        return range(first, max(first, last))


@dataclass
class LemmaMatrix:
    """Content lemmas of every indexed sentence, and the units made from them."""

    vocabulary: dict[str, int]
    terms: list[str]
    stop: frozenset[str]
    sentences: Units
    token_sentence: np.ndarray  # per content token: its sentence (to group into paragraphs and turns)
    token_term: np.ndarray
    languages: set[str]
    _grouped: dict[str, Units]

    def units(self, session: Any, unit: str) -> Units:
        if unit == "sentence":
            return self.sentences
        if unit not in self._grouped:
            self._grouped[unit] = _group(session, self, unit)
        return self._grouped[unit]


_CACHE: dict[str, tuple[tuple, LemmaMatrix]] = {}
_LOCK = threading.Lock()


def _state(conn: Any) -> tuple:
    """What the matrix is made from: the sentences, the sources and when each was last indexed."""
    sentences = conn.execute("SELECT count(*), coalesce(max(id), 0) FROM sentences").fetchone()
    sources = conn.execute("SELECT count(*), coalesce(max(id), 0) FROM sources").fetchone()
    indexed = conn.execute("SELECT count(*), coalesce(max(nlp_at), '') FROM source_index").fetchone()
    return (CACHE_VERSION, *sentences, *sources, *indexed)


CACHE_VERSION = 2  # raised when what the matrix holds changes (the stop words, what a content word is)


def matrix(session: Any, progress: Callable[[int, int], None] | None = None) -> LemmaMatrix:
    """The project's matrix: from memory, else from the cache file, when the sentence index has not
    changed since it was built; else built from the index (and the cache file written)."""
    conn = _driver(session)
    key = str(Path(session.get_bind().url.database or "").resolve())
    state = _state(conn)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]
    file = _cache_file(conn, key)
    built = _load(file, state)
    if built is None:
        built = build(conn, progress, int(state[1]))
        _save(file, state, built)
    with _LOCK:
        _CACHE[key] = (state, built)
    return built


def _cache_file(conn: Any, key: str) -> Path:
    """``data_dir()/cache/similar-<hash>.npz``: one file per project (path and id), rewritten when the index changes."""
    import hashlib

    from .logs import data_dir

    row = conn.execute("SELECT value FROM meta WHERE key = 'project_id'").fetchone()
    digest = hashlib.sha256(f"{key}\n{row[0] if row else ''}".encode()).hexdigest()[:24]
    return data_dir() / "cache" / f"similar-{digest}.npz"


def _load(file: Path, state: tuple) -> LemmaMatrix | None:
    """The matrix kept in ``file`` if it was made from the index as it is (``state``); else None."""
    try:
        with np.load(file, allow_pickle=False) as data:
            if json.loads(str(data["state"])) != json.loads(json.dumps(list(state))):
                return None
            terms = [str(t) for t in data["terms"]]
            languages = set(json.loads(str(data["languages"])))
            tok_sentence, tok_term = data["token_sentence"], data["token_term"]
            units = _units(data["source"], data["start"], data["end"], tok_sentence, tok_term, len(terms))
    except (OSError, KeyError, ValueError):  # no file yet, or one from an older version: build again
        return None
    return LemmaMatrix({t: i for i, t in enumerate(terms)}, terms, stop_words(languages), units, tok_sentence,
                       tok_term, languages, {})


def _save(file: Path, state: tuple, m: LemmaMatrix) -> None:
    """Keep ``m`` for the next time the project is opened (derived data: safe to delete; a failure
    to write it only means the next opening builds it again)."""
    import os

    partial = file.with_name(file.name + f".{os.getpid()}.part.npz")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        np.savez(partial, state=json.dumps(list(state)), terms=np.asarray(m.terms, dtype=str),
                 languages=json.dumps(sorted(m.languages)), source=m.sentences.source, start=m.sentences.start,
                 end=m.sentences.end, token_sentence=m.token_sentence, token_term=m.token_term)
        os.replace(partial, file)
    except OSError:
        partial.unlink(missing_ok=True)


def forget(session: Any) -> None:
    with _LOCK:
        _CACHE.pop(str(Path(session.get_bind().url.database or "").resolve()), None)


def _driver(session: Any) -> Any:
    from .db import driver_connection

    return driver_connection(session.connection().connection)


def build(conn: Any, progress: Callable[[int, int], None] | None = None, total: int = 0) -> LemmaMatrix:
    """Read every stored sentence once and count its content lemmas.

    The lemmas are split and looked up in bulk (``map`` over one list), not one by one in a
    Python loop: a project of a million words takes about a second."""
    def told(step: int) -> None:
        if progress is not None:
            progress(step, 4)

    told(0)
    languages = {lang or "en" for (lang,) in conn.execute("SELECT DISTINCT language FROM sources")}
    stop = stop_words(languages)
    rows = [row for row in conn.execute('SELECT source_id, start, "end", lemmas FROM sentences '
                                        "ORDER BY source_id, start")
            if not row[3].endswith(":")]  # a speaker's label ("P1:", "[00:12] Ana:"), a sentence of its own
    told(1)
    split = [row[3].split(" ") for row in rows]
    tokens = list(chain.from_iterable(split))
    terms = sorted(lemma for lemma in set(tokens) if is_content(lemma, stop))
    vocabulary = {lemma: i for i, lemma in enumerate(terms)}
    told(2)
    code = dict.fromkeys(set(tokens), -1)
    code.update(vocabulary)
    ids = np.fromiter(map(code.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
    sentence_of = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
    content = ids >= 0
    tok_term, tok_sentence = ids[content], sentence_of[content]
    told(3)
    units = _units(np.fromiter((r[0] for r in rows), dtype=np.int32, count=len(rows)),
                   np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows)),
                   np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows)),
                   tok_sentence, tok_term, len(terms))
    told(4)
    return LemmaMatrix(vocabulary, terms, stop, units, tok_sentence, tok_term, languages, {})


def _units(source: np.ndarray, start: np.ndarray, end: np.ndarray, tok_unit: np.ndarray, tok_term: np.ndarray,
           n_terms: int) -> Units:
    """Postings of units whose content tokens are ``(tok_unit, tok_term)`` pairs."""
    n_units = len(source)
    width = max(n_terms, 1)
    pair, counts = np.unique(tok_unit * width + tok_term, return_counts=True)  # sorted by unit, then term
    unit_of, term_of = pair // width, pair % width
    unit_ptr = np.zeros(n_units + 1, dtype=np.int64)
    np.cumsum(np.bincount(unit_of, minlength=n_units), out=unit_ptr[1:])
    by_term = np.argsort(term_of, kind="stable")  # within a term, units stay in order
    term_ptr = np.zeros(n_terms + 1, dtype=np.int64)
    doc_freq = np.bincount(term_of, minlength=n_terms)
    np.cumsum(doc_freq, out=term_ptr[1:])
    length = np.bincount(tok_unit, minlength=n_units).astype(np.float64)
    return Units(source, start, end, length, term_ptr, unit_of[by_term].astype(np.int32),
                 counts[by_term].astype(np.float64), unit_ptr, term_of.astype(np.int32), counts.astype(np.float64),
                 doc_freq.astype(np.float64))


def _group(session: Any, m: LemmaMatrix, unit: str) -> Units:
    """Paragraphs (lines of the text) or speaker turns made of the sentences that start in them.

    A sentence outside every turn (a heading before the first speaker) is a unit of its own."""
    if unit not in ("paragraph", "turn"):
        raise InvalidInput(f"'{unit}' is not a unit to rank; use sentence, paragraph or turn.")
    s = m.sentences
    group = np.empty(s.count, dtype=np.int64)
    column = "paragraph_starts" if unit == "paragraph" else "turns"
    conn = _driver(session)
    next_id = 0
    for source_id, raw in conn.execute(f"SELECT id, {column} FROM sources ORDER BY id"):
        lo, hi = s.source_range(source_id)
        if lo == hi:
            continue
        starts = s.start[lo:hi]
        if unit == "paragraph":
            bounds = np.asarray(json.loads(raw) if raw else [0], dtype=np.int64)
            inside = np.searchsorted(bounds, starts, "right") - 1  # the paragraph each sentence starts in
        else:
            turns = json.loads(raw) if raw else []
            t_start = np.asarray([t[0] for t in turns], dtype=np.int64)
            t_end = np.asarray([t[1] for t in turns], dtype=np.int64)
            at = np.searchsorted(t_start, starts, "right") - 1
            found = (at >= 0) & (at < len(turns))
            found[found] = starts[found] < t_end[at[found]]
            inside = np.where(found, at, -1 - np.arange(hi - lo))  # outside every turn: alone
        # sentences come in order, so those of one paragraph or turn follow one another
        local = np.concatenate(([0], np.cumsum(inside[1:] != inside[:-1])))
        group[lo:hi] = next_id + local
        next_id += int(local[-1]) + 1
    n_groups = next_id
    source = np.zeros(n_groups, dtype=np.int32)
    start = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
    end = np.zeros(n_groups, dtype=np.int64)
    source[group] = s.source
    np.minimum.at(start, group, s.start)
    np.maximum.at(end, group, s.end)
    return _units(source, start, end, group[m.token_sentence], m.token_term, len(m.terms))
