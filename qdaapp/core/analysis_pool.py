"""The sentence analysis of indexing, run in worker processes beside the one that writes.

Indexing a study has two halves of about the same cost: analysing the text
(tokens, lemmas, sentences; pure Python and numpy over spaCy's lookup
tables) and writing the rows into SQLite. One process does them one after
the other and leaves the other cores idle. :class:`AnalysisPool` gives each
piece of text (a chunk as :func:`qdaapp.core.nlp._chunks` cuts it) to a
worker process, which loads the pipeline once and sends back the finished
sentence rows; the writing process submits pieces ahead of what it writes and
takes the results back in the order it submitted them, so the rows, and their
ids, are the same as when everything runs in one process.

This module imports neither SQLAlchemy nor the ORM, so a worker only loads
what the analysis needs. When worker processes cannot be started (or one
dies), the remaining pieces are analysed in the calling process: the rows do
not depend on where they were made.
"""

from __future__ import annotations

import os
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Optional

_LITTLE = sys.byteorder == "little"

Row = tuple  # (source id, start, end, lemmas, packed offsets)


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


def analyse_piece(lang: str, source_id: int, offset: int, piece: str,
                  breaks: Sequence[int]) -> tuple[str, list[Row]]:
    """The sentence rows of one piece of a source, and the name of the pipeline that made them."""
    from . import nlp

    rows = list(sentence_rows(source_id, [nlp.analyse_piece(piece, offset, lang, breaks)]))
    return nlp.pipeline_name(lang), rows


def _start_worker(languages: Sequence[str]) -> None:
    """A worker's initializer: ignore Ctrl-C (the parent stops the pool) and load the pipelines once."""
    import signal

    from . import nlp

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
    """A result computed in this process, with the interface of a future."""

    def __init__(self, args: tuple) -> None:
        self.args = args
        self.value: Optional[tuple] = None

    def result(self) -> tuple:
        if self.value is None:
            self.value = analyse_piece(*self.args)
        return self.value

    def cancel(self) -> bool:
        return True

    def done(self) -> bool:
        return True


class _Pooled:
    """A piece given to a worker; analysed here instead if the pool broke before it was done."""

    def __init__(self, pool: "AnalysisPool", future: Any, args: tuple) -> None:
        self.pool, self.future, self.args = pool, future, args

    def result(self) -> tuple:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.future.result()
        except BrokenProcessPool:
            self.pool.broken()
            return analyse_piece(*self.args)

    def cancel(self) -> bool:
        return self.future.cancel()

    def done(self) -> bool:
        return self.future.done()


class AnalysisPool:
    """Analyses pieces of text in ``workers`` processes (0: in this one, lazily, when asked).

    Use as a context manager; :meth:`submit` returns an object whose
    ``result()`` is ``(pipeline name, rows)``. Leaving the context cancels
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

    def submit(self, lang: str, source_id: int, offset: int, piece: str, breaks: Sequence[int] = ()) -> Any:
        args = (lang, source_id, offset, piece, tuple(breaks))
        if self.executor is not None:
            from concurrent.futures.process import BrokenProcessPool

            try:
                return _Pooled(self, self.executor.submit(analyse_piece, *args), args)
            except (BrokenProcessPool, RuntimeError, OSError):
                self.broken()
        return _Done(args)

    def broken(self) -> None:
        """A worker died or could not start: the rest is analysed in this process."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def __enter__(self) -> "AnalysisPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
