"""The analysis of indexing, run in worker processes beside the one that writes the rows.

Indexing a study has two halves of about the same cost: analysing the text
(tokens, lemmas, sentences, keyword passages; Python and numpy over spaCy's
lookup tables) and writing the rows into SQLite. One process does them one
after the other and leaves the other cores idle. :class:`AnalysisPool` gives
each source (read by the worker from the project file itself) or, for a long
source, each piece of it (a chunk as :func:`qdaapp.core.nlp._chunks` cuts
it) to a worker process, which loads the pipeline once and sends back the
finished rows. The writing process submits work ahead of what it writes and
takes the results back in the order it submitted them, so the rows, and
their ids, are the same as when everything runs in one process.

This module imports neither SQLAlchemy nor the ORM, so a worker loads only
what the analysis needs. Workers are started with "spawn": a script that
indexes must keep its top-level code under ``if __name__ == "__main__":``,
as :mod:`multiprocessing` asks (the ``qdaapp`` command does). When worker
processes cannot be started (or one dies), the rest is analysed in the
calling process: the rows do not depend on where they were made.
"""

from __future__ import annotations

import json
import os
import re
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

_LITTLE = sys.byteorder == "little"

Row = tuple  # (source id, start, end, lemmas, packed offsets)
Result = tuple  # (pipeline name or None, sentence rows, passages or None)


def sentence_rows(source_id: int, chunks: Iterable) -> Iterator[Row]:  # nlp.TokenData
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


_PASSAGE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+|\n+")


def passages(body: str) -> list[tuple[int, str]]:
    """(start, text) of each sentence-sized passage: split after . ! ? … and at line breaks.

    Keyword search matches and highlights within a passage, so rows stay short
    and a phrase never runs across a sentence end.
    """
    return list(iter_passages(body))


def iter_passages(text: str | Iterable[str]) -> Iterator[tuple[int, str]]:
    """:func:`passages` one at a time; ``text`` may come as consecutive parts."""
    splitter = PassageSplitter()
    for part in (text,) if isinstance(text, str) else text:
        yield from splitter.feed(part)
    yield from splitter.close()


class PassageSplitter:
    """Splits a text given as consecutive parts into passages, as :func:`passages` splits it whole."""

    def __init__(self) -> None:
        self.body, self.offset = "", 0  # what is not split yet, and where it starts

    def feed(self, part: str) -> list[tuple[int, str]]:
        body = self.body + part
        spans = [m.span() for m in _PASSAGE_END.finditer(body)]
        if spans and spans[-1][1] == len(body):  # might go on in the next part
            spans.pop()
        return self._split(body, spans, False)

    def close(self) -> list[tuple[int, str]]:
        body = self.body
        return self._split(body, [m.span() for m in _PASSAGE_END.finditer(body)], True)

    def take(self, part: str, found: PiecePassages | None) -> list[tuple[int, str]]:
        """Like :meth:`feed`, with the passages of ``part`` split elsewhere (:func:`piece_passages`):
        only the stretch before their first safe cut is split here."""
        if found is None:
            return self.feed(part)
        cut, inner, rest = found
        at = self.offset + len(self.body)  # where ``part`` starts
        head = self.body + part[:cut]
        spans = [m.span() for m in _PASSAGE_END.finditer(head)]
        if not spans or spans[-1][1] != len(head):  # the cut is a separator's end here too (see piece_passages)
            return self.feed(part)
        out = self._split(head, spans, False) + inner
        self.body, self.offset = part[rest:], at + rest
        return out

    def _split(self, body: str, spans: list[tuple[int, int]], last: bool) -> list[tuple[int, str]]:
        offset, out, pos = self.offset, [], 0
        for start, end in spans:
            if start > pos and not body[pos:start].isspace():
                out.append((offset + pos, body[pos:start]))
            pos = end
        if last:
            if pos < len(body) and not body[pos:].isspace():
                out.append((offset + pos, body[pos:]))
            pos = len(body)
        self.body, self.offset = body[pos:], offset + pos
        return out


def analyse_source(lang: str, source_id: int, database: str, fts: bool, nlp: bool) -> Result:
    """The indexes' rows of one whole source, read from the project file ``database``: its
    sentences (if ``nlp``; a sentence ends at each speaker label of the source's turns) and its
    keyword passages (if ``fts``). The text is read here, not sent by the writer."""
    name, rows = None, []
    body, turns = _read_source(database, source_id)
    if nlp:
        from . import nlp as nlp_mod
        from .layers import speaker_labels

        spoken = json.loads(turns or "[]")
        breaks = [end for _start, end in speaker_labels(body, spoken)] if spoken else []
        rows = list(sentence_rows(source_id, nlp_mod.analyse_chunks(body, lang, breaks=breaks)))
        name = nlp_mod.pipeline_name(lang)
    return name, rows, passages(body) if fts else None


_READERS: dict[str, Any] = {}  # in a worker process: one read-only connection per project file


