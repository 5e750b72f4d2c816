"""Speech-act marker runs: index lookup, then spaCy's Matcher on the candidates.

A run never re-reads the sources. The lemma index (``lemma_fts``) gives the
sentences that contain every word of some marker phrase near each other; the
stored lemmas of just those sentences become one spaCy ``Doc`` and the
Matcher finds the phrases precisely (lemmas, an optional adverb between
words, "*" for any one word). Exclusions ("has to do with") are matched too
and cancel the markers they cover. A marker right after one of the
lexicon's determiners is a noun ("the plan to"), and one that is part of a
name ("the Air Force to", "G-forces to") is no marker either. Polarity, the
pronoun subject and the speaker come from the stored tokens and the source's
speaker turns.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_right
from typing import TYPE_CHECKING, NamedTuple, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import indexing, speakers
from .commands import Change, command
from .errors import InvalidInput
from .lexicon import LexiconSpec
from .models import SearchRun, Source
from .progress import CancelToken, checkpoint
from .search import source_texts

if TYPE_CHECKING:
    from spacy.matcher import Matcher

ANY = ("*",)  # a "*" word of a phrase: any one word


class MarkerHit(NamedTuple):
    source_id: int
    start: int
    end: int
    act: str
    marker: str
    polarity: str
    subject: Optional[str]
    speaker: Optional[str]
    sentence_start: int
    sentence_end: int


class CompiledLexicon:
    """A lexicon turned into Matcher patterns and an FTS candidate query.

    Patterns are grouped by their first lemma, one spaCy ``Matcher`` per
    group: the Matcher's cost grows with the number of patterns it tries at
    each token, and a stretch that starts with "have" only needs the "have"
    patterns.
    """

    def __init__(self, spec: LexiconSpec, groups: Optional[list[str]] = None) -> None:
        """``groups``: the phrase groups to use (default: the lexicon's enabled ones)."""
        from spacy.vocab import Vocab

        self.spec = spec
        self.groups = spec.check_groups(list(groups)) if groups is not None else spec.default_groups()
        used = set(self.groups)
        # A vocabulary of our own: the words that may sit inside a marker ("have really got to",
        # "don't have to") carry the IS_STOP flag here and nowhere else, so the optional gap is a
        # flag test inside the Matcher instead of a set lookup in Python on every token.
        self.vocab = Vocab()
        for word in set(spec.adverbs) | set(spec.negations):
            self.vocab[word].is_stop = True
        self._lemmatise = _lemmatiser(spec.language)
        self.keys: dict[str, tuple[str, str, str]] = {}  # match key -> (act, phrase text, polarity)
        self.matchers: dict[str, Matcher] = {}
        # For each first lemma: how many tokens a match can span (with gaps),
        # the words one of which must follow within ``near`` tokens (None: the
        # first word alone can match), and the words a match can end on (None:
        # any word, the phrase ends with "*"). These cheap tests keep most "be",
        # "we" and "have" out of the Matcher, and cut each window short after
        # the last word a match could end on.
        self.reach: dict[str, int] = {}
        self.nexts: dict[str, Optional[set[str]]] = {}
        self.near: dict[str, int] = {}
        self.finals: dict[str, Optional[set[str]]] = {}
        # The documents matched are made of lemmas (see find_markers), so patterns test ORTH:
        # building a Doc with words only is several times faster than also setting each token's lemma.
        gap = {"IS_STOP": True, "OP": "?"}
        fts_groups = set()
        seen: set[tuple] = set()
        for act in spec.acts.values():
            entries = [(f"{act.name}|{i}", p.text, p.polarity) for i, p in enumerate(act.phrases)
                       if p.group is None or p.group in used]
            entries += [(f"EXCLUDE|{act.name}|{j}", text_, "") for j, text_ in enumerate(act.exclude)]
            for key, phrase, polarity in entries:
                words = self._words(phrase)
                ident = (act.name, key.startswith("EXCLUDE|"), tuple(words))
                if ident in seen:
                    continue  # a form of an earlier phrase ("could" of "can"): that one names the hits
                seen.add(ident)
                if not key.startswith("EXCLUDE|"):
                    self.keys[key] = (act.name, phrase, polarity)
                    fts_groups.add(self._fts(words))
                pattern = self._pattern(words, gap)
                for first in words[0]:
                    self._add(first, key, pattern, words)
        self.firsts = frozenset(self.reach)
        self.fts_query = " OR ".join(sorted(g for g in fts_groups if g))
        self.negations = set(spec.negations)
        self.subjects = set(spec.subjects)
        self.determiners = {self._lemmatise(w) for w in spec.determiners}

    def _add(self, first: str, key: str, pattern: list[dict], words: list[tuple[str, ...]]) -> None:
        """Put one pattern in the Matcher of the first lemma ``first`` and widen that lemma's pre-tests."""
        if first not in self.matchers:
            from spacy.matcher import Matcher

            self.matchers[first] = Matcher(self.vocab)
        self.matchers[first].add(key, [pattern])
        self.reach[first] = max(self.reach.get(first, 1), 2 * len(words) - 1)
        nxt = next(((k, w) for k, w in enumerate(words[1:], start=1) if w != ANY), None)
        if nxt is None:
            self.nexts[first] = None
        elif self.nexts.get(first, set()) is not None:
            self.nexts.setdefault(first, set()).update(nxt[1])
            self.near[first] = max(self.near.get(first, 0), 2 * nxt[0])
        last = words[-1]
        if last == ANY:
            self.finals[first] = None
        elif self.finals.get(first, set()) is not None:
            self.finals.setdefault(first, set()).update(last)

    def _words(self, phrase: str) -> list[tuple[str, ...]]:
        """Each word of ``phrase`` as the lemmas it may be ("a|b" gives two), or ANY for "*"."""
        return [ANY if w == "*" else tuple(dict.fromkeys(self._lemmatise(a) for a in w.split("|") if a))
                for w in phrase.lower().split()]

    @staticmethod
    def _pattern(words: list[tuple[str, ...]], gap: dict) -> list[dict]:
        pattern: list[dict] = []
        for n, word in enumerate(words):
            if n:
                pattern.append(gap)
            if word == ANY:
                pattern.append({})
            else:
                pattern.append({"ORTH": word[0]} if len(word) == 1 else {"ORTH": {"IN": list(word)}})
        return pattern

    @staticmethod
    def _fts(words: list[tuple[str, ...]]) -> str:
        real = [w[0] for w in words if w != ANY and len(w) == 1 and w[0].replace("'", "").isalnum()]
        if not real:
            choice = next((w for w in words if w != ANY), ())
            return "(" + " OR ".join(f'"{a}"' for a in choice) + ")" if choice else ""
        if len(real) == 1:
            return f'"{real[0]}"'
        return "NEAR(" + " ".join(f'"{w}"' for w in real) + f", {2 * len(words) + 2})"


def _lemmatiser(lang: str):  # noqa: ANN202
    from . import nlp

    pipe = nlp.pipeline(lang)
    cache: dict[str, str] = {}

    def lemma(word: str) -> str:
        if word not in cache:
            doc = pipe(word)
            cache[word] = (doc[0].lemma_ or word).lower() if len(doc) == 1 else word
        return cache[word]

    return lemma


def _windows(compiled: CompiledLexicon, lemma_rows: list[list[str]]) -> dict[str, tuple[list[str], list, list]]:
    """Per first lemma: the tokens to match, and where each window starts in them
    (``starts``, ascending) and in the corpus (``origins``: row, index in sentence).

    The work is per occurrence of a first lemma, not per token: a set
    intersection finds which first lemmas a sentence holds, ``list.index``
    finds where.
    """
    reach, nexts, near, finals = compiled.reach, compiled.nexts, compiled.near, compiled.finals
    firsts = compiled.firsts
    groups: dict[str, tuple[list[str], list, list]] = {}
    for n, lemmas in enumerate(lemma_rows):
        present = firsts.intersection(lemmas)
        if not present:
            continue
        size = len(lemmas)
        for lemma in present:
            group = groups.get(lemma)
            if group is None:
                group = groups[lemma] = ([], [], [])
            words, starts, origins = group
            span, need, ends, close = reach[lemma], nexts[lemma], finals[lemma], near.get(lemma, 0)
            i = -1
            while True:
                try:
                    i = lemmas.index(lemma, i + 1)
                except ValueError:
                    break
                stop = min(size, i + span)
                if need is not None and need.isdisjoint(lemmas[i + 1: min(stop, i + 1 + close)]):
                    continue
                if ends is not None:
                    # End the window on the last word a match could end on.
                    while stop > i + 1 and lemmas[stop - 1] not in ends:
                        stop -= 1
                    if stop == i + 1 and need is not None:
                        continue
                starts.append(len(words))
                origins.append((n, i))
                words.extend(lemmas[i:stop])
    return groups


def find_markers(
    session: Session, compiled: CompiledLexicon, source_ids: Optional[list[int]] = None,
    acts: Optional[list[str]] = None, cancel: Optional[CancelToken] = None,
) -> list[MarkerHit]:
    """Marker hits in the candidate sentences the lemma index picks, in its order.

    The sentences are read and matched in batches (each sentence's hits depend on that
    sentence alone), so a whole study never holds every candidate sentence at once."""
    if not compiled.fts_query:
        return []
    wanted = None if source_ids is None else set(source_ids)
    sql = ("SELECT s.source_id, s.start, s.end, s.lemmas, s.offsets FROM lemma_fts "
           "JOIN sentences s ON s.id = lemma_fts.rowid WHERE lemma_fts MATCH ?")
    hits: list[MarkerHit] = []
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, (compiled.fts_query,))
        while rows := cursor.fetchmany(SENTENCE_BATCH):
            if wanted is not None:
                rows = [r for r in rows if r[0] in wanted]
            hits.extend(_batch_hits(session, compiled, rows, acts, cancel))
    finally:
        cursor.close()
    return hits


