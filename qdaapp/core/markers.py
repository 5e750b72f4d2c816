"""Speech-act marker runs: index lookup, then spaCy's Matcher on the candidates.

A run never re-reads the sources. The lemma index (``lemma_fts``) gives the
sentences that contain every word of some marker phrase near each other; the
stored lemmas of just those sentences become one spaCy ``Doc`` and the
Matcher finds the phrases precisely (lemmas, an optional adverb between
words, "*" for any one word). Exclusions ("has to do with") are matched too
and cancel the markers they cover. Polarity, the pronoun subject and the
speaker come from the stored tokens and the source's speaker turns.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from typing import NamedTuple, Optional

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from . import indexing
from .commands import Change, command
from .errors import InvalidInput
from .lexicon import LexiconSpec
from .models import SearchRun, Source
from .progress import CancelToken, checkpoint



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

    def __init__(self, spec: LexiconSpec) -> None:
        from spacy.matcher import Matcher

        from . import nlp

        self.spec = spec
        self.vocab = nlp.pipeline(spec.language).vocab
        self._lemmatise = _lemmatiser(spec.language)
        self.keys: dict[str, tuple[str, str, str]] = {}  # match key -> (act, phrase text, polarity)
        self.matchers: dict[str, Matcher] = {}
        # For each first lemma: how many tokens a match can span (with gaps),
        # and which next word must follow within how many tokens (None: the
        # first word alone can match). This cheap test keeps most "be", "we"
        # and "have" out of the Matcher.
        self.reach: dict[str, int] = {}
        self.follow: dict[str, Optional[dict[str, int]]] = {}
        # The documents matched are made of lemmas (see find_markers), so patterns test ORTH:
        # building a Doc with words only is several times faster than also setting each token's lemma.
        gap = {"ORTH": {"IN": sorted(set(spec.adverbs) | set(spec.negations))}, "OP": "?"}
        fts_groups = set()
        for act in spec.acts.values():
            entries = [(f"{act.name}|{i}", p.text, p.polarity) for i, p in enumerate(act.phrases)]
            entries += [(f"EXCLUDE|{act.name}|{j}", text_, "") for j, text_ in enumerate(act.exclude)]
            for key, phrase, polarity in entries:
                words = self._words(phrase)
                first = words[0]
                if not key.startswith("EXCLUDE|"):
                    self.keys[key] = (act.name, phrase, polarity)
                    fts_groups.add(self._fts(words))
                self.matchers.setdefault(first, Matcher(self.vocab)).add(key, [self._pattern(words, gap)])
                self.reach[first] = max(self.reach.get(first, 1), 2 * len(words) - 1)
                nxt = next(((k, w) for k, w in enumerate(words[1:], start=1) if w != "*"), None)
                if nxt is None:
                    self.follow[first] = None
                elif self.follow.get(first, {}) is not None:
                    table = self.follow.setdefault(first, {})
                    table[nxt[1]] = max(table.get(nxt[1], 0), 2 * nxt[0])
        self.fts_query = " OR ".join(sorted(g for g in fts_groups if g))
        self.negations = set(spec.negations)
        self.subjects = set(spec.subjects)

    def _words(self, phrase: str) -> list[str]:
        return [w if w == "*" else self._lemmatise(w) for w in phrase.lower().split()]

    @staticmethod
    def _pattern(words: list[str], gap: dict) -> list[dict]:
        pattern: list[dict] = []
        for n, word in enumerate(words):
            if n:
                pattern.append(gap)
            pattern.append({} if word == "*" else {"ORTH": word})
        return pattern

    @staticmethod
    def _fts(words: list[str]) -> str:
        real = [w for w in words if w != "*" and w.replace("'", "").isalnum()]
        if not real:
            return ""
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


def _windows(compiled: CompiledLexicon, rows: list) -> tuple[dict[str, tuple[list[str], list, list]], list[list[str]]]:
    """Per first lemma: the tokens to match, and where each window starts in them
    (``starts``, ascending) and in the corpus (``origins``: row, index in sentence)."""
    reach, follow = compiled.reach, compiled.follow
    groups: dict[str, tuple[list[str], list, list]] = {}
    sentence_lemmas = []
    for n, row in enumerate(rows):
        lemmas = row[3].split(" ")
        sentence_lemmas.append(lemmas)
        size = len(lemmas)
        for i, lemma in enumerate(lemmas):
            span = reach.get(lemma)
            if span is None:
                continue
            stop = min(size, i + span)
            table = follow[lemma]
            if table is not None:
                for k in range(i + 1, stop):
                    if table.get(lemmas[k], -1) >= k - i:
                        break
                else:
                    continue
            group = groups.get(lemma)
            if group is None:
                group = groups[lemma] = ([], [], [])
            words, starts, origins = group
            starts.append(len(words))
            origins.append((n, i))
            words.extend(lemmas[i:stop])
    return groups, sentence_lemmas


def find_markers(
    session: Session, compiled: CompiledLexicon, source_ids: Optional[list[int]] = None,
    acts: Optional[list[str]] = None, cancel: Optional[CancelToken] = None,
) -> list[MarkerHit]:
    from spacy.tokens import Doc

    if not compiled.fts_query:
        return []
    sql = ("SELECT s.source_id, s.start, s.end, s.lemmas, s.offsets FROM lemma_fts "
           "JOIN sentences s ON s.id = lemma_fts.rowid WHERE lemma_fts MATCH :q")
    rows = session.execute(text(sql), {"q": compiled.fts_query}).all()
    wanted = set(source_ids) if source_ids is not None else None
    rows = [r for r in rows if wanted is None or r[0] in wanted]
    checkpoint(cancel)
    groups, sentence_lemmas = _windows(compiled, rows)
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
    hits = []
    turns_cache: dict[int, tuple[list[int], list]] = {}
    offsets_cache: dict[int, object] = {}
    furthest: dict[tuple[int, str], int] = {}  # end of an earlier match in the same sentence and act
    for (n, i, act), (j, key) in sorted(found.items()):
        covered = furthest.get((n, act), -1) >= j
        furthest[(n, act)] = max(furthest.get((n, act), -1), j)
        if covered or any(ea <= i and j <= eb for ea, eb in excluded.get(n, ())):
            continue
        source_id, s_start, s_end, _lemmas, blob = rows[n]
        offsets = offsets_cache.get(n)
        if offsets is None:
            offsets = offsets_cache[n] = indexing.unpack_offsets(blob)
        _act, phrase, polarity = compiled.keys[key]
        lemmas = sentence_lemmas[n]
        if polarity == "positive" and _negated(lemmas, i, j, compiled.negations):
            polarity = "negative"
        if source_id not in turns_cache:
            raw = json.loads(session.scalar(select(Source.turns).where(Source.id == source_id)) or "[]")
            turns_cache[source_id] = ([t[0] for t in raw], raw)
        start = offsets[2 * i]
        hits.append(MarkerHit(
            source_id, start, offsets[2 * j + 1], act, phrase, polarity,
            _subject(lemmas, i, compiled.subjects), _speaker(turns_cache[source_id], start), s_start, s_end,
        ))
    return hits


def _negated(lemmas: list[str], i: int, j: int, negations: set[str]) -> bool:
    window = lemmas[max(0, i - 3): j + 1]
    return any(w in negations for w in window)


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
    coder: str = "", cancel: Optional[CancelToken] = None,
) -> Change:
    """Find marker hits and store them as a run (all candidates until reviewed)."""
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
    hits = find_markers(session, CompiledLexicon(spec), scope, acts, cancel)
    params = {"sources": source_ids, "acts": acts, "language": spec.language, "other_languages_skipped": skipped}
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
    return Change("markers.run", "search_run", run.id, summary,
                  after={"run": run.id, "lexicon": spec.name, "version": spec.version, "params": params,
                         "hits": len(hits)},
                  result=run.id)
