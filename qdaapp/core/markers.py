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

Speed at study scale: the candidate sentences are streamed and matched in
batches, and a run stores its hits a batch at a time, so memory does not
grow with the corpus. The CLI matches on two cores (a forked helper takes
batches; the hits and their order are the same). A lexicon's lemmatised
patterns (its "plan") are cached in the per-user data folder under a hash of
the lexicon's whole text, its groups and the lemmatising packages, so a new
process compiles it without loading a spaCy pipeline; an edited lexicon
gets a new plan.
"""

from __future__ import annotations

import hashlib
import json
import os
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import indexing, speakers
from .commands import Change, command
from .errors import InvalidInput
from .lexicon import EXACT, NEGATED, PAST, LexiconSpec
from .models import SearchRun, Source
from .progress import CancelToken, checkpoint

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from spacy.matcher import Matcher

ANY = ("*",)  # a "*" word of a phrase: any one word
PAST_WORD = (PAST,)  # a "<past>" word: a verb in the past tense, checked on its written form (see _finish)
SCAN_PAST = True  # two-word "<past>" phrases by a plain scan (see _past_matches); False: by the Matcher


class MarkerHit(NamedTuple):
    source_id: int
    start: int
    end: int
    act: str
    marker: str
    polarity: str
    subject: str | None
    speaker: str | None
    sentence_start: int
    sentence_end: int


class CompiledLexicon:
    """A lexicon turned into Matcher patterns and an FTS candidate query.

    Patterns are grouped by their first lemma, one spaCy ``Matcher`` per
    group: the Matcher's cost grows with the number of patterns it tries at
    each token, and a stretch that starts with "have" only needs the "have"
    patterns.
    """

    def __init__(self, spec: LexiconSpec, groups: list[str] | None = None, cache: bool = True) -> None:
        """``groups``: the phrase groups to use (default: the lexicon's enabled ones).

        ``cache``: read the lemmatised patterns from (and write them to) the per-user cache
        (:func:`plan_path`), so a process that finds them there never loads a spaCy pipeline."""
        from spacy.vocab import Vocab

        self.spec = spec
        self.groups = spec.check_groups(list(groups)) if groups is not None else spec.default_groups()
        # A vocabulary of our own: the words that may sit inside a marker ("have really got to",
        # "don't have to") carry the IS_STOP flag here and nowhere else, so the optional gap is a
        # flag test inside the Matcher instead of a set lookup in Python on every token.
        self.vocab = Vocab()
        for word in set(spec.adverbs) | set(spec.negations):
            self.vocab[word].is_stop = True
        self.matchers: dict[str, Matcher] = {}
        # For each first lemma: how many tokens a match can span (with gaps),
        # the words one of which must follow within ``near`` tokens (None: the
        # first word alone can match), and the words a match can end on (None:
        # any word, the phrase ends with "*"). These cheap tests keep most "be",
        # "we" and "have" out of the Matcher, and cut each window short after
        # the last word a match could end on.
        self.reach: dict[str, int] = {}
        self.nexts: dict[str, set[str] | None] = {}
        self.near: dict[str, int] = {}
        self.finals: dict[str, set[str] | None] = {}
        try:
            path = plan_path(spec, self.groups) if cache else None
        except OSError:  # no data folder to be had (a read-only home): compile without the cache
            path = None
        plan = _read_plan(path) if path is not None else None
        self.from_cache = plan is not None
        if plan is None:
            plan = self._plan(spec, set(self.groups))
            if path is not None:
                _write_plan(path, plan)
        # match key -> (act, phrase text, polarity)
        self.keys: dict[str, tuple[str, str, str]] = {k: tuple(v) for k, v in plan["keys"].items()}
        for first, key, pattern, words in plan["adds"]:
            self._add(first, key, pattern, [tuple(w) for w in words])
        self.firsts = frozenset(self.reach)
        self.fts_query = plan["fts_query"]
        self.past_keys = frozenset(plan["past_keys"])
        # key -> the written form its last word must have ("it =worked": not "it works")
        self.exact: dict[str, str] = dict(plan["exact"])
        self.checked_keys = self.past_keys | frozenset(self.exact)
        # First lemma -> the keys of two-word "<past>" phrases ("we <past>") that start with it.
        self.pronoun_past: dict[str, list[str]] = {}
        for key, firsts in plan["pronoun_past"]:
            for first in firsts:
                self.pronoun_past.setdefault(first, []).append(key)
        self.pronoun_firsts = frozenset(self.pronoun_past)
        self.gap_words = frozenset(spec.adverbs) | frozenset(spec.negations)
        self.past_helpers = frozenset(plan["past_helpers"])
        self.not_actions = frozenset(plan["not_actions"])
        self.past = spec.past
        self.keeps_act = frozenset(a.name for a in spec.acts.values() if a.negation_keeps_act)
        self.negations = set(spec.negations)
        self.subjects = set(spec.subjects)
        self.determiners = set(plan["determiners"])

    def _plan(self, spec: LexiconSpec, used: set[str]) -> dict:
        """What the lexicon's phrases become once lemmatised: the Matcher patterns in the order
        they are added (that order decides between two phrases matching the same words), the
        keys, the FTS query and the determiners. Plain data, so it can be cached as JSON."""
        lemmatise = _lemmatiser(spec.language)
        # The documents matched are made of lemmas (see find_markers), so patterns test ORTH:
        # building a Doc with words only is several times faster than also setting each token's lemma.
        gap = {"IS_STOP": True, "OP": "?"}
        # "<past>": any word but a verb that names no action ("wanted"), after an optional auxiliary
        # ("we've started", "we'd started").
        not_actions = sorted({lemmatise(w) for w in spec.past.not_actions})
        helpers = sorted({lemmatise(w) for w in spec.past.auxiliaries})
        verb: dict = {"ORTH": {"NOT_IN": not_actions}} if not_actions else {}
        past: list[dict] = [{"ORTH": {"IN": helpers}, "OP": "?"}, gap, verb] if helpers else [verb]
        keys: dict[str, tuple[str, str, str]] = {}
        past_keys: list[str] = []
        exact: dict[str, str] = {}
        pronoun_past: list[tuple[str, list[str]]] = []
        adds: list[tuple[str, str, list[dict], list[tuple[str, ...]]]] = []
        fts_groups = set()
        seen: set[tuple] = set()
        for act in spec.acts.values():
            entries = [(f"{act.name}|{i}", p.text, p.polarity) for i, p in enumerate(act.phrases)
                       if p.group is None or p.group in used]
            entries += [(f"EXCLUDE|{act.name}|{j}", text_, "") for j, text_ in enumerate(act.exclude)]
            for key, phrase, polarity in entries:
                words = _words(lemmatise, phrase)
                ident = (act.name, key.startswith("EXCLUDE|"), tuple(words))
                if ident in seen:
                    continue  # a form of an earlier phrase ("could" of "can"): that one names the hits
                seen.add(ident)
                if not key.startswith("EXCLUDE|"):
                    keys[key] = (act.name, phrase, polarity)
                    fts_groups.add(self._fts(words))
                    if words[-1] == PAST_WORD:
                        past_keys.append(key)
                    if phrase.split()[-1].startswith(EXACT):
                        exact[key] = phrase.split()[-1][len(EXACT):].lower().replace("\u2019", "'")
                if SCAN_PAST and len(words) == 2 and words[-1] == PAST_WORD and not key.startswith("EXCLUDE|"):
                    # "we <past>": matched by a plain scan (see _past_matches), several times faster than the
                    # Matcher on every "I" and "we" of a study.
                    pronoun_past.append((key, list(words[0])))
                    continue
                pattern = self._pattern(words, gap, past)
                for first in words[0]:
                    adds.append((first, key, pattern, words))
        return {"keys": keys, "adds": adds, "fts_query": " OR ".join(sorted(g for g in fts_groups if g)),
                "determiners": sorted({lemmatise(w) for w in spec.determiners}), "past_keys": past_keys,
                "exact": exact, "pronoun_past": pronoun_past, "past_helpers": helpers, "not_actions": not_actions}

    def _add(self, first: str, key: str, pattern: list[dict], words: list[tuple[str, ...]]) -> None:
        """Put one pattern in the Matcher of the first lemma ``first`` and widen that lemma's pre-tests."""
        if first not in self.matchers:
            from spacy.matcher import Matcher

            self.matchers[first] = Matcher(self.vocab)
        self.matchers[first].add(key, [pattern])
        # A "<past>" word may bring a "have" and a second gap with it ("we have really started").
        span = 2 * len(words) - 1 + (2 if words[-1] == PAST_WORD else 0)
        self.reach[first] = max(self.reach.get(first, 1), span)
        nxt = next(((k, w) for k, w in enumerate(words[1:], start=1) if w not in (ANY, PAST_WORD)), None)
        if nxt is None:
            self.nexts[first] = None
        elif (following := self.nexts.setdefault(first, set())) is not None:
            following.update(nxt[1])
            self.near[first] = max(self.near.get(first, 0), 2 * nxt[0])
        last = words[-1]
        if last in (ANY, PAST_WORD):
            self.finals[first] = None
        elif (finals := self.finals.setdefault(first, set())) is not None:
            finals.update(last)

    @staticmethod
    def _pattern(words: list[tuple[str, ...]], gap: dict, past: list[dict]) -> list[dict]:
        pattern: list[dict] = []
        for n, word in enumerate(words):
            if n:
                pattern.append(gap)
            if word == PAST_WORD:
                pattern.extend(past)
            elif word == ANY:
                pattern.append({})
            else:
                pattern.append({"ORTH": word[0]} if len(word) == 1 else {"ORTH": {"IN": list(word)}})
        return pattern

    @staticmethod
    def _fts(words: list[tuple[str, ...]]) -> str:
        real = [w[0] for w in words if w != ANY and len(w) == 1 and w[0].replace("'", "").isalnum()]
        if not real:
            choice = next((w for w in words if w not in (ANY, PAST_WORD)), ())
            return "(" + " OR ".join(f'"{a}"' for a in choice) + ")" if choice else ""
        if len(real) == 1:
            return f'"{real[0]}"'
        return "NEAR(" + " ".join(f'"{w}"' for w in real) + f", {2 * len(words) + 2})"


def _lemmatiser(lang: str):
    from . import nlp

    pipe = nlp.pipeline(lang)
    cache: dict[str, str] = {}

    def lemma(word: str) -> str:
        if word not in cache:
            doc = pipe(word)
            cache[word] = (doc[0].lemma_ or word).lower() if len(doc) == 1 else word
        return cache[word]

    return lemma


def _words(lemmatise, phrase: str) -> list[tuple[str, ...]]:
    """Each word of ``phrase`` as the lemmas it may be ("a|b" gives two), ANY for "*", PAST_WORD for "<past>"."""
    return [ANY if w == "*" else PAST_WORD if w == PAST
            else tuple(dict.fromkeys(lemmatise(a) for a in w.removeprefix(EXACT).split("|") if a))
            for w in phrase.lower().split()]


# Raised whenever what a compiled lexicon's plan holds, or how it is made, changes: plans cached
# under an older format are then made again.
PLAN_FORMAT = 3
PLAN_CACHE_MAX = 32  # plan files kept in the cache folder (the newest)


def _lemma_source(lang: str) -> str:
    """The installed packages the lemmas of ``lang`` come from (see nlp.pipeline), with versions."""
    from importlib import metadata

    from . import nlp

    parts = []
    for name in ("spacy", "spacy-lookups-data", *nlp.FULL_MODELS.get(lang, ())):
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=none")
    return ";".join(parts)


def _code_stamp() -> str:
    """A hash of the code that makes a plan (this module and the pipelines'), so a plan cached by
    another version of qdaapp is never used even where PLAN_FORMAT was not raised."""
    global _CODE_STAMP
    if _CODE_STAMP is None:
        from . import nlp

        digest = hashlib.sha256()
        for module_file in (__file__, nlp.__file__):
            try:
                digest.update(Path(module_file).read_bytes())
            except (OSError, TypeError):
                digest.update(b"?")
        _CODE_STAMP = digest.hexdigest()
    return _CODE_STAMP


_CODE_STAMP: str | None = None


def plan_path(spec: LexiconSpec, groups: list[str]) -> Path:
    """Where the plan of ``spec`` with ``groups`` is cached: a file named by a hash of the
    lexicon's whole text (with its version), the groups, the plan format, the code that makes
    plans and the packages that lemmatise, so an edited lexicon, another qdaapp or a new spaCy
    never meets an old plan."""
    from .lexicon import dump
    from .logs import data_dir

    ident = json.dumps([PLAN_FORMAT, _code_stamp(), dump(spec), list(groups), _lemma_source(spec.language)])
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:40]
    return data_dir() / "cache" / f"lexicon-plan-{digest}.json"


