"""Candidates for a speech act an account is missing: passages near the account's own.

Performance and sanction are the acts keyword search finds least (METHOD.md,
step 4): they are told in the stretch of an interview around what the account
already holds. So, for one act, the sentences of the account's sources that
lie within ``near`` sentences of one of its passages, spoken by the speakers
of those passages (when the source has speaker turns) and not in an
interviewer's turn, are looked at two ways:

* the lexicon's phrases for the act (the performance and sanction groups: an
  actor and a past-tense verb, "it worked"), as a marker run would find them
  with the groups that are on; negated hits ("we never started") are left out;
* the similarity ranking of :mod:`qdaapp.core.similar`, given as examples the
  passages of that act elsewhere in the project (fragments of other accounts,
  passages coded at the act's node under "Speech acts") or, failing those, the
  account's own passages.

Each candidate says why it is proposed. Nothing changes here: the researcher
adds what fits through the usual audited commands (``account.add_passage``,
``fragment.create``).
"""

from __future__ import annotations

import importlib
import json
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from types import ModuleType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import indexing, lexicon, markers, speakers
from .errors import InvalidInput, QdaError
from .models import AccountPassage, Fragment, FragmentPassage, Sentence, Source
from .narrative import check_act, resolve_account
from .turns import line_label

NEAR = 15  # sentences either side of one of the account's passages
SIMILAR_TOP = 400  # units asked of the similarity ranking before keeping those near the account
SIMILAR_KEEP = 6  # of those near it, the most similar that are proposed for being so
SIMILAR_OWN = "similar to the account's passages"


@dataclass(frozen=True)
class Candidate:
    source: str
    source_id: int
    start: int  # the sentence, code points
    end: int
    text: str
    speaker: str | None
    distance: int  # sentences from the nearest passage of the account
    reasons: tuple[str, ...]
    marker: str | None = None  # the lexicon phrase that found it, as written in the lexicon
    marked: tuple[int, int] | None = None  # where that phrase is in the source
    score: float = 0.0  # similarity (0: not proposed by the ranking)
    shared_terms: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["reasons"], out["shared_terms"] = list(self.reasons), list(self.shared_terms)
        out["marked"] = list(self.marked) if self.marked else None
        out["reason"] = self.reason
        return out


@dataclass
class _Place:
    """A sentence near the account: where it is and how far from the account's passages."""

    source_id: int
    start: int
    end: int
    distance: int
    speaker: str | None
    reasons: list[str] = field(default_factory=list)
    marker: str | None = None
    marked: tuple[int, int] | None = None
    score: float = 0.0
    shared_terms: tuple[str, ...] = ()


def candidates(session: Session, account_id: int | str, act: str, limit: int = 20, near: int = NEAR,
               lexicon_name: str = "greimas-en") -> list[Candidate]:
    """Up to ``limit`` passages near the account's that may tell ``act``, best first.

    Found by a phrase of the act and by the similarity ranking first, then by
    either; nearer before farther; then the more similar. InvalidInput names
    the problem when the act is unknown, the account has no passages, or its
    sources are not indexed yet.
    """
    account = resolve_account(session, account_id)
    act = check_act(act) or ""
    if not act:
        raise InvalidInput("Name the speech act to find candidates for, such as performance or sanction.")
    if limit < 1 or near < 1:
        raise InvalidInput("The number of candidates and the distance in sentences must be at least 1.")
    spans = account_spans(session, account.id)
    if not spans:
        raise InvalidInput(f"The account '{account.title}' has no passages yet. Add passages from the documents "
                           "first: candidates are looked for near them.")
    source_ids = sorted({sid for sid, _, _ in spans})
    unindexed = set(indexing.pending(session, need_nlp=True)) & set(source_ids)
    if unindexed:
        raise InvalidInput(f"{len(unindexed)} source(s) of the account '{account.title}' are not indexed yet; "
                           "run 'qdaapp index PROJECT' first (the app indexes after import).")
    places = _near_sentences(session, spans, near)
    if not places:
        return []
    _by_pattern(session, places, act, lexicon_name)
    _by_similarity(session, places, act, account.id, source_ids)
    found = sorted((p for p in places.values() if p.reasons),
                   key=lambda p: (-len(p.reasons), p.distance, -p.score, p.source_id, p.start))[:limit]
    names, texts = _texts(session, {p.source_id for p in found})
    return [Candidate(names[p.source_id], p.source_id, p.start, p.end, texts[p.source_id][p.start:p.end].strip(),
                      p.speaker, p.distance, tuple(p.reasons), p.marker, p.marked, round(p.score, 4),
                      p.shared_terms) for p in found]


def account_spans(session: Session, account_id: int) -> list[tuple[int, int, int]]:
    """(source id, start, end) of the account's passages and of its fragments' passages."""
    rows = set(session.execute(select(AccountPassage.source_id, AccountPassage.start, AccountPassage.end)
                               .where(AccountPassage.account_id == account_id)))
    rows |= set(session.execute(select(FragmentPassage.source_id, FragmentPassage.start, FragmentPassage.end)
                                .join(Fragment, Fragment.id == FragmentPassage.fragment_id)
                                .where(Fragment.account_id == account_id)))
    return sorted(rows)


