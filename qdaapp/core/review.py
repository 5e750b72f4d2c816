"""Reviewing marker hits: accept (code them) or reject, one audited command each.

Accepting codes the hit's sentence (or turn, or the hit alone) at
``Speech acts/<act>``, made on first use, with the run as the coding's origin.
Two hits in one sentence share one coding. Bulk acceptance is one command,
one transaction and one audit event listing every hit and coding, so 1,000
hits are accepted in well under a second and undone as one step.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import nodes as node_ops
from .audit_text import decision_facts
from .commands import Change, command
from .errors import InvalidInput, NotFound
from .lexicon import NEGATED
from .models import Coding, Node, SearchHit, SearchRun, utcnow
from .search import SPREADS, source_texts, spread_span

ACT_COLORS = node_ops.ACT_COLORS
ROOT = "Speech acts"


def _act_node(session: Session, act: str, made: list[Change]) -> int:
    node = node_ops.find_tree_path(session, f"{ROOT}/{act}")
    if node is not None:
        return node.id
    if node_ops.find_tree_path(session, ROOT) is None:
        made.append(node_ops.create_node(session, ROOT, description="Greimas's speech acts (narrative coding)."))
    made.append(node_ops.create_node(session, f"{ROOT}/{act}", color=ACT_COLORS.get(act),
                                     description=f"Passages narrating {act} (marker review)."))
    return made[-1].result


def _run(session: Session, run_id: int) -> SearchRun:
    run = session.get(SearchRun, int(run_id))
    if run is None:
        raise NotFound(f"There is no marker run #{run_id}. List runs with 'qdaapp runs PROJECT'.")
    return run


def select_hits(
    session: Session, run_id: int, hit_ids: list[int] | None = None, marker: str | None = None,
    act: str | None = None, status: str | None = "candidate", skip_speakers: list[str] | None = None,
    source_id: int | None = None, speaker: str | None = None,
) -> list[int]:
    """Ids of the run's hits: the given ``hit_ids`` (all must exist), or those matching every filter given."""
    _run(session, run_id)
    q = select(SearchHit.id).where(SearchHit.run_id == run_id).order_by(SearchHit.id)
    if hit_ids is not None:
        q = q.where(SearchHit.id.in_(hit_ids))
        found = set(session.scalars(q).all())
        unknown = sorted(set(hit_ids) - found)
        if unknown:
            raise NotFound(f"Run #{run_id} has no hit {', '.join(map(str, unknown))}.")
        return sorted(found)
    if marker is not None:
        q = q.where(SearchHit.marker == marker)
    if act is not None:
        q = q.where(SearchHit.act == act)
    if source_id is not None:
        q = q.where(SearchHit.source_id == source_id)
    if speaker is not None:
        q = q.where(SearchHit.speaker == speaker)
    if status is not None:
        q = q.where(SearchHit.status == status)
    if skip_speakers:
        q = q.where((SearchHit.speaker.is_(None)) | (SearchHit.speaker.not_in(skip_speakers)))
    return list(session.scalars(q).all())


def _facts(session: Session, run_id: int, hits: Sequence[SearchHit], node_paths: list[str],
           new_codings: int | None = None) -> dict:
    """What a sentence about this decision needs, recorded with it (markers and acts, negated hits,
    sources, nodes), so the audit trail reads the same after the run or the nodes change."""
    totals = {(m, a): n for m, a, n in session.execute(
        select(SearchHit.marker, SearchHit.act, func.count()).where(SearchHit.run_id == run_id)
        .group_by(SearchHit.marker, SearchHit.act))}
    return decision_facts(((h.marker, h.act, h.polarity, h.source_id) for h in hits), totals, node_paths,
                          new_codings)




@dataclass(frozen=True, slots=True)
class BulkPick:
    """What a bulk accept does with the hits it was given: ``accept`` them, while ``negated`` are
    the negated ones among them; those are left for one-by-one review unless included."""

    accept: list[int]
    negated: list[int]
    include_negated: bool

    @property
    def left(self) -> list[int]:
        """The negated hits the bulk accept leaves to review one by one."""
        return [] if self.include_negated else self.negated


def pick_bulk_accept(session: Session, run_id: int, hit_ids: list[int], include_negated: bool = False) -> BulkPick:
    """The hits of ``hit_ids`` a bulk accept codes: all but the negated ones, unless ``include_negated``.

    Negated hits ("did not have to", "wasn't able to") often narrate the opposite of their act, so
    accepting them wholesale would file them under it; a reviewer decides them one by one."""
    _run(session, run_id)
    wanted = sorted(set(hit_ids))
    negated: set[int] = set()
    for i in range(0, len(wanted), 900):  # stay under the database's limit on bound values
        negated.update(session.scalars(select(SearchHit.id).where(
            SearchHit.run_id == run_id, SearchHit.id.in_(wanted[i:i + 900]), SearchHit.polarity == NEGATED)))
    accept = wanted if include_negated else [h for h in wanted if h not in negated]
    return BulkPick(accept, sorted(negated), include_negated)


