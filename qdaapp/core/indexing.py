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
import re
import sys
from array import array
from collections.abc import Iterable, Iterator
from typing import Optional, Union

from sqlalchemy import select, text
from sqlalchemy.orm import Session

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


def _nlp_current(nlp_at: Optional[str], pipeline: Optional[str]) -> bool:
    return nlp_at is not None and (pipeline or "").endswith(_STAMP)


def pending(session: Session, need_nlp: bool = True) -> list[int]:
    """Ids of sources whose keyword index (or NLP index) is missing or out of date."""
    q = select(Source.id, SourceIndex.fts_at, SourceIndex.nlp_at, SourceIndex.pipeline).outerjoin(
        SourceIndex, SourceIndex.source_id == Source.id
    ).order_by(Source.id)
    return [sid for sid, fts_at, nlp_at, pipe in session.execute(q)
            if fts_at is None or (need_nlp and not _nlp_current(nlp_at, pipe))]


def index_sources(
    project,  # noqa: ANN001 - Project; kept untyped to avoid an import cycle
    source_ids: Optional[list[int]] = None,
    nlp: bool = True,
    progress: Optional[Progress] = None,
    cancel: Optional[CancelToken] = None,
) -> int:
    """Build the missing indexes; returns how many sources were indexed."""
    from . import nlp as nlp_mod

    with project.read_session() as s:
        todo = pending(s, need_nlp=nlp)
        if source_ids is not None:
            wanted = set(source_ids)
            todo = [i for i in todo if i in wanted]
        sizes = dict(s.execute(select(Source.id, Source.length).where(Source.id.in_(todo))).all())
    if progress:
        progress.start(sum(sizes.values()) or len(todo), "Indexing sources")
    done = 0
    for source_id in todo:
        checkpoint(cancel)
        with project.read_session() as s:
            turns, language = s.execute(
                select(Source.turns, Source.language).where(Source.id == source_id)).one()
            language = language or "en"
            state = s.get(SourceIndex, source_id)
            have_fts = state is not None and state.fts_at is not None
            have_nlp = state is not None and _nlp_current(state.nlp_at, state.pipeline)
            turns = json.loads(turns or "[]")
            stream = sizes.get(source_id, 0) > _ANALYSE_FIRST and not turns
            body = None if stream else s.execute(select(Source.text).where(Source.id == source_id)).scalar_one()
        rows: Optional[Iterable[tuple]] = None
        if nlp and not have_nlp:
            breaks = [end for _start, end in speaker_labels(body, turns)] if turns else []
            rows = _sentence_rows(source_id, nlp_mod.analyse_chunks(_text(project, source_id, body), lang=language,
                                                                     cancel=cancel, breaks=breaks))
            if sizes.get(source_id, 0) <= _ANALYSE_FIRST:  # analysed before the write lock; a long source streams
                rows = list(rows)
        with project.write_session() as s:
            state = s.get(SourceIndex, source_id)
            fresh = state is None  # never indexed: no rows to delete first
            state = state or SourceIndex(source_id=source_id)
            s.add(state)
            if not have_fts:
                _write_fts(s, source_id, _text(project, source_id, body), fresh)
                state.fts_at = utcnow()
            if rows is not None:
                _write_sentences(s, source_id, rows)
                state.nlp_at = utcnow()
                state.pipeline = nlp_mod.pipeline_name(language) + _STAMP
            s.commit()
        done += 1
        if progress:
            progress.advance(sizes.get(source_id, 1) or 1, f"{done} of {len(todo)} sources")
    if done:
        tidy_indexes(project)
    return done


def tidy_indexes(project) -> None:  # noqa: ANN001 - Project
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


_PASSAGE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+|\n+")


def _text(project, source_id: int, body: Optional[str]) -> Union[str, Iterator[str]]:  # noqa: ANN001 - Project
    return body if body is not None else _read_text(project, source_id)


def _read_text(project, source_id: int) -> Iterator[str]:  # noqa: ANN001 - Project
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


