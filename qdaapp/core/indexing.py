"""Derived indexes of each source: full-text rows and spaCy sentences.

Both are derived from the immutable text and can be rebuilt at any time, so
they are written without audit events. Indexing runs after import (in the
background in the app, with progress; inline in the CLI) one source per
transaction: cancelling keeps the sources already done and loses nothing.

* ``text_fts`` (FTS5, SQLite only): one row per sentence-sized passage with
  its start offset, for keyword search.
* ``sentences`` + ``lemma_fts``: one row per sentence with the lower-case
  lemmas and packed token offsets, so word-form search and marker runs look
  candidates up in the index instead of re-running spaCy.
"""

from __future__ import annotations

import json
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from . import analysis_pool
from .layers import speaker_labels
from .models import Source, SourceIndex, utcnow
from .progress import CancelToken, Progress, checkpoint

_LITTLE = sys.byteorder == "little"


def pack_offsets(values: array) -> bytes:
    data = array("i", values)
    if not _LITTLE:
        data.byteswap()
    return data.tobytes()


def unpack_offsets(blob: bytes) -> array:
    data = array("i")
    data.frombytes(blob)
    if not _LITTLE:
        data.byteswap()
    return data


def fts_available(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


# Raised whenever what the sentence index stores changes, so sources indexed before are indexed
# again: 2, words opening a sentence or written in capitals are lemmatised in lower case; 3, a
# sentence ends after a speaker label's time stamp ("Name  00:15"), not inside it; 4, text without
# line breaks is no longer cut inside a word every 50,000 characters.
LEMMA_INDEX_VERSION = 4
_STAMP = f"+lemmas{LEMMA_INDEX_VERSION}"


def _nlp_current(nlp_at: str | None, pipeline: str | None) -> bool:
    return nlp_at is not None and (pipeline or "").endswith(_STAMP)


def pending(session: Session, need_nlp: bool = True) -> list[int]:
    """Ids of sources whose keyword index (or NLP index) is missing or out of date."""
    q = select(Source.id, SourceIndex.fts_at, SourceIndex.nlp_at, SourceIndex.pipeline).outerjoin(
        SourceIndex, SourceIndex.source_id == Source.id
    ).order_by(Source.id)
    return [sid for sid, fts_at, nlp_at, pipe in session.execute(q)
            if fts_at is None or (need_nlp and not _nlp_current(nlp_at, pipe))]


def index_sources(
    project,  # Project; kept untyped to avoid an import cycle
    source_ids: list[int] | None = None,
    nlp: bool = True,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    workers: int | None = None,
    on_source: Callable[[int, int], None] | None = None,
) -> int:
    """Build the missing indexes; returns how many sources were indexed.

    Each source is written in a transaction of its own, in id order, so a
    cancel (or a crash) keeps every source finished before it. The sentence
    analysis runs in ``workers`` other processes (None: one per core but one,
    when there is enough text to be worth starting them; 0: in this process)
    ahead of the writing; the rows are the same either way. ``progress``
    counts characters; ``on_source(done, total)`` is told after each source.
    """
    with project.read_session() as s:
        todo = pending(s, need_nlp=nlp)
        if source_ids is not None:
            wanted = set(source_ids)
            todo = [i for i in todo if i in wanted]
        info = {sid: (length or 0, language or "en") for sid, length, language in s.execute(
            select(Source.id, Source.length, Source.language).where(Source.id.in_(todo)))}
        keyword = set(todo) - {sid for sid, at in s.execute(select(SourceIndex.source_id, SourceIndex.fts_at))
                               if at is not None}
    if progress:
        progress.start(sum(size for size, _lang in info.values()) or len(todo), "Indexing sources")
    if not todo:
        return 0
    if workers is None:
        analysed = sum(size for size, _lang in info.values()) if nlp else 0
        workers = analysis_pool.default_workers() if analysed >= _POOL_MIN else 0
    languages = sorted({lang for _size, lang in info.values()})
    done = 0
    bulk = len(todo) > 1 or sum(size for size, _lang in info.values()) > _ANALYSE_FIRST
    if bulk:  # much text: merge the full-text segments once, at the end (tidy_indexes), not as they come
        _automerge(project, 0)
    try:
        done = _index_all(project, todo, info, keyword, nlp, workers, languages, progress, cancel, on_source)
    finally:
        if bulk:
            _automerge(project, _AUTOMERGE)
    if done:
        tidy_indexes(project)
        if nlp:
            _prepare_similar(project)
    return done


def _prepare_similar(project) -> None:
    """Count the lemmas of every sentence for "Find similar passages" now, while indexing runs in the
    background, so that the first ranking the user asks for does not wait for it (see similar_index)."""
    from . import similar_index

    with project.read_session() as s:
        similar_index.matrix(s)


_AUTOMERGE = 4  # FTS5's own default


def _automerge(project, value: int) -> None:
    """FTS5's ``automerge`` of both full-text indexes: 0 while many sources are written (each
    transaction then adds a segment and merges nothing; FTS5 still merges when a level holds too
    many), the default again after. Only how the index is laid out changes, never what it holds."""
    with project.write_session() as s:
        if fts_available(s):
            for table in ("text_fts", "lemma_fts"):
                s.connection().exec_driver_sql(f"INSERT INTO {table}({table}, rank) VALUES('automerge', ?)", (value,))
        s.commit()


def _index_all(project, todo: list[int], info: dict, keyword: set[int], nlp: bool, workers: int,
               languages: list[str], progress: Progress | None, cancel: CancelToken | None,
               on_source: Callable[[int, int], None] | None) -> int:
    done = 0
    with analysis_pool.AnalysisPool(workers, languages) as pool:
        window = 2 * pool.workers + 2  # pieces in flight: the workers never wait, memory stays flat
        ahead = iter(sorted(keyword)) if not pool.in_process else iter(())
        for job in _ahead(_jobs(project, todo, info, nlp, pool), window):
            # While the workers are busy with this source (at first: while they start), write the
            # keyword index of sources further on, each in a transaction of its own.
            while not job.ready() and (later := next(ahead, None)) is not None:
                if later > job.source_id and later in keyword:
                    checkpoint(cancel)
                    _index_keyword(project, later, info[later][0])
                    keyword.discard(later)
            checkpoint(cancel)
            job.have_fts = job.have_fts or job.source_id not in keyword
            _index_one(project, job, cancel, progress)
            keyword.discard(job.source_id)
            done += 1
            if progress:
                progress.advance(max(0, (job.size or 1) - job.advanced), f"{done} of {len(todo)} sources")
            if on_source:
                on_source(done, len(todo))
    return done


def _index_keyword(project, source_id: int, size: int) -> None:
    """The keyword index of one source alone (its sentences are written later)."""
    with project.read_session() as s:
        streamed = size > _ANALYSE_FIRST
        body = None if streamed else s.execute(select(Source.text).where(Source.id == source_id)).scalar_one()
    job = _Job(source_id, size, "", False, False, streamed)
    job.pieces = ((offset, piece, None) for offset, piece in _offsets(_text(project, source_id, body)))
    _index_one(project, job, None, None)


_POOL_MIN = 1_000_000  # characters to analyse before worker processes are worth their start (about a second)


class _Job:
    """One source to index: what it lacks, and its text as pieces (each with its analysis, if needed)."""

    def __init__(self, source_id: int, size: int, language: str, have_fts: bool, want_nlp: bool,
                 streamed: bool) -> None:
        self.source_id, self.size, self.language = source_id, size, language
        self.have_fts, self.want_nlp, self.streamed = have_fts, want_nlp, streamed
        self.pieces: Iterator[tuple[int, str, Any]] = iter(())  # (offset, text, analysis or None)
        self.advanced = 0  # characters already counted in the progress
        self.ready: Callable[[], bool] = lambda: True  # whether its first piece is analysed (see _ahead)


def _jobs(project, todo: list[int], info: dict, nlp: bool, pool) -> Iterator[Any]:
    """A :class:`_Job` per source, followed by its pieces (one item each) and then None.

    A short source is one piece, analysed whole (its sentences and passages);
    a long source without speaker turns is read from the file a part at a
    time and analysed a chunk at a time (the writer splits its passages). The
    work is submitted to ``pool`` as the item is made, so the workers run ahead
    of the writer by as many items as :func:`_ahead` keeps.
    """
    from . import nlp as nlp_mod

    database = Path(project.path).resolve().as_posix()
    for source_id in todo:
        size, language = info[source_id]
        raw = project.engine.raw_connection()
        try:
            turns, fts_at, nlp_at, pipe = raw.execute(
                "SELECT CASE WHEN s.length > ? THEN s.turns END, i.fts_at, i.nlp_at, i.pipeline FROM sources s "
                "LEFT JOIN source_index i ON i.source_id = s.id WHERE s.id = ?",
                (_ANALYSE_FIRST, source_id)).fetchone()
        finally:
            raw.close()
        streamed = size > _ANALYSE_FIRST
        job = _Job(source_id, size, language, fts_at is not None, nlp and not _nlp_current(nlp_at, pipe), streamed)
        yield job
        if not streamed:
            yield 0, None, pool.source(language, source_id, database, not job.have_fts, job.want_nlp)
            yield None
            continue
        spoken = json.loads(turns or "[]")
        text: str | Iterator[str]
        breaks: list[int] = []
        if spoken:  # the labels need the whole text (a long source without turns is read in parts)
            with project.read_session() as s:
                whole: str = s.execute(select(Source.text).where(Source.id == source_id)).scalar_one()
            text = whole
            if job.want_nlp:
                breaks = [end for _start, end in speaker_labels(whole, spoken)]
        else:
            text = _read_text(project, source_id)
        if not job.want_nlp:
            for offset, piece in _offsets(text):
                yield offset, piece, None
        else:
            for offset, piece in nlp_mod._chunks(text):
                within = breaks[bisect_left(breaks, offset):bisect_right(breaks, offset + len(piece))]
                yield offset, piece, pool.piece(language, source_id, offset, piece, within, not job.have_fts)
        yield None


def _offsets(text: str | Iterable[str]) -> Iterator[tuple[int, str]]:
    parts = (text,) if isinstance(text, str) else text
    offset = 0
    for part in parts:
        yield offset, part
        offset += len(part)


def _ahead(items: Iterator[Any], window: int) -> Iterator[_Job]:
    """The jobs of ``items`` (see :func:`_jobs`) with their pieces, reading ahead until ``window``
    pieces wait to be written; whatever is left unread when the caller stops is cancelled."""
    buffer: deque = deque()
    waiting = 0  # pieces in the buffer

    def fill() -> None:
        nonlocal waiting
        while waiting < window:
            item = next(items, _END)
            if item is _END:
                return
            buffer.append(item)
            waiting += isinstance(item, tuple)

    def pieces() -> Iterator[tuple[int, str, Any]]:
        nonlocal waiting
        while True:
            fill()
            item = buffer.popleft()
            if item is None:
                return
            waiting -= 1
            yield item

    try:
        while True:
            fill()
            if not buffer:
                return
            job = buffer.popleft()
            job.pieces = pieces()
            job.ready = lambda: not _waits(buffer)
            yield job
            for _ in job.pieces:  # pieces the writer left (it stopped early): drop them
                pass
    finally:
        for item in buffer:
            if isinstance(item, tuple) and item[2] is not None:
                item[2].cancel()


_END = object()


def _waits(buffer: deque) -> bool:
    """Whether the first piece in ``buffer`` is still being analysed."""
    fill = buffer[0] if buffer else None
    return isinstance(fill, tuple) and fill[2] is not None and not fill[2].done()


def _index_one(project, job: _Job, cancel: CancelToken | None, progress: Progress | None) -> None:
    """Write one source's missing indexes in one transaction. A short source's analysis is waited
    for before the write lock is taken; a long one is written as its pieces come."""
    pieces: Iterable[tuple[int, str | None, Any]] = job.pieces
    if not job.streamed:
        pieces = [(offset, piece, analysis.result() if analysis is not None else None)
                  for offset, piece, analysis in pieces]
    with project.write_session() as s:
        fts = fts_available(s)
        conn = s.connection().connection.cursor()  # the driver's own: thousands of statements per run
        fresh = conn.execute("SELECT 1 FROM source_index WHERE source_id = ?",
                             (job.source_id,)).fetchone() is None  # never indexed: no rows to delete
        keyword = fts and not job.have_fts
        if keyword and not fresh:
            conn.execute("DELETE FROM text_fts WHERE source_id = ?", (job.source_id,))
        if job.want_nlp and not fresh:
            conn.execute("DELETE FROM sentences WHERE source_id = ?", (job.source_id,))
        splitter = analysis_pool.PassageSplitter()
        name = None
        for _offset, piece, analysis in pieces:
            found = None
            if analysis is not None:
                name, rows, found = analysis if isinstance(analysis, tuple) else analysis.result()
                _insert_sentences(conn, rows)
            if keyword:  # a whole source's passages, or a piece's (split in part by the worker)
                keyword_rows = found if piece is None else splitter.take(piece, found)
                assert keyword_rows is not None, "a whole source's analysis brings its passages"
                _insert_passages(conn, job.source_id, keyword_rows)
            if job.streamed:
                checkpoint(cancel)
                if progress and piece:
                    progress.advance(len(piece))
                    job.advanced += len(piece)
        if keyword:
            _insert_passages(conn, job.source_id, splitter.close())
        now = utcnow()
        if fresh:
            conn.execute("INSERT INTO source_index(source_id) VALUES (?)", (job.source_id,))
        if not job.have_fts:
            conn.execute("UPDATE source_index SET fts_at = ? WHERE source_id = ?", (now, job.source_id))
        if job.want_nlp:
            if fts:
                conn.execute("INSERT INTO lemma_fts(rowid, lemmas) SELECT id, lemmas FROM sentences "
                                     "WHERE source_id = ?", (job.source_id,))
            if name is None:  # a source without text: nothing was analysed
                from . import nlp as nlp_mod

                name = nlp_mod.pipeline_name(job.language)
            conn.execute("UPDATE source_index SET nlp_at = ?, pipeline = ? WHERE source_id = ?",
                                 (now, name + _STAMP, job.source_id))
        conn.close()
        s.commit()


def tidy_indexes(project) -> None:  # Project
    """After indexing: merge the full-text indexes into one segment each and fold the write-ahead
    log back into the project file, so queries read a compact index (a phrase over a whole study
    then takes a few milliseconds). Derived data only: nothing a user made changes."""
    with project.write_session() as s:
        if fts_available(s):
            s.execute(text("INSERT INTO text_fts(text_fts) VALUES('optimize')"))
            s.execute(text("INSERT INTO lemma_fts(lemma_fts) VALUES('optimize')"))
        s.commit()
    raw = project.engine.raw_connection()  # a checkpoint runs outside any transaction
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        cursor.fetchall()
        cursor.close()
    finally:
        raw.close()


def _text(project, source_id: int, body: str | None) -> str | Iterator[str]:  # Project
    return body if body is not None else _read_text(project, source_id)


def _read_text(project, source_id: int) -> Iterator[str]:  # Project
    """A source's text in consecutive parts, read from the project file without holding all of it."""
    import codecs

    raw = project.engine.raw_connection()
    try:
        decoder = codecs.getincrementaldecoder("utf-8")()
        with raw.driver_connection.blobopen("sources", "text", source_id, readonly=True) as blob:
            while data := blob.read(_READ_BYTES):
                yield decoder.decode(data)
        yield decoder.decode(b"", final=True)
    finally:
        raw.close()


_ANALYSE_FIRST = 2_000_000  # characters; a longer source (without speaker turns) is read and analysed in pieces
_READ_BYTES = 1 << 18
_BATCH = 2_000  # rows per executemany: memory stays flat however long the source


def _insert_passages(conn, source_id: int, found: list[tuple[int, str]]) -> None:
    rows = [(chunk, source_id, start) for start, chunk in found]
    for at in range(0, len(rows), _BATCH):
        conn.executemany("INSERT INTO text_fts(body, source_id, start) VALUES (?, ?, ?)", rows[at:at + _BATCH])


def _insert_sentences(conn, rows: list[tuple]) -> None:
    for at in range(0, len(rows), _BATCH):
        conn.executemany('INSERT INTO sentences(source_id, start, "end", lemmas, offsets) VALUES (?, ?, ?, ?, ?)',
                         rows[at:at + _BATCH])


_sentence_rows = analysis_pool.sentence_rows
passages = analysis_pool.passages
_passages = analysis_pool.iter_passages
_PassageSplitter = analysis_pool.PassageSplitter