SENTENCE_BATCH = 20_000


def _batch_hits(session: Session, compiled: CompiledLexicon, rows: list[tuple], acts: Optional[list[str]],
                cancel: Optional[CancelToken]) -> list[MarkerHit]:
    from spacy.tokens import Doc

    checkpoint(cancel)
    sentence_lemmas = [r[3].split(" ") for r in rows]
    groups = _windows(compiled, sentence_lemmas)
    strings = compiled.vocab.strings
    excluded: dict[int, list[tuple[int, int]]] = {}
    found: dict[tuple[int, int, str], tuple[int, str]] = {}  # (row, start, act) -> (end, key)
    for lemma, (words, starts, origins) in groups.items():
        checkpoint(cancel)
        doc = Doc(compiled.vocab, words=words, spaces=[True] * len(words))
        for match_id, a, b in compiled.matchers[lemma](doc):
            w = bisect_right(starts, a) - 1
            # Windows lie side by side: drop matches that run across two.
            if w + 1 < len(starts) and b > starts[w + 1]:
                continue
            n, first = origins[w]
            i, j = first + a - starts[w], first + b - 1 - starts[w]
            key = strings[match_id]
            if key.startswith("EXCLUDE|"):
                excluded.setdefault(n, []).append((i, j))
                continue
            act = compiled.keys[key][0]
            if acts and act not in acts:
                continue
            # Keep the longest match at each start ("have got to" over "have to").
            prev = found.get((n, i, act))
            if prev is None or j > prev[0]:
                found[(n, i, act)] = (j, key)
    checkpoint(cancel)
    turns = _turns(session, {rows[n][0] for n, _i, _act in found})
    texts = _Texts(session)
    keys, negations, subjects, determiners = compiled.keys, compiled.negations, compiled.subjects, compiled.determiners
    hits = []
    offsets, offsets_row = None, -1
    furthest: dict[tuple[int, str], int] = {}  # end of an earlier match in the same sentence and act
    for (n, i, act), (j, key) in sorted(found.items()):
        if furthest.get((n, act), -1) >= j:
            continue  # inside a longer match that starts earlier
        furthest[(n, act)] = j
        if n in excluded and any(ea <= i and j <= eb for ea, eb in excluded[n]):
            continue
        source_id, s_start, s_end, _lemmas, blob = rows[n]
        lemmas = sentence_lemmas[n]
        if i and lemmas[i - 1] in determiners:
            continue  # a noun: "the plan to", "their promises to"
        if n != offsets_row:
            offsets, offsets_row = indexing.unpack_offsets(blob), n
        if i and _in_name(lemmas, offsets, i, texts, source_id):
            continue
        _act, phrase, polarity = keys[key]
        # A negation just before or inside the match ("don't have to", "wasn't able to").
        if polarity == "positive" and not negations.isdisjoint(lemmas[max(0, i - 3): j + 1]):
            polarity = "negative"
        start = offsets[2 * i]
        hits.append(MarkerHit(
            source_id, start, offsets[2 * j + 1], act, phrase, polarity,
            _subject(lemmas, i, subjects), _speaker(turns[source_id], start), s_start, s_end,
        ))
    return hits