@command("hits.accept")
def accept_hits(session: Session, run_id: int, hit_ids: list[int], spread: str = "sentence", coder: str = "") -> Change:
    if spread not in SPREADS:
        raise InvalidInput(f"'{spread}' is not a spread; use {', '.join(SPREADS)}.")
    if not hit_ids:
        raise InvalidInput("There are no hits to accept.")
    _run(session, run_id)
    made: list[Change] = []
    hits = session.scalars(select(SearchHit).where(SearchHit.id.in_(hit_ids), SearchHit.run_id == run_id)).all()
    existing = {
        (s, n, a, b): cid for cid, s, n, a, b in session.execute(
            select(Coding.id, Coding.source_id, Coding.node_id, Coding.start, Coding.end).where(Coding.coder == coder)
        )
    }
    node_for: dict[str, int] = {}
    decided: list[dict[str, Any]] = []
    now = utcnow()
    origin = f"markers:{run_id}"
    for hit in hits:
        if hit.act not in node_for:
            node_for[hit.act] = _act_node(session, hit.act, made)
        node_id = node_for[hit.act]
        if spread == "sentence":
            a, b = hit.sentence_start, hit.sentence_end
        else:
            a, b = spread_span(session, hit.source_id, hit.start, hit.end, spread)
        key = (hit.source_id, node_id, a, b)
        created = key not in existing
        if created:
            coding = Coding(source_id=hit.source_id, node_id=node_id, start=a, end=b, coder=coder, origin=origin,
                            created_at=now)
            session.add(coding)
            session.flush()
            existing[key] = coding.id
        decided.append({"hit": hit.id, "before": hit.status, "coding": existing[key], "created": created,
                        "previous_coding": hit.coding_id})
        hit.status, hit.coding_id, hit.decided_by, hit.decided_at = "accepted", existing[key], coder, now
    new = sum(d["created"] for d in decided)
    summary = f"accept {len(decided)} hit(s) of run #{run_id} ({new} new coding(s), spread: {spread})"
    facts = _facts(session, run_id, hits, [f"{ROOT}/{act}" for act in node_for], new)
    return Change("hits.accept", "search_run", int(run_id), summary,
                  after={"decisions": decided, "spread": spread, "facts": facts},
                  result={"accepted": len(decided), "codings": new}, extra_events=made)


@command("hits.reject")
def reject_hits(session: Session, run_id: int, hit_ids: list[int], coder: str = "") -> Change:
    """Reject hits; a coding made by accepting one of them is removed unless another accepted hit uses it."""
    if not hit_ids:
        raise InvalidInput("There are no hits to reject.")
    _run(session, run_id)
    hits = session.scalars(select(SearchHit).where(SearchHit.id.in_(hit_ids), SearchHit.run_id == run_id)).all()
    now = utcnow()
    decided, removed = [], []
    freed: set[int] = set()  # codings made by accepting one of these hits
    for hit in hits:
        decided.append({"hit": hit.id, "before": hit.status, "coding": hit.coding_id})
        if hit.coding_id is not None:
            freed.add(hit.coding_id)
        hit.status, hit.coding_id, hit.decided_by, hit.decided_at = "rejected", None, coder, now
    if freed:
        session.flush()
        still = set(session.scalars(select(SearchHit.coding_id).where(SearchHit.coding_id.in_(freed))))
        for cid in sorted(freed - still):
            coding = session.get(Coding, cid)
            if coding is not None and coding.origin.startswith("markers:"):
                removed.append({"id": coding.id, "source_id": coding.source_id, "node_id": coding.node_id,
                                "start": coding.start, "end": coding.end, "coder": coding.coder,
                                "created_at": coding.created_at, "origin": coding.origin})
                session.delete(coding)
    summary = (f"reject {len(decided)} hit(s) of run #{run_id}"
               + (f", removing {len(removed)} coding(s)" if removed else ""))
    return Change("hits.reject", "search_run", int(run_id), summary, before={"removed_codings": removed},
                  after={"decisions": decided, "facts": _facts(session, run_id, hits, [])},
                  result={"rejected": len(decided), "removed": len(removed)})


@dataclass(frozen=True, slots=True)
class HitRow:
    id: int
    source: str
    source_id: int
    case: str | None
    start: int
    end: int
    act: str
    marker: str
    polarity: str
    subject: str | None
    speaker: str | None
    sentence_start: int
    sentence_end: int
    status: str
    sentence: str

    def as_dict(self) -> dict:
        # Its fields are plain values: no deep copy (dataclasses.asdict) for tens of thousands of hits.
        return {name: getattr(self, name) for name in _HIT_FIELDS}