def passages(body: str) -> list[tuple[int, str]]:
    """(start, text) of each sentence-sized passage: split after . ! ? … and at line breaks.

    Keyword search matches and highlights within a passage, so rows stay short
    and a phrase never runs across a sentence end.
    """
    return list(_passages(body))


def _passages(text: Union[str, Iterable[str]]) -> Iterator[tuple[int, str]]:
    """:func:`passages` one at a time; ``text`` may come as consecutive parts."""
    parts = (text,) if isinstance(text, str) else text
    body, offset = "", 0  # what is not split yet, and where it starts
    for part in parts:
        body += part
        pos = 0
        for m in _PASSAGE_END.finditer(body):
            if m.end() == len(body):  # might go on in the next part
                break
            if body[pos:m.start()].strip():
                yield offset + pos, body[pos:m.start()]
            pos = m.end()
        body, offset = body[pos:], offset + pos
    pos = 0
    for m in _PASSAGE_END.finditer(body):
        if body[pos:m.start()].strip():
            yield offset + pos, body[pos:m.start()]
        pos = m.end()
    if body[pos:].strip():
        yield offset + pos, body[pos:]


_ANALYSE_FIRST = 2_000_000  # characters; a longer source (without speaker turns) is read and analysed in pieces
_READ_BYTES = 1 << 18
_BATCH = 2_000  # rows per executemany: memory stays flat however long the source


def _batches(rows: Iterator[tuple]) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_fts(session: Session, source_id: int, body: Union[str, Iterable[str]], fresh: bool = False) -> None:
    """The keyword index rows of one source. ``fresh``: the source was never indexed, so the
    delete (a scan of the whole index, ``source_id`` being an unindexed column) is skipped;
    rows of a deleted source go with it (trigger ``sources_fts_ad``)."""
    if not fts_available(session):
        return
    conn = session.connection()
    if not fresh:
        conn.exec_driver_sql("DELETE FROM text_fts WHERE source_id = ?", (source_id,))
    rows = ((chunk, source_id, start) for start, chunk in _passages(body))
    for batch in _batches(rows):
        conn.exec_driver_sql("INSERT INTO text_fts(body, source_id, start) VALUES (?, ?, ?)", batch)


def _sentence_rows(source_id: int, chunks: Iterable) -> Iterator[tuple]:  # nlp.TokenData
    """(source, start, end, lemmas, packed offsets) of each sentence, chunk by chunk.

    The lemmas are joined with spaces (a space inside a lemma becomes "_"); the
    offsets of the whole chunk are packed once and each sentence takes its slice.
    """
    for tokens in chunks:
        starts, ends, lemmas = tokens.starts, tokens.ends, tokens.lemmas
        pairs = array("i", bytes(8 * len(starts)))
        pairs[0::2] = starts
        pairs[1::2] = ends
        if not _LITTLE:
            pairs.byteswap()
        blob = memoryview(pairs.tobytes())
        for a, b in tokens.sentences():
            joined = " ".join(lemmas[a:b])
            if joined.count(" ") != b - a - 1:
                joined = " ".join(lemma.replace(" ", "_") for lemma in lemmas[a:b])
            yield source_id, starts[a], ends[b - 1], joined, blob[8 * a:8 * b].tobytes()


def _write_sentences(session: Session, source_id: int, rows: Iterable[tuple]) -> None:
    conn = session.connection()
    conn.exec_driver_sql("DELETE FROM sentences WHERE source_id = ?", (source_id,))
    for batch in _batches(iter(rows)):
        conn.exec_driver_sql('INSERT INTO sentences(source_id, start, "end", lemmas, offsets) VALUES (?, ?, ?, ?, ?)',
                             batch)
    if fts_available(session):
        conn.exec_driver_sql(
            "INSERT INTO lemma_fts(rowid, lemmas) SELECT id, lemmas FROM sentences WHERE source_id = ?", (source_id,))