HYPHENS = frozenset("-\u2010\u2011")


class _Texts:
    """Source texts read on first need: only a marker after a word needs its own spelling checked."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[int, str] = {}

    def get(self, source_id: int) -> str:
        if source_id not in self.cache:
            self.cache[source_id] = dict(source_texts(self.session, [source_id])).get(source_id, "")
        return self.cache[source_id]


def _in_name(lemmas: list[str], offsets: array, i: int, texts: _Texts, source_id: int) -> bool:
    """Whether the marker starting at token ``i`` (> 0) is part of a name or a compound noun.

    "the Air Force to": the marker's first word is capitalised inside the
    sentence, right after a word (a capital after punctuation, such as at
    the start of a quotation, does not count; nor does a capital in text
    written all in capitals). "G-forces to": the word is joined to the one
    before it by a hyphen with no space on either side. A name *before* the
    marker ("then Rosa had to") is the subject and does not count.
    """
    before = lemmas[i - 1]
    if before in HYPHENS:
        return i >= 2 and offsets[2 * i - 1] == offsets[2 * i] and offsets[2 * i - 3] == offsets[2 * i - 2]
    if not before.isalpha():
        return False
    word = texts.get(source_id)[offsets[2 * i]:offsets[2 * i + 1]]
    return word.istitle() and word != "I"


def _turns(session: Session, source_ids: set[int]) -> dict[int, tuple[list[int], list]]:
    """Each source's speaker turns, with their starts for bisecting."""
    result = {i: ([], []) for i in source_ids}
    if source_ids:
        for sid, raw in session.execute(select(Source.id, Source.turns).where(Source.id.in_(source_ids))):
            spans = json.loads(raw or "[]")
            result[sid] = ([t[0] for t in spans], spans)
    return result


