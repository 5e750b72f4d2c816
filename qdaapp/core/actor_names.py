"""Names to offer as a fragment's actors, most likely first.

A fragment's actors are usually the people who speak in its passages, the
actors the account already has (actantial roles, earlier fragments) and the
project's actor list; the pronouns the speakers use ("I", "we") come last.
These are suggestions for the fragment dialog: the user picks from them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .cases import list_cases
from .models import AccountPassage, ActantRole, Actor, Fragment, Source, Speaker
from .nlp import PRONOUN_ACTORS

Passage = tuple[int, int, int]  # source id, start, end (code points)
PRONOUNS = tuple(PRONOUN_ACTORS.values())


def _turns(session: Session, source_ids: Iterable[int]) -> dict[int, list[tuple[int, int, str]]]:
    ids = sorted(set(source_ids))
    if not ids:
        return {}
    rows = session.execute(select(Source.id, Source.turns).where(Source.id.in_(ids)))
    return {sid: [(int(a), int(b), str(name)) for a, b, name in json.loads(raw or "[]")] for sid, raw in rows}


def passage_speakers(session: Session, passages: Iterable[Passage]) -> list[str]:
    """Speakers whose turns overlap ``passages``, in passage order."""
    passages = list(passages)
    turns = _turns(session, (sid for sid, _, _ in passages))
    names: dict[str, None] = {}
    for sid, start, end in passages:
        for a, b, name in turns.get(sid, []):
            if a < end and start < b:
                names.setdefault(name, None)
    return list(names)


def known_names(session: Session) -> list[str]:
    """The project's actor list, actors used in any fragment, case names (and "Rosa" in "P1 Rosa")."""
    names: dict[str, None] = {}
    for name in session.scalars(select(Actor.name).order_by(Actor.name)):
        names.setdefault(name, None)
    for raw in session.scalars(select(Fragment.actors).order_by(Fragment.id)):
        for name in json.loads(raw or "[]"):
            if name not in PRONOUNS:
                names.setdefault(name, None)
    for case in list_cases(session):
        names.setdefault(case.name, None)
        person = re.sub(r"^[A-Z]{1,3}\d+\s+", "", case.name)
        if person != case.name and person:
            names.setdefault(person, None)
    return list(names)


def actor_candidates(session: Session, account_id: int, passages: Iterable[Passage] = ()) -> list[str]:
    """Actor names for a fragment of ``account_id`` whose ticked passages are ``passages``.

    Order: speakers of the ticked passages; the account's actors (actantial
    roles, then actors of its fragments); the other speakers of the sources
    the account's passages come from; the project's known names; speakers
    the project marks as interviewers; pronouns last. Case-insensitive
    duplicates keep their first spelling.
    """
    passages = list(passages)
    interviewers = set(session.scalars(select(Speaker.name).where(Speaker.role == "interviewer")))
    groups: list[list[str]] = [passage_speakers(session, passages)]
    groups.append(list(session.scalars(select(ActantRole.actor).where(ActantRole.account_id == account_id)
                                       .order_by(ActantRole.id))))
    groups.append([name for raw in session.scalars(select(Fragment.actors).where(Fragment.account_id == account_id)
                                                   .order_by(Fragment.position, Fragment.id))
                   for name in json.loads(raw or "[]") if name not in PRONOUNS])
    source_ids = [sid for sid, _, _ in passages]
    source_ids += session.scalars(select(AccountPassage.source_id).where(AccountPassage.account_id == account_id)
                                  .order_by(AccountPassage.id))
    turns = _turns(session, source_ids)
    groups.append([name for sid in dict.fromkeys(source_ids) for _, _, name in turns.get(sid, [])])
    groups.append(known_names(session))
    out: dict[str, str] = {}
    late: list[str] = []
    for group in groups:
        for name in group:
            name = " ".join(name.split())
            if not name:
                continue
            if name in interviewers:
                late.append(name)
                continue
            out.setdefault(name.lower(), name)
    for name in [*late, *PRONOUNS]:
        out.setdefault(name.lower(), name)
    return list(out.values())