def _near_sentences(session: Session, spans: list[tuple[int, int, int]], near: int) -> dict[int, _Place]:
    """Sentence id -> place, for the sentences within ``near`` of a passage, outside every passage,
    spoken by a speaker of the passages of their source, and not in an interviewer's turn."""
    by_source: dict[int, list[tuple[int, int]]] = {}
    for sid, a, b in spans:
        by_source.setdefault(sid, []).append((a, b))
    interviewer = speakers.interviewer_spans(session, list(by_source))
    out: dict[int, _Place] = {}
    for sid, passages in by_source.items():
        text, stored_turns = session.execute(select(Source.text, Source.turns).where(Source.id == sid)).one()
        turns = json.loads(stored_turns or "[]")
        # A speaker's label alone ("Rosa:") is no sentence of what was said: it neither counts nor is proposed.
        rows = [r for r in session.execute(select(Sentence.id, Sentence.start, Sentence.end)
                                           .where(Sentence.source_id == sid).order_by(Sentence.start))
                if not _label_only((text or "")[r[1]:r[2]])]
        turn_starts = [t[0] for t in turns]
        inside = [k for k, (_id, a, b) in enumerate(rows) if any(a < pb and pa < b for pa, pb in passages)]
        voices = {t[2] for a, b in passages for t in turns if t[0] < b and a < t[1]}
        taken = set(inside)
        left_out = interviewer.get(sid, [])
        for k, (sentence_id, a, b) in enumerate(rows):
            if k in taken or not inside:
                continue
            distance = min(abs(k - i) for i in inside)
            if distance > near or speakers.inside(left_out, a):
                continue
            voice = _speaker_at(turns, turn_starts, a)
            if voices and voice not in voices:
                continue
            out[sentence_id] = _Place(sid, a, b, distance, voice)
    return out


def _label_only(sentence: str) -> bool:
    found = line_label(sentence.strip())
    return found is not None and found[1]


def _speaker_at(turns: list, starts: list[int], offset: int) -> str | None:
    """The speaker of the stored turn (start, end, speaker) holding ``offset``; None outside every turn."""
    i = bisect_right(starts, offset) - 1
    return turns[i][2] if i >= 0 and turns[i][0] <= offset < turns[i][1] else None


def _by_pattern(session: Session, places: dict[int, _Place], act: str, lexicon_name: str) -> None:
    """Mark the places where a phrase of ``act`` (the lexicon's groups that are on) is found."""
    spec = lexicon.load(session, lexicon_name)
    if act not in spec.acts:
        return
    compiled = markers.CompiledLexicon(spec)
    where = {(p.source_id, p.start): p for p in places.values()}
    for hit in markers.hits_in_sentences(session, compiled, list(places), acts=[act]):
        place = where.get((hit.source_id, hit.sentence_start))
        if place is None or hit.polarity == lexicon.NEGATED or place.marker is not None:
            continue
        place.reasons.append(f"pattern '{lexicon.readable(hit.marker)}'")
        place.marker, place.marked = hit.marker, (hit.start, hit.end)


def similar_module() -> ModuleType | None:
    """:mod:`qdaapp.core.similar` where it offers ``rank``; None where it does not."""
    try:
        similar = importlib.import_module(f"{__package__}.similar")
    except ImportError:
        return None
    return similar if hasattr(similar, "rank") and hasattr(similar, "examples_of") else None


def _by_similarity(session: Session, places: dict[int, _Place], act: str, account_id: int,
                   source_ids: Sequence[int]) -> None:
    """Mark the SIMILAR_KEEP places the similarity ranking puts first, with the words they share."""
    similar = similar_module()
    if similar is None:
        return
    examples, reason = _examples(session, similar, act, account_id)
    if not examples:
        return
    try:
        ranked = similar.rank(session, examples, unit="sentence", top=SIMILAR_TOP, sources=list(source_ids))
    except QdaError:
        return  # examples with no content word, say: the phrases still propose what they find
    by_source: dict[int, list[_Place]] = {}
    for place in places.values():
        by_source.setdefault(place.source_id, []).append(place)
    starts = {sid: sorted((p.start, n) for n, p in enumerate(ps)) for sid, ps in by_source.items()}
    kept = 0
    for unit in ranked:
        if kept == SIMILAR_KEEP:
            break
        listed = starts.get(unit.source_id, [])
        i = bisect_right(listed, (unit.start, float("inf"))) - 1
        if i < 0:
            continue
        place = by_source[unit.source_id][listed[i][1]]
        if not (place.start <= unit.start < place.end) or place.score:
            continue
        place.reasons.append(reason)
        place.score, place.shared_terms = float(unit.score), tuple(unit.shared_terms)
        kept += 1


def _examples(session: Session, similar: ModuleType, act: str, account_id: int) -> tuple[list, str]:
    """Examples of ``act`` elsewhere in the project (other accounts' fragments of that act, passages
    coded at its "Speech acts" node), else the account's own passages; with the reason to give."""
    from .review import speech_act_nodes

    examples = [similar.Example(sid, a, b) for sid, a, b in session.execute(
        select(FragmentPassage.source_id, FragmentPassage.start, FragmentPassage.end)
        .join(Fragment, Fragment.id == FragmentPassage.fragment_id)
        .where(Fragment.act == act, Fragment.account_id != account_id))]
    node_id = speech_act_nodes(session).get(act)
    if node_id is not None:
        try:
            examples += similar.examples_of(session, node_id=node_id)
        except QdaError:
            pass  # the node holds no passage yet
    if examples:
        return list(dict.fromkeys(examples)), f"similar to passages of {act} elsewhere in the project"
    try:
        return similar.examples_of(session, account_id=account_id), SIMILAR_OWN
    except QdaError:
        return [], SIMILAR_OWN


def _texts(session: Session, source_ids: set[int]) -> tuple[dict[int, str], dict[int, str]]:
    rows = session.execute(select(Source.id, Source.name, Source.text).where(Source.id.in_(source_ids))).all()
    return {sid: name for sid, name, _ in rows}, {sid: text or "" for sid, _, text in rows}