def _read_plan(path: Path) -> dict | None:
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not cached yet, or unreadable: made again
    if not isinstance(plan, dict) or plan.get("format") != PLAN_FORMAT:
        return None
    return plan


def _write_plan(path: Path, plan: dict) -> None:
    """Write the plan atomically; the cache is derived data, so a failure only costs the next run time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"format": PLAN_FORMAT, **plan}), encoding="utf-8")
        os.replace(tmp, path)
        old = sorted(path.parent.glob("lexicon-plan-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[PLAN_CACHE_MAX:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass


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
    session: Session, compiled: CompiledLexicon, source_ids: list[int] | None = None,
    acts: list[str] | None = None, cancel: CancelToken | None = None, workers: int = 1,
) -> list[MarkerHit]:
    """Marker hits in the candidate sentences the lemma index picks, in its order.

    ``workers``: 2 matches on both cores of the machine (see :func:`hit_batches`)."""
    return [hit for batch in hit_batches(session, compiled, source_ids, acts, cancel, workers) for hit in batch]


def hits_in_sentences(session: Session, compiled: CompiledLexicon, sentence_ids: Sequence[int],
                      acts: list[str] | None = None) -> list[MarkerHit]:
    """The hits a run would find in the sentences ``sentence_ids`` (of indexed sources), in order.

    For a question about a few stretches of text (the sentences around an
    account's passages), without asking the lemma index for the whole project.
    """
    connection = session.connection().connection
    rows = sorted(_in_chunks(connection, "SELECT source_id, start, end, lemmas, offsets FROM sentences "
                                         "WHERE id IN ({}) AND lemmas IS NOT NULL", list(sentence_ids)),
                  key=lambda r: (r[0], r[1]))
    if not rows:
        return []
    turns = dict(_in_chunks(connection, "SELECT id, turns FROM sources WHERE id IN ({})", sorted({r[0] for r in rows})))
    return _finish(connection, _match_rows(compiled, (rows, turns), acts), compiled)


SENTENCE_BATCH = 2500
# A batch of candidate sentences: their rows, and the speaker turns (JSON as stored) of their sources.
Batch = tuple[Sequence[tuple], dict[int, str]]


def hit_batches(
    session: Session, compiled: CompiledLexicon, source_ids: list[int] | None = None,
    acts: list[str] | None = None, cancel: CancelToken | None = None, workers: int = 1,
) -> Iterator[list[MarkerHit]]:
    """The hits of :func:`find_markers`, a batch at a time, in the same order.

    The sentences are read from a streaming cursor and matched in batches
    (each sentence's hits depend on that sentence alone), so a whole study
    never holds every candidate sentence, nor every hit, at once. With
    ``workers`` > 1 (and fork available, in a process running no other
    thread) a forked helper matches some batches while this process matches
    others; the batches are given out in their order either way.
    """
    if not compiled.fts_query:
        return
    wanted = None if source_ids is None else set(source_ids)
    connection = session.connection().connection
    cursor = connection.cursor()

    def row_batches() -> Iterator[Batch]:
        """Each batch of rows, with the speaker turns (as stored) of the sources they are in."""
        cursor.execute("SELECT s.source_id, s.start, s.end, s.lemmas, s.offsets FROM lemma_fts "
                       "JOIN sentences s ON s.id = lemma_fts.rowid WHERE lemma_fts MATCH ?", (compiled.fts_query,))
        while rows := cursor.fetchmany(SENTENCE_BATCH):
            if wanted is not None:
                rows = [r for r in rows if r[0] in wanted]
            if rows:
                ids = sorted({r[0] for r in rows})
                yield rows, dict(_in_chunks(connection, "SELECT id, turns FROM sources WHERE id IN ({})", ids))

    try:
        matched = _matched_in_parallel if workers > 1 else _matched
        for found in matched(compiled, row_batches(), acts, cancel):
            checkpoint(cancel)
            yield _finish(connection, found, compiled)
    finally:
        cursor.close()


def _matched(compiled: CompiledLexicon, batches: Iterator[Batch], acts: list[str] | None,
             cancel: CancelToken | None) -> Iterator[list[tuple]]:
    for batch in batches:
        checkpoint(cancel)
        yield _match_rows(compiled, batch, acts)


def _matched_in_parallel(compiled: CompiledLexicon, batches: Iterator[Batch], acts: list[str] | None,
                         cancel: CancelToken | None) -> Iterator[list[tuple]]:
    """What :func:`_matched` gives, with a forked helper matching batches beside this process.

    The helper is kept two batches ahead where it can be, so it never waits
    while this process reads, stores or matches; this process matches a
    batch itself when the helper has two in hand. The helper gets batches and
    gives back what :func:`_match_rows` makes of them; it never touches the
    database (an SQLite connection must not be used across a fork). Should
    it fail, this process matches the batches it held.
    """
    helper: _Helper | None = None
    done: dict[int, list[tuple]] = {}
    lent: dict[int, Batch] = {}  # number -> the batches the helper holds, in order
    given = 0

    def collect(wait: bool) -> None:
        while lent and helper is not None and (wait or helper.ready()):
            number = next(iter(lent))
            batch = lent.pop(number)
            result = helper.take()
            done[number] = result if result is not None else _match_rows(compiled, batch, acts)

    try:
        for number, batch in enumerate(batches):
            checkpoint(cancel)
            if number == 0:
                helper = _Helper.start(compiled, acts)
            collect(wait=False)
            if helper is not None and helper.alive and len(lent) < 2:
                helper.give(batch)
                lent[number] = batch
            else:
                done[number] = _match_rows(compiled, batch, acts)
            while given in done:
                yield done.pop(given)
                given += 1
        collect(wait=True)
        while given in done:
            yield done.pop(given)
            given += 1
    finally:
        if helper is not None:
            helper.stop()


class _Helper:
    """A forked process that runs :func:`_match_rows` on the batches it is given, in order."""

    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid, self.conn, self.alive = pid, conn, True

    @classmethod
    def start(cls, compiled: CompiledLexicon, acts: list[str] | None) -> _Helper | None:
        """None where a fork is not safe or not possible: no fork (Windows), or other threads
        running (a forked child holds only the calling thread, and whatever locks the others held)."""
        import gc
        import threading
        from multiprocessing import Pipe

        if not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        mine, theirs = Pipe()
        # The child never collects what it inherits: no destructor of a parent's object (an SQLite
        # connection above all) may run there. Frozen objects are also not written to by the
        # child's collections, so their pages stay shared.
        gc.freeze()
        try:
            pid = os.fork()
        except OSError:
            gc.unfreeze()
            mine.close()
            theirs.close()
            return None
        if pid == 0:
            mine.close()
            os._exit(_help(theirs, compiled, acts))
        gc.unfreeze()
        theirs.close()
        return cls(pid, mine)

    def give(self, batch: Batch) -> None:
        try:
            self.conn.send(batch)
        except OSError:
            self.alive = False

    def ready(self) -> bool:
        try:
            return self.conn.poll()
        except OSError:
            return True  # take() then finds it gone

    def take(self) -> list[tuple] | None:
        """The helper's result for the oldest batch it holds; None if it failed."""
        if not self.alive:
            return None
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            self.alive = False
            return None

    def stop(self) -> None:
        try:
            if self.alive:
                self.conn.send(None)
        except OSError:
            pass
        self.conn.close()
        os.waitpid(self.pid, 0)


def _help(conn: Connection, compiled: CompiledLexicon, acts: list[str] | None) -> int:
    """The helper's work, until it is sent None: a thread takes the batches in as they come (so
    the sender never waits on a helper busy sending a result), this one matches them in order."""
    import queue
    import sys
    import threading

    inbox: queue.SimpleQueue = queue.SimpleQueue()

    def receive() -> None:
        try:
            while (batch := conn.recv()) is not None:
                inbox.put(batch)
        except BaseException:  # the parent has gone: stop
            pass
        inbox.put(None)

    try:
        # The receiving thread waits for the interpreter lock after each chunk it reads; hand the
        # lock over sooner than the default 5 ms, so a batch being sent is taken in at once.
        sys.setswitchinterval(0.0002)
        threading.Thread(target=receive, daemon=True).start()
        while (batch := inbox.get()) is not None:
            conn.send(_match_rows(compiled, batch, acts))
        return 0
    except BaseException:  # the parent matches the batches itself
        return 1


def _match_rows(compiled: CompiledLexicon, batch: Batch, acts: list[str] | None) -> list[tuple]:
    """The hits in a batch of rows (source_id, start, end, lemmas, packed offsets) as found by
    the Matcher and the lexicon's rules, in order. Needs no database (the batch brings its
    sources' turns): each item is a MarkerHit's fields, and then, for a marker right after a
    word, the offsets of that first word (the source's text tells whether it is part of a
    name; else None), and for a "<past>" phrase the offsets and lemma of its last word (the
    source's text tells whether it is a verb in the past tense; else None)."""
    from spacy.tokens import Doc

    rows, stored_turns = batch
    turns: dict[int, tuple[list[int], list]] = {}
    sentence_lemmas = [r[3].split(" ") for r in rows]
    groups = _windows(compiled, sentence_lemmas)
    strings = compiled.vocab.strings
    excluded: dict[int, list[tuple[int, int]]] = {}
    # (row, start, act, whether a "<past>" phrase) -> (end, key)
    found: dict[tuple[int, int, str, bool], tuple[int, str]] = {}
    past_keys = compiled.checked_keys  # matches whose last word is checked on its written form
    for lemma, (words, starts, origins) in groups.items():
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
            prev = found.get((n, i, act, key in past_keys))
            if prev is None or j > prev[0]:
                found[(n, i, act, key in past_keys)] = (j, key)
    if compiled.pronoun_firsts:
        _past_matches(compiled, sentence_lemmas, acts, found)
    keys, negations, subjects, determiners = compiled.keys, compiled.negations, compiled.subjects, compiled.determiners
    out: list[tuple] = []
    offsets, offsets_row = indexing.unpack_offsets(b""), -1  # unpacked below for each new sentence row
    furthest: dict[tuple[int, str], int] = {}  # end of an earlier match in the same sentence and act
    for (n, i, act, is_past), (j, key) in sorted(found.items()):
        # A "<past>" match is only a candidate until its verb is checked (_finish): it neither hides
        # nor is hidden by another match here.
        if not is_past:
            if furthest.get((n, act), -1) >= i:
                continue  # inside or across a match of the act that starts earlier ("it worked" "worked well")
            furthest[(n, act)] = j
        if n in excluded and any(ea <= i and j <= eb for ea, eb in excluded[n]):
            continue
        if key in compiled.past_keys and j + 1 < len(sentence_lemmas[n]) and sentence_lemmas[n][j + 1] in negations:
            continue  # "we didn't know", "I hadn't": a word right before a negation is an auxiliary, no verb
        source_id, s_start, s_end, _lemmas, blob = rows[n]
        lemmas = sentence_lemmas[n]
        if i and lemmas[i - 1] in determiners:
            continue  # a noun: "the plan to", "their promises to"
        if n != offsets_row:
            offsets, offsets_row = indexing.unpack_offsets(blob), n
        check = None
        if i:
            before = lemmas[i - 1]
            if before in HYPHENS:
                # "G-forces to": joined to the word before by a hyphen with no space on either side.
                if i >= 2 and offsets[2 * i - 1] == offsets[2 * i] and offsets[2 * i - 3] == offsets[2 * i - 2]:
                    continue
            elif before.isalpha():
                check = (offsets[2 * i], offsets[2 * i + 1])
        _act, phrase, polarity = keys[key]
        # A negation just before or inside the match ("don't have to", "wasn't able to"), unless the act
        # stays itself when negated ("it didn't work" is a sanction).
        if (polarity == "positive" and act not in compiled.keeps_act
                and not negations.isdisjoint(lemmas[max(0, i - 3): j + 1])):
            polarity = NEGATED
        spans = turns.get(source_id)
        if spans is None:
            listed = json.loads(stored_turns.get(source_id) or "[]")
            spans = turns[source_id] = ([t[0] for t in listed], listed)
        start = offsets[2 * i]
        past = (offsets[2 * j], offsets[2 * j + 1], lemmas[j], key) if is_past else None
        out.append((source_id, start, offsets[2 * j + 1], act, phrase, polarity, _subject(lemmas, i, subjects),
                    _speaker(spans, start), s_start, s_end, check, past))
    return out


def _past_matches(compiled: CompiledLexicon, rows: list[list[str]], acts: list[str] | None,
                  found: dict[tuple[int, int, str, bool], tuple[int, str]]) -> None:
    """Add the matches of the two-word "<past>" phrases to ``found``: what the Matcher would find
    with their pattern (first word, an optional adverb, auxiliary and adverb, then any word but one of
    the not_actions), the longest at each start."""
    firsts, by_first, keys = compiled.pronoun_firsts, compiled.pronoun_past, compiled.keys
    gap, helpers, not_verbs = compiled.gap_words, compiled.past_helpers, compiled.not_actions
    for n, lemmas in enumerate(rows):
        present = firsts.intersection(lemmas)
        if not present:
            continue
        size = len(lemmas)
        for lemma in present:
            i = -1
            while True:
                try:
                    i = lemmas.index(lemma, i + 1)
                except ValueError:
                    break
                end = -1
                for g1 in (0, 1):
                    for h in (0, 1):
                        for g2 in (0, 1):
                            v = i + 1 + g1 + h + g2
                            if (v < size and v > end and lemmas[v] not in not_verbs
                                    and (not g1 or lemmas[i + 1] in gap)
                                    and (not h or lemmas[i + 1 + g1] in helpers)
                                    and (not g2 or lemmas[i + 1 + g1 + h] in gap)):
                                end = v
                if end < 0:
                    continue
                for key in by_first[lemma]:
                    act = keys[key][0]
                    if acts and act not in acts:
                        continue
                    prev = found.get((n, i, act, True))
                    if prev is None or end > prev[0]:
                        found[(n, i, act, True)] = (end, key)


HYPHENS = frozenset("-\u2010\u2011")


def _finish(connection, found: list[tuple], compiled: CompiledLexicon) -> list[MarkerHit]:  # a DB-API connection
    """The hits of one batch of :func:`_match_rows`, leaving out markers that are part of a name,
    and "<past>" matches whose verb is not in the past tense or that overlap another hit of their
    act in the same sentence (that hit names the passage: "set up" in "we set up").

    "the Air Force to": the marker's first word is capitalised inside the
    sentence, right after a word (a capital after punctuation, such as at
    the start of a quotation, does not count; nor does a capital in text
    written all in capitals). A name *before* the marker ("then Rosa had
    to") is the subject and does not count. Each source's text is read once
    per batch, one at a time.
    """
    checks: dict[int, list[int]] = {}
    for n, item in enumerate(found):
        if item[10] is not None or item[11] is not None:
            checks.setdefault(item[0], []).append(n)
    names: set[int] = set()
    for source_id, text in _source_texts(connection, list(checks)):
        for n in checks[source_id]:
            if found[n][10] is not None:
                a, b = found[n][10]
                word = text[a:b]
                if word.istitle() and word != "I":
                    names.add(n)
            if found[n][11] is not None:
                a, b, lemma, key = found[n][11]
                form = compiled.exact.get(key)
                written = text[a:b]
                if not (compiled.past.is_past(written, lemma) if form is None
                        else written.lower().replace("\u2019", "'") == form):
                    names.add(n)
    kept = [item for n, item in enumerate(found) if n not in names]
    if any(item[11] is not None for item in kept):
        kept = _without_overlapped_past(kept)
    return [MarkerHit(*item[:10]) for item in kept]


def _without_overlapped_past(items: list[tuple]) -> list[tuple]:
    """``items`` less each "<past>" hit that another hit of its act in its sentence overlaps: a
    phrase that is not "<past>", or a "<past>" one that starts earlier."""
    by_sentence: dict[tuple[int, int, str], list[tuple]] = {}
    for item in items:
        by_sentence.setdefault((item[0], item[8], item[3]), []).append(item)

    def overlapped(item: tuple) -> bool:
        start, end = item[1], item[2]
        return any(o is not item and o[1] < end and start < o[2] and (o[11] is None or o[1] < start)
                   for o in by_sentence[(item[0], item[8], item[3])])

    return [item for item in items if item[11] is None or not overlapped(item)]


def _in_chunks(connection, sql: str, ids: list[int]) -> Iterator[tuple]:
    """Rows of ``sql`` (with an ``IN ({})`` for ids) for ``ids``, 500 at a time, streamed."""
    cursor = connection.cursor()
    try:
        for k in range(0, len(ids), 500):
            chunk = ids[k:k + 500]
            yield from cursor.execute(sql.format(", ".join("?" for _ in chunk)), chunk)
    finally:
        cursor.close()


def _source_texts(connection, source_ids: list[int]) -> Iterator[tuple[int, str]]:
    return _in_chunks(connection, "SELECT id, coalesce(text, '') FROM sources WHERE id IN ({})", source_ids)


def _subject(lemmas: list[str], i: int, subjects: set[str]) -> str | None:
    """The pronoun a marker starts with ("we <past>"), or the nearest one before it in its clause."""
    for k in range(i, max(-1, i - 6), -1):
        w = lemmas[k]
        if w in subjects:
            return "I" if w == "i" else w
        if w in (",", ";", ":", ".", "and", "but", "because", "so"):
            break
    return None


def _speaker(turns: tuple[list[int], list], offset: int) -> str | None:
    starts, rows = turns
    i = bisect_right(starts, offset) - 1
    if i >= 0 and rows[i][0] <= offset < rows[i][1]:
        return rows[i][2]
    return None


@command("markers.run")
def run_markers(
    session: Session, spec: LexiconSpec, source_ids: list[int] | None = None, acts: list[str] | None = None,
    coder: str = "", cancel: CancelToken | None = None, groups: list[str] | None = None,
    include_interviewer: bool = False, workers: int = 1,
) -> Change:
    """Find marker hits and store them as a run (all candidates until reviewed).

    ``groups``: the lexicon's phrase groups to use; None uses the groups that
    are on by default, so low-precision phrases stay out unless asked for.
    Hits inside interviewer turns are left out unless ``include_interviewer``
    (nothing is left out while no speaker in scope is known as an interviewer).
    ``workers``: see :func:`hit_batches` (the hits are the same). The hits are
    stored a batch at a time, as they are found.
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
    left_out = {} if include_interviewer else speakers.interviewer_spans(session, scope)
    params = {"sources": source_ids, "acts": acts, "language": spec.language, "other_languages_skipped": skipped,
              "groups": compiled.groups, "interviewer_turns_left_out": bool(left_out)}
    run = SearchRun(kind="markers", lexicon=spec.name, lexicon_version=spec.version, params=json.dumps(params),
                    coder=coder, query="")
    session.add(run)
    session.flush()
    columns = ("run_id", "status", *MarkerHit._fields)
    sql = f"INSERT INTO search_hits ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    stored = 0
    cursor = session.connection().connection.cursor()
    try:
        for hits in hit_batches(session, compiled, scope, acts, cancel, workers):
            if left_out:
                hits = [h for h in hits if not speakers.inside(left_out.get(h.source_id, []), h.start)]
            # Driver-level executemany: tens of thousands of rows in a fraction of a second.
            cursor.executemany(sql, [(run.id, "candidate", *h) for h in hits])
            stored += len(hits)
    finally:
        cursor.close()
    summary = f"marker run #{run.id} ({spec.name} v{spec.version}) over {len(scope)} source(s): {stored} hits"
    if skipped:
        summary += f" ({skipped} source(s) in other languages left out)"
    if left_out:
        summary += " (interviewer turns left out)"
    return Change("markers.run", "search_run", run.id, summary,
                  after={"run": run.id, "lexicon": spec.name, "version": spec.version, "params": params,
                         "hits": stored},
                  result=run.id)