_HIT_FIELDS = tuple(f.name for f in fields(HitRow))
# A run's hits, with every field of a HitRow but the sentence, in that order.
_HITS_OF_RUN = (
    'SELECT h.id, s.name, h.source_id, c.name, h.start, h."end", h.act, h.marker, h.polarity, h.subject, '
    "h.speaker, h.sentence_start, h.sentence_end, h.status FROM search_hits h "
    "JOIN sources s ON s.id = h.source_id LEFT JOIN cases c ON c.id = s.case_id WHERE h.run_id = ?")


def list_hits(session: Session, run_id: int) -> list[HitRow]:
    """Hits of a run, grouped by act (model order) then marker, with their sentence text.

    Reads columns, not ORM objects, and one source's text at a time to cut the sentences, so a
    run over a whole study never holds every text at once."""
    _run(session, run_id)
    # Driver-level: a run over a whole study has tens of thousands of hits.
    cursor = session.connection().connection.cursor()
    try:
        rows = cursor.execute(_HITS_OF_RUN, (run_id,)).fetchall()
    finally:
        cursor.close()
    by_source: dict[int, list] = {}
    for row in rows:
        by_source.setdefault(row[2], []).append(row)
    # each row holds every field but the sentence: the checker cannot know a row's length
    out = [HitRow(*row, body[row[11]:row[12]])  # type: ignore[call-arg]
           for sid, body in source_texts(session, list(by_source)) for row in by_source[sid]]
    order = {a: i for i, a in enumerate(ACT_COLORS)}
    out.sort(key=lambda h: (order.get(h.act, 99), h.marker, h.source, h.start, h.id))
    return out


class ListedHit(NamedTuple):
    """A hit as :func:`listed_hits` gives it: a HitRow's fields but the sentence."""

    id: int
    source: str
    source_id: int
    case: str | None
    start: int
    end: int
    act: str
    marker: str
    polarity: str
    subject: str | None
    speaker: str | None
    sentence_start: int
    sentence_end: int
    status: str


def listed_hits(session: Session, run_id: int) -> Iterator[ListedHit]:
    """The hits of :func:`list_hits`, in its order, without their sentences, streamed from
    the database (sorted there), so listing a run holds neither its hits nor any text."""
    _run(session, run_id)
    acts = list(ACT_COLORS)
    order = "CASE h.act " + " ".join("WHEN ? THEN ?" for _ in acts) + " ELSE 99 END"
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(f"{_HITS_OF_RUN} ORDER BY {order}, h.marker, s.name, h.start, h.id",
                       (run_id, *(v for i, a in enumerate(acts) for v in (a, i))))
        yield from map(ListedHit._make, cursor)  # type: ignore[call-overload]  # sqlite3's cursor iterates its rows
    finally:
        cursor.close()


def list_runs(session: Session) -> list[dict]:
    counts: dict[int, dict[str, int]] = {}
    for run_id, status, n in session.execute(
        select(SearchHit.run_id, SearchHit.status, func.count()).group_by(SearchHit.run_id, SearchHit.status)
    ):
        counts.setdefault(run_id, {})[status] = n
    return [
        {"run": r.id, "kind": r.kind, "lexicon": r.lexicon, "version": r.lexicon_version, "coder": r.coder,
         "created_at": r.created_at, "hits": sum(counts.get(r.id, {}).values()), **counts.get(r.id, {})}
        for r in session.scalars(select(SearchRun).order_by(SearchRun.id))
    ]


def speech_act_nodes(session: Session) -> dict[str, int]:
    root = node_ops.find_tree_path(session, ROOT)
    if root is None:
        return {}
    return dict(session.execute(select(Node.name, Node.id).where(Node.parent_id == root.id)).all())



def suggest_act(session: Session, passages: list[tuple[int, int, int]]) -> tuple[str, str] | None:
    """(act, marker phrase) that the stored marker hits inside ``passages`` point to, or None.

    Hits a reviewer rejected, and negated ones ("didn't have to"), do not count; accepted hits
    count double. A suggestion for the fragment dialog: the user confirms or changes it.
    """
    score: dict[str, float] = {}
    example: dict[str, str] = {}
    for sid, start, end in passages:
        rows = session.execute(
            select(SearchHit.act, SearchHit.marker, SearchHit.status)
            .where(SearchHit.source_id == sid, SearchHit.start >= start, SearchHit.end <= end,
                   SearchHit.status != "rejected", SearchHit.polarity == "positive")
        ).all()
        seen: set[tuple[str, str]] = set()
        for act, marker, status in rows:
            if (act, marker) in seen and status != "accepted":
                continue  # the same hit found again by a later run
            seen.add((act, marker))
            score[act] = score.get(act, 0) + (2 if status == "accepted" else 1)
            example.setdefault(act, marker)
    if not score:
        return None
    best = max(score, key=lambda a: (score[a], -SPEECH_ACT_ORDER.index(a) if a in SPEECH_ACT_ORDER else 0))
    return best, example[best]


SPEECH_ACT_ORDER = ("manipulation", "commitment", "competence", "performance", "sanction")
