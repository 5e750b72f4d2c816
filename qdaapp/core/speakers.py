"""Speakers and their roles: who interviews and who is interviewed, for the whole project.

A speaker is a name found in the sources' speaker turns (``sources.turns``).
Its role is either the user's word (a row of ``speakers``, set with the
``speaker.set_role`` command) or a guess computed from the data every time,
so a guess improves as sources are added and never goes stale in the
project file. The guess, strongest evidence first:

1. the label itself: ``I``, ``Q``, ``Int``, ``Interviewer``, ``Researcher 1``,
   ``Moderator``, ``Facilitator`` interview; ``A``, ``R``, ``P1``,
   ``Participant``, ``Respondent``, ``Interviewee`` answer;
2. a header near the top of a source: "Interviewer: Jane Doe",
   "Interviewer(s): Jane Doe, Tom Lee", "Interviewee: ...", "Participant: ...";
3. in a source where one speaker's role is known (by 1, 2 or the user), the
   other speakers are its participants (or, for a known participant, the
   questions decide among the rest);
4. otherwise who asks the questions (share of the source's turns ending with
   "?"), who speaks first and who speaks in shorter turns.

A name gets one role for the project; votes from several sources are
counted. Every guess carries a reason the interface can show ("asks 83% of
the questions in BSR01"). With one speaker only, nothing is guessed.

:func:`interviewer_spans` is the one place the rest of the program asks
which text lies inside interviewer turns (marker runs, keyword search, the
framework matrix).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import asdict, dataclass
from statistics import median
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from .commands import Change, command
from .errors import InvalidInput, NotFound
from .models import Source, Speaker, utcnow

INTERVIEWER, PARTICIPANT = "interviewer", "participant"
ROLES = (INTERVIEWER, PARTICIPANT)

# Whole labels (digits and punctuation at the end dropped: "P1" -> "p", "Int." -> "int").
_LABELS = {
    **dict.fromkeys(("i", "q", "int", "intv", "iv", "interviewer", "interviewers", "researcher", "researchers",
                     "moderator", "facilitator"), INTERVIEWER),
    **dict.fromkeys(("a", "r", "p", "resp", "participant", "respondent", "interviewee", "narrator",
                     "informant"), PARTICIPANT),
}
# First words that name the role in a longer label ("Researcher 1", "Interviewer Jane").
_LABEL_WORDS = {w: r for w, r in _LABELS.items() if len(w) > 4}

_HEADER_LINES = 40
_HEADER_CHARS = 3000
_HEADER_RE = re.compile(
    r"^[ \t]*(?P<key>interview(?:er|ee)s?(?:\(s\))?|interviewed by|moderators?|facilitators?|researchers?"
    r"|participants?|respondents?|narrators?|informants?)[ \t]*[:\-\u2013\u2014][ \t]*(?P<names>[^\n]{1,120})$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_PARTICIPANTS = ("interviewee", "participant", "respondent", "narrator", "informant")
_NAME_SPLIT = re.compile(r"\s*(?:[,;&/]|\band\b)\s*")
_QUESTION = re.compile("[?\uff1f\u061f]")
_PARTICLES = frozenset("de da do dos du del della der den di la le van von ten ter bin al el".split())


@dataclass(frozen=True)
class SpeakerInfo:
    """One speaker name of the project, as the Speakers table and ``qdaapp speakers`` show it."""

    name: str
    role: str | None  # interviewer | participant | None (no guess)
    sources: int
    turns: int
    guessed: bool  # True when the role comes from the data, False when the user set it
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _SpeakerStats:
    turns: int = 0
    questions: int = 0
    median: float = 0  # median length of the speaker's turns, in code points


@dataclass
class _SourceStats:
    """What the guess needs from one source: per speaker counts, the first speaker, the header names."""

    speakers: dict[str, _SpeakerStats]
    first: str | None
    header: list[tuple[str, str]]  # (name as written, role)


class _Entry(NamedTuple):
    sid: int
    name: str
    key: tuple[int, str]  # (source id, sha256 of its text)
    stats: _SourceStats


# The figures of a source the guess needs are computed once, at import, and stored with the source
# (``sources.turn_stats``, see :func:`turn_figures`); a source without them (or with figures of an
# older FIGURES_VERSION) has them computed from its text. Per source key: the text never changes,
# so a source is read once per process, not on every search; spans are kept per set of interviewer
# names; roles per state of the project.
FIGURES_VERSION = 1
_STATS: dict[tuple[int, str], _SourceStats | None] = {}  # None: no turns
_SPANS: dict[tuple[tuple[int, str], frozenset], list[tuple[int, int]]] = {}
_ROLES: dict[tuple, dict[str, tuple[str | None, bool, str]]] = {}
_SPANS_MAX = 20_000


def label_role(name: str) -> str | None:
    """The role a label names by itself ("Interviewer", "Q", "P1"), or None for a person's name."""
    key = re.sub(r"[\d\W_]+$", "", name.casefold()).strip()
    if key in _LABELS:
        return _LABELS[key]
    first = re.sub(r"[\d\W_]+$", "", key.split(" ")[0]) if key else ""
    return _LABEL_WORDS.get(first)