def _subject(lemmas: list[str], i: int, subjects: set[str]) -> Optional[str]:
    for k in range(i - 1, max(-1, i - 6), -1):
        w = lemmas[k]
        if w in subjects:
            return "I" if w == "i" else w
        if w in (",", ";", ":", ".", "and", "but", "because", "so"):
            break
    return None


def _speaker(turns: tuple[list[int], list], offset: int) -> Optional[str]:
    starts, rows = turns
    i = bisect_right(starts, offset) - 1
    if i >= 0 and rows[i][0] <= offset < rows[i][1]:
        return rows[i][2]
    return None


@command("markers.run")
def run_markers(
    session: Session, spec: LexiconSpec, source_ids: Optional[list[int]] = None, acts: Optional[list[str]] = None,
    coder: str = "", cancel: Optional[CancelToken] = None, groups: Optional[list[str]] = None,
    include_interviewer: bool = False,
) -> Change:
    """Find marker hits and store them as a run (all candidates until reviewed).

    ``groups``: the lexicon's phrase groups to use; None uses the groups that
    are on by default, so low-precision phrases stay out unless asked for.
    Hits inside interviewer turns are left out unless ``include_interviewer``
    (nothing is left out while no speaker in scope is known as an interviewer).
    """
    if not session.scalar(select(Source.id).limit(1)):
        raise InvalidInput("There is nothing to search: the project has no sources yet. Import some first.")
    # A lexicon is written for one language: only sources analysed in that language are searched.
    same_language = set(session.scalars(select(Source.id).where(Source.language == spec.language)))
    wanted = session.scalars(select(Source.id)).all() if source_ids is None else list(source_ids)
    scope = [i for i in wanted if i in same_language]
    skipped = len(wanted) - len(scope)
    if not scope:
        raise InvalidInput(
            f"No {'chosen ' if source_ids is not None else ''}source is in the language of lexicon {spec.name} "
            f"('{spec.language}'). Import sources with --language {spec.language}, "
            "or choose a lexicon for their language.")
    missing = set(indexing.pending(session, need_nlp=True)) & set(scope)
    if missing:
        raise InvalidInput(f"{len(missing)} source(s) are not indexed yet; run 'qdaapp index PROJECT' first.")
    for act in acts or []:
        if act not in spec.acts:
            raise InvalidInput(f"'{act}' is not a speech act of lexicon {spec.name}; use {', '.join(spec.acts)}.")
    compiled = CompiledLexicon(spec, groups)
    hits = find_markers(session, compiled, scope, acts, cancel)
    left_out = {} if include_interviewer else speakers.interviewer_spans(session, scope)
    if left_out:
        hits = [h for h in hits if not speakers.inside(left_out.get(h.source_id, []), h.start)]
    params = {"sources": source_ids, "acts": acts, "language": spec.language, "other_languages_skipped": skipped,
              "groups": compiled.groups, "interviewer_turns_left_out": bool(left_out)}
    run = SearchRun(kind="markers", lexicon=spec.name, lexicon_version=spec.version, params=json.dumps(params),
                    coder=coder, query="")
    session.add(run)
    session.flush()
    if hits:
        # Driver-level executemany: tens of thousands of rows in a fraction of a second.
        columns = ("run_id", "status", *MarkerHit._fields)
        sql = (f"INSERT INTO search_hits ({', '.join(columns)}) "
               f"VALUES ({', '.join('?' for _ in columns)})")
        session.connection().exec_driver_sql(sql, [(run.id, "candidate", *h) for h in hits])
    summary = f"marker run #{run.id} ({spec.name} v{spec.version}) over {len(scope)} source(s): {len(hits)} hits"
    if skipped:
        summary += f" ({skipped} source(s) in other languages left out)"
    if left_out:
        summary += " (interviewer turns left out)"
    return Change("markers.run", "search_run", run.id, summary,
                  after={"run": run.id, "lexicon": spec.name, "version": spec.version, "params": params,
                         "hits": len(hits)},
                  result=run.id)
