"""Keyword hit positions without asking the full-text index to re-read its text.

FTS5 finds the passages that match a query quickly; asking it to mark the
terms inside them (``highlight()``) reads and re-tokenises each passage, and
for a common phrase over a whole study that is most of the query's time. The
passages never change while their sources' indexes stay as they are, so
their text is kept in memory (:func:`passages`), keyed by the indexes'
state (the app warms it; a one-off process such as the command line does not,
and reads only the passages FTS5 matched, one at a time: :func:`matching`),
and the terms are found in it with a regular expression that follows
the index's tokenizer (unicode61: letters and digits make words; anything
else separates them; case is ignored).

Where that expression finds nothing in a passage the index matched (a
character the two treat differently), the caller asks ``highlight()`` for
that passage, so a hit is never lost; the offsets of every hit are positions
of the words themselves in the source's immutable text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

from sqlalchemy import text
from sqlalchemy.orm import Session

from .query import ParsedQuery, Term

_WORD = r"[^\W_]"  # a character that is part of a word (letters and digits, not "_")
_lock = threading.Lock()
_cache: dict[str, tuple[tuple, dict[int, tuple[int, int, str, str | None]]]] = {}


def _state(session: Session) -> tuple:
    """What the cached passages depend on: each indexed source, when it was indexed, its text's hash."""
    return tuple(session.execute(text(
        "SELECT si.source_id, si.fts_at, s.sha256 FROM source_index si JOIN sources s ON s.id = si.source_id "
        "WHERE si.fts_at IS NOT NULL ORDER BY si.source_id")).all())


def passages(session: Session) -> dict[int, tuple[int, int, str, str | None]]:
    """rowid -> (source id, start, passage text, the text in lower case) of every row of the keyword
    index. The lower-case copy is searched with a case-sensitive expression, which the regular
    expression engine scans several times faster; it is None where lowering would change the
    length (so its offsets would not be the passage's)."""
    where = str(session.get_bind().engine.url.database)
    state = _state(session)
    with _lock:
        cached = _cache.get(where)
        if cached is not None and cached[0] == state:
            return cached[1]
    rows = session.connection().exec_driver_sql("SELECT rowid, source_id, start, body FROM text_fts").fetchall()
    table = {rowid: _passage(sid, start, body) for rowid, sid, start, body in rows}
    with _lock:
        _cache[where] = (state, table)
    return table


# Characters of indexed text up to which the app keeps the passages in memory (about 3.5M words,
# some 250 MB with the lower-case copies). A bigger project is searched from the index row by row,
# so memory does not grow with the corpus; its queries then take a few hundred milliseconds.
KEEP_LIMIT = 20_000_000


def keep(session: Session, limit: int | None = None) -> bool:
    """Keep the passages in memory (see :func:`passages`) if the indexed text is at most ``limit``
    characters (default :data:`KEEP_LIMIT`); returns whether they are kept. A project that grew
    past the limit lets go of the passages kept before."""
    size = session.execute(text(
        "SELECT COALESCE(SUM(s.length), 0) FROM source_index si JOIN sources s ON s.id = si.source_id "
        "WHERE si.fts_at IS NOT NULL")).scalar_one()
    if size > (KEEP_LIMIT if limit is None else limit):
        forget(str(session.get_bind().engine.url.database))
        return False
    passages(session)
    return True


def _kept(session: Session) -> dict[int, tuple[int, int, str, str | None]] | None:
    """The passages kept for this project (read again if an index changed), or None where
    nothing asked to keep them (:func:`passages`)."""
    where = str(session.get_bind().engine.url.database)
    with _lock:
        cached = _cache.get(where)
    if cached is None:
        return None
    return cached[1] if cached[0] == _state(session) else passages(session)


Passage = tuple[int, int, str, str | None]  # source id, start, text, text in lower case (see passages)


def matching(session: Session, fts: str) -> Iterator[tuple[int, Passage | None]]:
    """(rowid, passage) of each row of the keyword index that matches the FTS5 query ``fts``.

    From the kept passages when the app keeps them; else read from the index row by row, so a
    query never holds more than one passage (the passage is None if the kept ones lack it)."""
    table = _kept(session)
    cursor = session.connection().connection.cursor()
    try:
        if table is not None:
            rowids = [r for (r,) in cursor.execute("SELECT rowid FROM text_fts WHERE text_fts MATCH ?", (fts,))]
            for rowid in rowids:
                yield rowid, table.get(rowid)
            return
        for rowid, sid, start, body in cursor.execute(
                "SELECT rowid, source_id, start, body FROM text_fts WHERE text_fts MATCH ?", (fts,)):
            yield rowid, _passage(sid, start, body)
    finally:
        cursor.close()


def _passage(sid: int, start: int, body: str) -> Passage:
    lowered = body.lower()
    return sid, start, body, lowered if len(lowered) == len(body) else None


def forget(database: str | None = None) -> None:
    """Drop the kept passages (of one project file, or all)."""
    with _lock:
        if database is None:
            _cache.clear()
        else:
            _cache.pop(database, None)


def term_pattern(terms: list[Term], lowered: bool = False) -> re.Pattern | None:
    """One expression for all ``terms``: each word whole (a prefix term's last word may go on),
    the words of a phrase separated by anything that is not a word character. With ``lowered``
    it is meant for text already in lower case and does not ignore case itself."""
    if not terms:
        return None
    alternatives = []
    for term in terms:
        words = [re.escape(w.lower() if lowered else w) for w in term.words]
        if term.prefix:
            words[-1] += f"{_WORD}*"
        alternatives.append(r"[\W_]+".join(words))
    # No look-behind: it would test every character. The caller drops a match that starts inside a
    # word; it cannot hide a real one, as a term that could overlap itself is not searched this way.
    return re.compile(rf"(?:{'|'.join(alternatives)})(?!{_WORD})", 0 if lowered else re.IGNORECASE)


def _overlaps_itself(words: tuple[str, ...]) -> bool:
    """True when two instances of the phrase can share words ("that that"), which highlight() merges."""
    return any(words[:k] == words[-k:] for k in range(1, len(words)))


def usable(parsed: ParsedQuery) -> bool:
    """The queries whose marks the expression reproduces exactly: one word, prefix or phrase
    (several terms can overlap one another and NEAR marks only the instances close enough to each
    other; highlight() merges overlapping instances). Others go to highlight()."""
    terms = set(parsed.terms)
    if len(terms) != 1 or "NEAR(" in parsed.fts:
        return False
    (term,) = terms
    return not _overlaps_itself(term.words)