def _is_name(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 4 and all(w[0].isupper() or w.lower() in _PARTICLES for w in words)


def _header_names(head: str) -> list[tuple[str, str]]:
    """(name, role) from lines such as "Interviewer(s): Jane Doe, Tom Lee" near the top.

    Every part of the line must look like a name, so a first turn such as
    "Interviewer: Maria, thanks for coming." names nobody.
    """
    found: list[tuple[str, str]] = []
    for m in _HEADER_RE.finditer(head):
        key = m.group("key").lower()
        role = PARTICIPANT if key.startswith(_HEADER_PARTICIPANTS) else INTERVIEWER
        names = [n.strip(" .\t") for n in _NAME_SPLIT.split(re.sub(r"\([^)]*\)", "", m.group("names")))]
        names = [n for n in names if n]
        if names and all(_is_name(n) for n in names) and not re.search(r"[?!]", m.group("names")):
            found.extend((name, role) for name in names)
    return found


def _stats(body: str, turns: list) -> _SourceStats:
    lengths: dict[str, list[int]] = {}
    speakers: dict[str, _SpeakerStats] = {}
    asks = _QUESTION.search  # a "?" among a turn's last three characters (before a quote or bracket)
    for a, b, speaker in turns:
        st = speakers.get(speaker)
        if st is None:
            st = speakers[speaker] = _SpeakerStats()
            lengths[speaker] = []
        st.turns += 1
        lengths[speaker].append(b - a)
        if asks(body, b - 3 if b - 3 > a else a, b):
            st.questions += 1
    for speaker, st in speakers.items():
        st.median = median(lengths[speaker])
    head = "\n".join(body[:_HEADER_CHARS].split("\n")[:_HEADER_LINES])
    return _SourceStats(speakers, turns[0][2] if turns else None, _header_names(head))


def turn_figures(body: str, turns: list) -> str:
    """What the role guess needs from one source (``turns``: ``(start, end, speaker)`` each), as the
    JSON stored in ``sources.turn_stats`` at import: per speaker its turns, questions and median
    turn length, the first speaker and the names a header gives."""
    st = _stats(body, [tuple(t) for t in turns])
    return json.dumps({"v": FIGURES_VERSION, "first": st.first, "header": st.header,
                       "speakers": {sp: [x.turns, x.questions, x.median] for sp, x in st.speakers.items()}},
                      ensure_ascii=False, separators=(",", ":"))


def _from_figures(stored: str | None) -> tuple[bool, _SourceStats | None] | None:
    """(found, stats or None when the source has no turns) from stored figures; None if they must be
    computed again (none stored, or stored by another FIGURES_VERSION)."""
    if not stored:
        return None
    data = json.loads(stored)
    if data.get("v") != FIGURES_VERSION:
        return None
    if not data["speakers"]:
        return True, None
    speakers = {sp: _SpeakerStats(t, q, m) for sp, (t, q, m) in data["speakers"].items()}
    return True, _SourceStats(speakers, data["first"], [(n, r) for n, r in data["header"]])


def _load(session: Session) -> list[_Entry]:
    """Every source with speaker turns, with its figures.

    The figures are stored with each source at import (a few hundred bytes), so
    no text is read here; a source without them is read once per process.
    """
    rows = session.execute(select(Source.id, Source.name, Source.sha256)).all()
    missing = [sid for sid, _name, sha in rows if (sid, sha or "") not in _STATS]
    for i in range(0, len(missing), 500):
        chunk = missing[i:i + 500]
        unstored = []
        for sid, sha, stored in session.execute(
                select(Source.id, Source.sha256, Source.turn_stats).where(Source.id.in_(chunk))):
            got = _from_figures(stored)
            if got is None:
                unstored.append(sid)
            else:
                _STATS[(sid, sha or "")] = got[1]
        for j in range(0, len(unstored), 200):
            for sid, sha, raw, body in session.execute(
                    select(Source.id, Source.sha256, Source.turns, Source.text)
                    .where(Source.id.in_(unstored[j:j + 200]))):
                _STATS[(sid, sha or "")] = _stats(body or "", json.loads(raw)) if raw and raw != "[]" else None
    found = []
    for sid, name, sha in rows:
        cached = _STATS.get((sid, sha or ""))
        if cached is not None:
            found.append(_Entry(sid, name, (sid, sha or ""), cached))
    return found


def _matches(speaker: str, written: str) -> bool:
    """Whether a name written in a header means this speaker ("Sara" or "SM" for "Sara Mannheimer")."""
    s, w = speaker.casefold().split(), written.casefold().replace(".", " ").split()
    if not s or not w:
        return False
    if s == w or (set(s) <= set(w) and len(s[0]) > 1) or (set(w) <= set(s) and len(w[0]) > 1):
        return True
    initials = "".join(x[0] for x in w)
    return len(s) == 1 and len(initials) > 1 and s[0].replace(".", "") == initials


@dataclass
class _Vote:
    role: str
    kind: str  # header | talks | questions
    source: str
    share: float = 0.0  # questions: share of the source's questions
    other: str = ""  # talks: the known interviewer


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _question_rule(st: _SourceStats, candidates: list[str]) -> tuple[str, float, str] | None:
    """(interviewer, question share, how) by the questions, order and turn lengths, or None."""
    if len(candidates) < 2:
        return None
    asked = {sp: st.speakers[sp].questions for sp in candidates}
    total = sum(asked.values())
    ranked = sorted(candidates, key=lambda sp: -asked[sp])
    top = ranked[0]
    share = asked[top] / total if total else 0.0
    medians = {sp: st.speakers[sp].median for sp in candidates}
    shortest = min(candidates, key=lambda sp: medians[sp])
    first = st.first if st.first in candidates else None
    if total >= 3 and share >= 0.6:
        return top, share, "questions"
    if total >= 2 and asked[top] > asked[ranked[1]] and top in (first, shortest):
        return top, share, "speaks first" if top == first else "shorter turns"
    if first is not None and first == shortest and total < 2:
        others = [medians[sp] for sp in candidates if sp != first]
        if others and medians[first] * 2 <= min(others):
            return first, share, "first and shorter"
    return None


def _votes(loaded: list, fixed: dict[str, str]) -> dict[str, list[_Vote]]:
    """Per speaker name, the role each source suggests; ``fixed`` are names whose role is settled."""
    votes: dict[str, list[_Vote]] = {}
    for entry in loaded:
        source, st = entry.name, entry.stats
        names = list(st.speakers)
        if len(names) < 2:
            continue
        known = {sp: fixed[sp] for sp in names if sp in fixed}
        for sp in names:
            if sp in known:
                continue
            for written, role in st.header:
                if _matches(sp, written):
                    known[sp] = role
                    votes.setdefault(sp, []).append(_Vote(role, "header", source))
                    break
        interviewers = [sp for sp in names if known.get(sp) == INTERVIEWER]
        if not interviewers:
            candidates = [sp for sp in names if known.get(sp) != PARTICIPANT]
            picked = _question_rule(st, candidates)
            if picked is None:
                continue
            top, share, how = picked
            votes.setdefault(top, []).append(_Vote(INTERVIEWER, how, source, share))
            interviewers = [top]
            known[top] = INTERVIEWER
        for sp in names:
            if sp not in known:
                votes.setdefault(sp, []).append(_Vote(PARTICIPANT, "talks", source, other=interviewers[0]))
    return votes


def _reason(role: str, votes: list[_Vote]) -> str:
    mine = [v for v in votes if v.role == role]
    n, where = len(mine), mine[0].source
    place = f"in {where}" if n == 1 else f"in {n} sources"
    kind = Counter(v.kind for v in mine).most_common(1)[0][0]
    if kind == "header":
        return f"named as {role} in the header {'of ' + where if n == 1 else f'of {n} sources'}"
    if kind == "talks":
        who = mine[0].other if len({v.other for v in mine}) == 1 else "the interviewer"
        return f"speaks with {who} {place}"
    share = sum(v.share for v in mine) / n
    if kind == "questions":
        return f"asks {_pct(share)} of the questions {place}"
    if kind == "speaks first":
        return f"asks {_pct(share)} of the questions and speaks first {place}"
    if kind == "shorter turns":
        return f"asks {_pct(share)} of the questions, in shorter turns, {place}"
    return f"speaks first and in much shorter turns {place}"


def _decide(votes: list[_Vote]) -> tuple[str | None, str]:
    strong = [v for v in votes if v.kind == "header"] or votes
    count = Counter(v.role for v in strong)
    if not count:
        return None, ""
    (role, n), *rest = count.most_common()
    if rest and rest[0][1] == n:
        return None, f"interviewer in {count[INTERVIEWER]} source(s), participant in {count[PARTICIPANT]}"
    return role, _reason(role, strong)


def _roles(session: Session, loaded: list[_Entry]) -> dict[str, tuple[str | None, bool, str]]:
    """name -> (role, guessed, reason) for every name in the sources or in the speakers table."""
    confirmed = dict(session.execute(select(Speaker.name, Speaker.role)).all())
    state = (tuple((e.key, e.name) for e in loaded), tuple(sorted(confirmed.items())))
    roles = _ROLES.get(state)  # read once: a worker thread may be replacing the entry
    if roles is None:
        roles = _judge(loaded, confirmed)
        _ROLES.clear()
        _ROLES[state] = roles
    return roles


def _judge(loaded: list[_Entry], confirmed: dict[str, str]) -> dict[str, tuple[str | None, bool, str]]:
    names: dict[str, None] = {}
    for entry in loaded:
        names.update(dict.fromkeys(entry.stats.speakers))
    fixed: dict[str, str] = {}
    result: dict[str, tuple[str | None, bool, str]] = {}
    for name in list(names) + [n for n in confirmed if n not in names]:
        if name in confirmed:
            fixed[name] = confirmed[name]
            result[name] = (confirmed[name], False, "set by you")
        elif (role := label_role(name)) is not None:
            fixed[name] = role
            result[name] = (role, True, f"the label '{name}' means {role}")
    votes = _votes(loaded, fixed)
    for name in names:
        if name in result:
            continue
        role, reason = _decide(votes.get(name, []))
        if role is None and not reason:
            alone = all(len(e.stats.speakers) < 2 for e in loaded if name in e.stats.speakers)
            reason = "the only speaker in its source(s)" if alone else "no clear sign (questions, order, header)"
        result[name] = (role, True, reason)
    return result


def participant_of(body: str, turns: list) -> str | None:
    """The one participant of a transcript on its own (its labels, header, questions and order), or None.

    None when the text has fewer than two speakers, more than one participant,
    or a participant known only by a label ("Participant", "A", "P1"), which
    many studies use for a different person in every file.
    """
    entry = _Entry(0, "", (0, ""), _stats(body, [tuple(t) for t in turns]))
    names = list(entry.stats.speakers)
    if len(names) < 2:
        return None
    fixed = {n: r for n in names if (r := label_role(n)) is not None}
    votes = _votes([entry], fixed)
    roles = {n: fixed.get(n) or _decide(votes.get(n, []))[0] for n in names}
    found = [n for n in names if roles[n] == PARTICIPANT]
    if len(found) != 1 or INTERVIEWER not in roles.values():
        return None
    return found[0] if label_role(found[0]) is None else None


def list_speakers(session: Session) -> list[SpeakerInfo]:
    """Every speaker name of the project with its role, counts and why, sorted by name."""
    loaded = _load(session)
    roles = _roles(session, loaded)
    n_sources: Counter = Counter()
    n_turns: Counter = Counter()
    for entry in loaded:
        for sp, stats in entry.stats.speakers.items():
            n_sources[sp] += 1
            n_turns[sp] += stats.turns
    return [SpeakerInfo(name, role, n_sources[name], n_turns[name], guessed, reason)
            for name, (role, guessed, reason) in sorted(roles.items(), key=lambda kv: kv[0].casefold())]


def interviewer_spans(session: Session, source_ids: list[int] | None = None) -> dict[int, list[tuple[int, int]]]:
    """Per source (default: all), the sorted ``(start, end)`` of its interviewer turns,
    each running on to the start of the next turn.

    Sources without an interviewer are absent, so an empty result means
    nothing is to be left out.
    """
    loaded = _load(session)
    roles = _roles(session, loaded)
    wanted = None if source_ids is None else set(source_ids)
    out: dict[int, list[tuple[int, int]]] = {}
    todo: dict[int, tuple] = {}  # source id -> spans key, for spans not made yet
    order = []
    for entry in loaded:
        if wanted is not None and entry.sid not in wanted:
            continue
        names = frozenset(sp for sp in entry.stats.speakers if roles[sp][0] == INTERVIEWER)
        if not names:
            continue
        key = (entry.key, names)
        order.append(entry.sid)
        spans = _SPANS.get(key)
        if spans is None:
            todo[entry.sid] = key
        else:
            out[entry.sid] = spans
    ids = list(todo)
    for k in range(0, len(ids), 500):  # the turns of the sources that need spans, and only those
        for sid, raw in session.execute(select(Source.id, Source.turns).where(Source.id.in_(ids[k:k + 500]))):
            key = todo[sid]
            names = key[1]
            if len(_SPANS) > _SPANS_MAX:
                _SPANS.clear()
            turns = json.loads(raw or "[]")
            # A span runs on to the next turn's start: the blank lines after a question go with it.
            out[sid] = _SPANS[key] = [(a, turns[i + 1][0] if i + 1 < len(turns) else b)
                                      for i, (a, b, sp) in enumerate(turns) if sp in names]
    return {sid: out[sid] for sid in order if sid in out}  # in the sources' order, as before


def inside(spans: list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` lies in one of the sorted, non-overlapping ``spans``."""
    i = bisect_right(spans, (offset, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]


def keep_outside(items: list, spans_by_source: dict[int, list[tuple[int, int]]]) -> list:
    """The ``items`` (tuples starting with source id and offset, sorted by them) that lie in no span
    of their source; one sweep, so a search's thousands of hits cost no search each."""
    kept = []
    current, j, n = None, 0, 0
    spans: list[tuple[int, int]] | tuple[()] = ()
    for item in items:
        sid, offset = item[0], item[1]
        if sid != current:
            current, spans, j = sid, spans_by_source.get(sid, ()), 0
            n = len(spans)
        while j < n and spans[j][1] <= offset:
            j += 1
        if j < n and spans[j][0] <= offset:
            continue
        kept.append(item)
    return kept


def subtract(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The parts of ``start..end`` outside the sorted, non-overlapping ``spans``."""
    pieces, at = [], start
    i = max(0, bisect_right(spans, (start, float("inf"))) - 1)
    for a, b in spans[i:]:
        if a >= end:
            break
        if b <= at:
            continue
        if a > at:
            pieces.append((at, a))
        at = max(at, b)
    if at < end:
        pieces.append((at, end))
    return pieces


@command("speaker.set_role")
def set_roles(session: Session, roles: dict[str, str | None], coder: str = "") -> Change:
    """Confirm or change the role of one or more speakers (None: back to the guess), as one change."""
    if not roles:
        raise InvalidInput("Name at least one speaker and its role.")
    known = {info.name for info in list_speakers(session)}
    for name, role in roles.items():
        if name not in known:
            raise NotFound(f"There is no speaker '{name}' in this project; list speakers with 'qdaapp speakers'.")
        if role is not None and role not in ROLES:
            raise InvalidInput(f"'{role}' is not a role; use interviewer or participant.")
    rows = {r.name: r for r in session.scalars(select(Speaker).where(Speaker.name.in_(list(roles))))}
    before, after, said = {}, {}, []
    for name, role in roles.items():
        row = rows.get(name)
        before[name] = row.role if row is not None else None
        after[name] = role
        if role is None:
            if row is not None:
                session.delete(row)
            said.append(f"'{name}' back to the guess")
            continue
        if row is None:
            session.add(Speaker(name=name, role=role, updated_at=utcnow(), updated_by=coder))
        else:
            row.role, row.updated_at, row.updated_by = role, utcnow(), coder
        said.append(f"'{name}' as {role}")
    session.flush()
    summary = "set speaker " + ", ".join(said) if len(said) <= 3 else f"set the roles of {len(said)} speakers"
    return Change("speaker.set_role", "speaker", None, summary, before=before, after=after)