def _read_source(database: str, source_id: int) -> tuple[str, str | None]:
    import sqlite3
    from urllib.parse import quote

    conn = _READERS.get(database)
    fresh = conn is None
    if conn is None:
        conn = sqlite3.connect(f"file:{quote(database, safe='/:')}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute("SELECT text, turns FROM sources WHERE id = ?", (source_id,)).fetchone()
    finally:
        if fresh and not _IN_WORKER:
            conn.close()
        elif fresh:
            _READERS[database] = conn


_IN_WORKER = False


_NOT_BEFORE_CUT = frozenset("\"'\u201d\u2019)]")  # may follow a sentence end inside a separator


PiecePassages = tuple  # (cut, passages, rest): see piece_passages


def piece_passages(piece: str, offset: int) -> PiecePassages | None:
    """The passages of a piece of a text that starts at ``offset``, split without what comes before.

    What comes before can only change the passages up to the first separator
    that starts after a character that cannot be part of a separator (not
    whitespace, not a closing quote): the scan of the whole text finds that
    same separator, and from its end on both scans see the same text. So this
    gives that separator's end (``cut``, in the piece), the passages after it
    that end before the piece's last separator, and where the rest starts (in
    the piece); None if the piece holds no such separator. The writer splits
    the stretch before ``cut`` itself (:meth:`PassageSplitter.take`).
    """
    spans = [m.span() for m in _PASSAGE_END.finditer(piece)]
    if spans and spans[-1][1] == len(piece):  # might go on in the next piece
        spans.pop()
    for i, (start, end) in enumerate(spans):
        if start and not piece[start - 1].isspace() and piece[start - 1] not in _NOT_BEFORE_CUT:
            out, pos = [], end
            for start, end in spans[i + 1:]:
                if start > pos and not piece[pos:start].isspace():
                    out.append((offset + pos, piece[pos:start]))
                pos = end
            return spans[i][1], out, pos
    return None


def analyse_piece(lang: str, source_id: int, offset: int, piece: str, breaks: Sequence[int],
                  fts: bool = False) -> Result:
    """The sentence rows of one piece of a long source and, with ``fts``, its passages as
    :func:`piece_passages` gives them."""
    from . import nlp

    rows = list(sentence_rows(source_id, [nlp.analyse_piece(piece, offset, lang, breaks)]))
    return nlp.pipeline_name(lang), rows, piece_passages(piece, offset) if fts else None


def _start_worker(languages: Sequence[str]) -> None:
    """A worker's initializer: ignore Ctrl-C (the parent stops the pool) and load the pipelines once."""
    import signal

    from . import nlp

    global _IN_WORKER
    _IN_WORKER = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for lang in languages:
        nlp.pipeline(lang)


def default_workers() -> int:
    """Worker processes for this machine: one core stays with the process that writes the rows."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(0, min(cores - 1, 4))


class _Done:
    """A result computed in this process when asked for, with the interface of a future."""

    def __init__(self, fn: Callable[..., Result], args: tuple) -> None:
        self.fn, self.args = fn, args
        self.value: Result | None = None

    def result(self) -> Result:
        if self.value is None:
            self.value = self.fn(*self.args)
        return self.value

    def cancel(self) -> bool:
        return True

    def done(self) -> bool:
        return True


class _Pooled:
    """Work given to a worker; done here instead if the pool broke before it was done."""

    def __init__(self, pool: AnalysisPool, future: Any, fn: Callable[..., Result], args: tuple) -> None:
        self.pool, self.future, self.fn, self.args = pool, future, fn, args

    def result(self) -> Result:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.future.result()
        except BrokenProcessPool:
            self.pool.broken()
            return self.fn(*self.args)

    def cancel(self) -> bool:
        return self.future.cancel()

    def done(self) -> bool:
        return self.future.done()


class AnalysisPool:
    """Runs :func:`analyse_source` and :func:`analyse_piece` in ``workers`` processes (0: in this
    one, lazily, when the result is asked for).

    Use as a context manager; :meth:`source` and :meth:`piece` return an object whose
    ``result()`` is ``(pipeline name, sentence rows, passages)``. Leaving the context cancels
    what was not started and waits for the workers to stop.
    """

    def __init__(self, workers: int = 0, languages: Sequence[str] = ("en",)) -> None:
        self.workers = workers
        self.languages = tuple(dict.fromkeys(languages))
        self.executor: Any = None
        if workers > 0:
            self._start()

    def _start(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if getattr(sys, "frozen", False):  # a bundled app would start itself again, not a worker
            self.workers = 0
            return
        try:
            # "spawn": a fresh interpreter that imports only this module's needs, safe to start
            # from a thread (the app indexes in a worker thread) and the same on every platform.
            context = multiprocessing.get_context("spawn")
            self.executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker,
                                                initargs=(self.languages,))
        except (OSError, ImportError, NotImplementedError, ValueError):  # no processes here: work in this one
            self.executor = None
            self.workers = 0

    @property
    def in_process(self) -> bool:
        return self.executor is None

    def source(self, lang: str, source_id: int, database: str, fts: bool, nlp: bool) -> Any:
        return self._submit(analyse_source, (lang, source_id, database, fts, nlp))

    def piece(self, lang: str, source_id: int, offset: int, piece: str, breaks: Sequence[int] = (),
              fts: bool = False) -> Any:
        return self._submit(analyse_piece, (lang, source_id, offset, piece, tuple(breaks), fts))

    def _submit(self, fn: Callable[..., Result], args: tuple) -> Any:
        if self.executor is not None:
            from concurrent.futures.process import BrokenProcessPool

            try:
                return _Pooled(self, self.executor.submit(fn, *args), fn, args)
            except (BrokenProcessPool, RuntimeError, OSError):
                self.broken()
        return _Done(fn, args)

    def broken(self) -> None:
        """A worker died or could not start: the rest is done in this process."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
