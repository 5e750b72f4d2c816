"""The blank pipeline's analysis (tokenizer, lookup lemmatizer, sentencizer) without a spaCy Doc per chunk.

Indexing a study runs the analysis over millions of words; spaCy's tokenizer
and a Token object per word made it the slowest step. This module gives the
same tokens, lemmas and sentences (a test compares them with the pipeline's
on the fixtures and on random texts) with array operations per chunk:

* spaCy's tokenizer cuts text at whitespace and splits each whitespace-free
  span on its own (its special cases that hold whitespace are whitespace
  only), so each distinct span is tokenised and lemmatised by spaCy once and
  remembered (a bounded table, emptied when full);
* the sentencizer's rule (a sentence starts at the first token that is
  neither punctuation nor one of its sentence-ending characters, after one
  of those characters with no other word or whitespace token between) is
  replayed over the whitespace tokens the tokenizer would make: any gap but a
  single space;
* paragraph breaks and speaker-label ends start sentences, and a word opening
  a sentence or written in capitals is lemmatised in lower case, as
  :func:`qdaapp.core.nlp._pipeline_chunk` does over a Doc.

Only :mod:`qdaapp.core.nlp` uses it; numpy (a spaCy dependency) is imported here.
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_right
from itertools import repeat
from typing import Any

import numpy as np

_WHITESPACE = re.compile(r"(\s+)")
SPAN_LIMIT = 200_000  # distinct spans remembered; the table is emptied beyond it
_WORD, _OTHER_PUNCT, _ENDS_SENTENCE = 0, 1, 2  # what the sentencizer sees in a token


class _Table:
    """Growable numpy columns, one row per token of a remembered span."""

    def __init__(self, size: int = 1 << 14) -> None:
        self.n = 0
        self.rel_start = np.zeros(size, np.int64)
        self.rel_end = np.zeros(size, np.int64)
        self.kind = np.zeros(size, np.int8)
        self.alpha = np.zeros(size, np.bool_)
        self.plain = np.zeros(size, np.int64)
        self.opens = np.zeros(size, np.int64)

    def add(self, rel_start: int, rel_end: int, kind: int, alpha: bool, plain: int, opens: int) -> None:
        if self.n == len(self.kind):
            for name in ("rel_start", "rel_end", "kind", "alpha", "plain", "opens"):
                old = getattr(self, name)
                new = np.zeros(2 * len(old), old.dtype)
                new[:len(old)] = old
                setattr(self, name, new)
        i = self.n
        self.rel_start[i], self.rel_end[i], self.kind[i] = rel_start, rel_end, kind
        self.alpha[i], self.plain[i], self.opens[i] = alpha, plain, opens
        self.n += 1


class FastAnalyser:
    """One per pipeline; :meth:`chunk` analyses a piece of text (thread-safe)."""

    _made: dict[int, FastAnalyser | None] = {}
    _made_lock = threading.Lock()

    @classmethod
    def get(cls, nlp: Any, lower_lemma: Any | None) -> FastAnalyser | None:
        """The analyser for a blank pipeline of tokenizer, lookup lemmatizer and sentencizer; None otherwise."""
        with cls._made_lock:
            if id(nlp) not in cls._made:
                names = set(nlp.pipe_names)
                ok = names <= {"lemmatizer", "sentencizer"} and "sentencizer" in names
                ok = ok and all(rule.isspace() for rule in nlp.tokenizer.rules if any(c.isspace() for c in rule))
                if ok and "lemmatizer" in names:
                    ok = nlp.get_pipe("lemmatizer").mode == "lookup"
                cls._made[id(nlp)] = cls(nlp, lower_lemma) if ok else None
            return cls._made[id(nlp)]

    def __init__(self, nlp: Any, lower_lemma: Any | None) -> None:
        self.nlp = nlp
        self.lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
        self.lower_lemma = lower_lemma
        self.punct_chars = nlp.get_pipe("sentencizer").punct_chars
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.span_ids: dict[str, int] = {"": 0}
        self.first = np.zeros(1 << 12, np.int64)  # per span: its first row in the table, and how many
        self.count = np.zeros(1 << 12, np.int64)
        self.table = _Table()
        self.lemma_ids: dict[str, int] = {}
        self.lemmas: list[str] = []  # one string object per distinct lemma

    def _lemma_id(self, lemma: str) -> int:
        found = self.lemma_ids.get(lemma)
        if found is None:
            found = self.lemma_ids[lemma] = len(self.lemmas)
            self.lemmas.append(lemma)
        return found

    def _add_spans(self, spans: list[str]) -> None:
        """Tokenise and lemmatise new ``spans`` with spaCy, in one Doc (a line break between two
        spans is a whitespace token, so no special case can reach across it)."""
        doc = self.nlp.tokenizer("\n".join(spans))
        if self.lemmatizer is not None:
            doc = self.lemmatizer(doc)
        tokens = iter(doc)
        at = 0
        for span in spans:
            sid = len(self.span_ids)
            if sid == len(self.first):
                self.first = np.concatenate([self.first, np.zeros_like(self.first)])
                self.count = np.concatenate([self.count, np.zeros_like(self.count)])
            self.first[sid] = self.table.n
            end = at + len(span)
            for token in tokens:
                if token.idx >= end:  # the line break after the span
                    break
                word = token.text
                lemma = token.lemma_ or word
                plain = opening = lemma
                if self.lower_lemma is not None and lemma == word:
                    opening = self.lower_lemma(lemma.lower())  # "Had to..." opening a sentence, "WE HAD TO"
                    if token.is_upper and len(lemma) > 1:
                        plain = opening
                kind = _ENDS_SENTENCE if word in self.punct_chars else _OTHER_PUNCT if token.is_punct else _WORD
                self.table.add(token.idx - at, token.idx - at + len(word), kind, token.is_alpha,
                               self._lemma_id(plain.lower()), self._lemma_id(opening.lower()))
            self.count[sid] = self.table.n - self.first[sid]
            self.span_ids[span] = sid
            at = end + 1

    def chunk(self, chunk: str, offset: int, pending: list[int], state: list[int]) -> Any:
        """The tokens and sentences of one chunk (``offset``: where it is in the text; ``pending``: the
        sorted breaks, ``state[0]``: the index of the next one, advanced here) as a TokenData."""
        with self.lock:
            if len(self.span_ids) > SPAN_LIMIT:
                self._reset()
            return self._chunk(chunk, offset, pending, state)

    def _chunk(self, chunk: str, offset: int, pending: list[int], state: list[int]) -> Any:
        from .nlp import TokenData

        parts = _WHITESPACE.split(chunk)  # span, gap, span, ..., span ("" before leading/after trailing space)
        spans = parts[0::2]
        get = self.span_ids.get
        ids_list = list(map(get, spans))
        if None in ids_list:
            self._add_spans(list(dict.fromkeys(s for s, i in zip(spans, ids_list, strict=True) if i is None)))
            ids_list = list(map(get, spans))
        ids = np.array(ids_list, np.int64)
        lengths = np.fromiter(map(len, parts), np.int64, len(parts))
        part_at = offset + np.cumsum(lengths) - lengths
        span_at = part_at[0::2]
        count = self.count[ids]
        total = int(count.sum())
        if total == 0:
            return TokenData(array("i"), array("i"), [], array("i"))
        ends_of_span = np.cumsum(count)  # index after each span's last token
        row = np.repeat(self.first[ids] - (ends_of_span - count), count) + np.arange(total)
        span_of = np.repeat(np.arange(len(ids)), count)
        t = self.table
        starts = span_at[span_of] + t.rel_start[row]
        ends = span_at[span_of] + t.rel_end[row]
        kind = t.kind[row]
        alpha = t.alpha[row]

        # The whitespace tokens: any gap but a single space (which only marks the token before).
        has_tokens = count > 0
        last_of_span = ends_of_span[has_tokens] - 1
        gaps = parts[1::2]  # the gap after each span but the last
        gap_after = np.zeros(len(spans), np.bool_)  # a whitespace token follows the span
        gap_after[:len(gaps)] = np.fromiter(map(" ".__ne__, gaps), np.bool_, len(gaps))
        newline_after = np.zeros(len(spans), np.bool_)
        if "\n" in chunk:
            newline_after[:len(gaps)] = np.fromiter(map(str.__contains__, gaps, repeat("\n")), np.bool_, len(gaps))

        # The sentencizer: seen_period after each token (1 yes, 0 no, -1 unchanged), then carried forward.
        after = np.where(kind == _ENDS_SENTENCE, 1, np.where(kind == _WORD, 0, -1)).astype(np.int8)
        after[last_of_span[gap_after[has_tokens]]] = 0
        known = np.where(after >= 0, np.arange(total), -1)
        np.maximum.accumulate(known, out=known)
        seen = np.where(known >= 0, after[np.maximum(known, 0)], 0)
        start = np.zeros(total, np.bool_)
        start[1:] = (kind[1:] == _WORD) & (seen[:-1] == 1)
        start[0] = True
        # A line break in the gap before a span starts a sentence at its first token.
        first_of_span = (ends_of_span - count)[has_tokens]
        before = np.zeros(len(spans), np.bool_)
        before[1:] = newline_after[:-1]
        start[first_of_span[before[has_tokens]]] = True
        # Speaker-label ends: the first token at or after each one.
        lo = state[0]
        hi = bisect_right(pending, int(starts[-1]), lo)
        if hi > lo:
            start[np.searchsorted(starts, np.asarray(pending[lo:hi], np.int64), "left")] = True
        state[0] = hi

        # A sentence's opening: its tokens up to and with its first alphabetic one.
        alpha_before = np.cumsum(alpha, dtype=np.int64) - alpha
        sentence_starts = np.flatnonzero(start)
        sentence_of = np.cumsum(start) - 1
        opening = alpha_before == alpha_before[sentence_starts][sentence_of]
        lemma_ids = np.where(opening, t.opens[row], t.plain[row])
        lemmas = list(map(self.lemmas.__getitem__, lemma_ids.tolist()))
        return TokenData(_ints(starts), _ints(ends), lemmas, _ints(sentence_starts))


def _ints(values: Any) -> array:
    out = array("i")
    out.frombytes(values.astype(np.int32).tobytes())
    return out
