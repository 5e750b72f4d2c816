"""Narrative accounts: passages, fragments in sequence, links, positions.

Steps 2-5 of the method: passages about one object of activity are gathered
into an *account*; they are summarised into *fragments* (speech act, actors,
case, the passages they rest on); the fragments are put in a tellable order
and linked into a flow chart. Every change here is an audited command.
Deleting an account never touches codings: its passages are references.

The order owns the *sequence* links: adding, deleting or moving a fragment
re-makes them in the same command so that they join consecutive fragments
exactly (see :func:`relink_sequence`). Links the user draws elsewhere are
*extra* (a branch, a loop back) and reordering never touches them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.orm import Session

from . import sources as source_ops
from .cases import resolve_case
from .commands import Change, command
from .errors import Conflict, InvalidInput, NotFound
from .models import (
    ACTANT_ROLES,
    SPEECH_ACTS,
    Account,
    AccountPassage,
    ActantRole,
    Actor,
    Case,
    Fragment,
    FragmentLink,
    FragmentPassage,
    Source,
)


def resolve_account(session: Session, ref: str | int) -> Account:
    text = str(ref).strip()
    account = session.get(Account, int(text)) if text.isdigit() else None
    account = account or session.scalar(select(Account).where(Account.title == text))
    if account is None:
        raise NotFound(f"There is no account '{text}'. List accounts with 'qdaapp account list'.")
    return account


def resolve_fragment(session: Session, ref: str | int) -> Fragment:
    fragment = session.get(Fragment, int(ref)) if str(ref).strip().isdigit() else None
    if fragment is None:
        raise NotFound(f"There is no fragment {ref}.")
    return fragment


def check_act(act: str | None) -> str | None:
    if act in (None, "", "none"):
        return None
    if act not in SPEECH_ACTS:
        raise InvalidInput(f"'{act}' is not a speech act; use {', '.join(SPEECH_ACTS)} or none.")
    return act


def check_passage(session: Session, source_ref: str | int, start: int, end: int) -> Source:
    source = source_ops.resolve(session, source_ref)
    if not (0 <= start < end <= source.length):
        raise InvalidInput(
            f"The passage {start}-{end} is outside {source.name}, whose text has {source.length} characters."
        )
    return source


def parse_passage(spec: str) -> tuple[str, int, int]:
    """'SOURCE:START:END' (the source may itself contain ':')."""
    head, sep1, end = spec.rpartition(":")
    source, sep2, start = head.rpartition(":")
    if not (sep1 and sep2 and source and start.strip().isdigit() and end.strip().isdigit()):
        raise InvalidInput(f"'{spec}' is not a passage; write SOURCE:START:END, for example Ana.docx:120:245.")
    return source, int(start), int(end)


def _account_row(a: Account) -> dict:
    return {"id": a.id, "title": a.title, "description": a.description}


@command("account.create")
def create_account(session: Session, title: str, description: str = "", created_by: str = "") -> Change:
    title = title.strip()
    if not title:
        raise InvalidInput("An account needs a title: the object of the activity.")
    if session.scalar(select(Account.id).where(Account.title == title)):
        raise Conflict(f"An account called '{title}' already exists.")
    account = Account(title=title, description=description, created_by=created_by)
    session.add(account)
    session.flush()
    return Change("account.create", "account", account.id, f"create account '{title}'",
                  after=_account_row(account), result=account.id)


@command("account.update")
def update_account(session: Session, ref: str | int, title: str | None = None,
                   description: str | None = None) -> Change:
    account = resolve_account(session, ref)
    changes = {}
    if title is not None and title.strip() and title.strip() != account.title:
        if session.scalar(select(Account.id).where(Account.title == title.strip())):
            raise Conflict(f"An account called '{title.strip()}' already exists.")
        changes["title"] = title.strip()
    if description is not None and description != account.description:
        changes["description"] = description
    if not changes:
        raise InvalidInput("Nothing to change in the account.")
    before = {k: getattr(account, k) for k in changes}
    for k, v in changes.items():
        setattr(account, k, v)
    return Change("account.update", "account", account.id, f"edit account '{account.title}'",
                  before=before, after=changes)


@command("account.delete")
def delete_account(session: Session, ref: str | int) -> Change:
    """Delete an account with its fragments and passage links; codings stay as they are."""
    account = resolve_account(session, ref)
    frag_ids = session.scalars(select(Fragment.id).where(Fragment.account_id == account.id)).all()
    before = {
        "account": _account_row(account),
        "passages": [_passage_row(p) for p in session.scalars(
            select(AccountPassage).where(AccountPassage.account_id == account.id))],
        "fragments": [fragment_row(session, f) for f in session.scalars(
            select(Fragment).where(Fragment.account_id == account.id))],
        "links": [_link_row(link) for link in session.scalars(
            select(FragmentLink).where(FragmentLink.from_id.in_(frag_ids)))],
    }
    session.delete(account)
    return Change("account.delete", "account", account.id, f"delete account '{account.title}' (codings kept)",
                  before=before)


def _passage_row(p: AccountPassage) -> dict:
    return {"id": p.id, "account_id": p.account_id, "source_id": p.source_id, "start": p.start, "end": p.end}


@command("account.add_passage")
def add_passage(session: Session, account_ref: str | int, source_ref: str | int, start: int, end: int,
                added_by: str = "") -> Change:
    account = resolve_account(session, account_ref)
    source = check_passage(session, source_ref, start, end)
    exists = session.scalar(select(AccountPassage.id).where(
        AccountPassage.account_id == account.id, AccountPassage.source_id == source.id,
        AccountPassage.start == start, AccountPassage.end == end))
    if exists:
        raise Conflict(f"That passage of {source.name} is already in '{account.title}'.")
    passage = AccountPassage(account_id=account.id, source_id=source.id, start=start, end=end, added_by=added_by)
    session.add(passage)
    session.flush()
    return Change("account.add_passage", "account", account.id,
                  f"add passage {source.name} {start}-{end} to account '{account.title}'",
                  after=_passage_row(passage), result=passage.id)


@command("account.remove_passage")
def remove_passage(session: Session, passage_id: int) -> Change:
    passage = session.get(AccountPassage, int(passage_id))
    if passage is None:
        raise NotFound(f"There is no account passage {passage_id}.")
    row = _passage_row(passage)
    session.delete(passage)
    return Change("account.remove_passage", "account", row["account_id"], f"remove passage {passage_id} from account",
                  before=row)


def fragment_row(session: Session, f: Fragment) -> dict:
    passages = session.execute(select(FragmentPassage.source_id, FragmentPassage.start, FragmentPassage.end)
                               .where(FragmentPassage.fragment_id == f.id)).all()
    return {"id": f.id, "account_id": f.account_id, "summary": f.summary, "act": f.act, "case_id": f.case_id,
            "actors": json.loads(f.actors or "[]"), "position": f.position, "x": f.x, "y": f.y,
            "passages": [list(p) for p in passages]}


def _link_row(link: FragmentLink) -> dict:
    return {"id": link.id, "from_id": link.from_id, "to_id": link.to_id, "label": link.label, "kind": link.kind}


def _ordered(session: Session, account_id: int) -> list[Fragment]:
    return list(session.scalars(select(Fragment).where(Fragment.account_id == account_id)
                                .order_by(Fragment.position, Fragment.id)))


def relink_sequence(session: Session, account_id: int) -> dict:
    """Make the account's sequence links join consecutive fragments exactly.

    A sequence link whose two fragments are no longer neighbours is removed;
    a pair of new neighbours gets one. A sequence link between fragments that
    stay neighbours is kept as it is, label included. When the user already
    drew a link between two new neighbours it stands for the sequence and is
    left as it is (kind and label), so reordering never changes a link the
    user drew. Called inside the command that changed the order; returns the
    links removed and added for its audit event.
    """
    order = [f.id for f in _ordered(session, account_id)]
    pairs = set(pairwise(order))
    existing = {(link.from_id, link.to_id): link for link in session.scalars(
        select(FragmentLink).where(FragmentLink.from_id.in_(order)))}
    removed = []
    for key, link in existing.items():
        if link.kind == "sequence" and key not in pairs:
            removed.append(_link_row(link))
            session.delete(link)
    added = []
    for a, b in pairwise(order):
        if (a, b) not in existing:
            link = FragmentLink(from_id=a, to_id=b, kind="sequence")
            session.add(link)
            added.append(link)
    session.flush()
    return {"removed": removed, "added": [_link_row(link) for link in added]}


def _clear_places(session: Session, account_id: int) -> None:
    """Forget boxes placed by hand: the chart is laid out again from the order."""
    session.execute(update(Fragment).where(Fragment.account_id == account_id).values(x=None, y=None))


@command("fragment.create")
def add_fragment(
    session: Session, account_ref: str | int, summary: str, act: str | None = None,
    case_ref: str | int | None = None, actors: list[str] | None = None,
    passages: list[tuple[str | int, int, int]] | None = None, after: int | None = None,
) -> Change:
    """Add a fragment to an account's sequence, after ``after`` or at the end.

    The sequence links are re-made (the new fragment joins its neighbours).
    Inserting in the middle changes later fragments' places, so boxes placed
    by hand go back to the automatic layout; appending keeps them.
    """
    account = resolve_account(session, account_ref)
    if not summary.strip():
        raise InvalidInput("A fragment needs a summary.")
    act = check_act(act)
    case_id = resolve_case(session, case_ref).id if case_ref not in (None, "") else None
    checked = [(check_passage(session, s, a, b).id, a, b) for s, a, b in passages or []]
    frags = _ordered(session, account.id)
    prev: Fragment | None
    if after is not None:
        prev = resolve_fragment(session, after)
        if prev.account_id != account.id:
            raise InvalidInput(f"Fragment {after} belongs to another account.")
        position = prev.position + 1
        session.execute(update(Fragment).where(Fragment.account_id == account.id, Fragment.position >= position)
                        .values(position=Fragment.position + 1))
        if prev.id != frags[-1].id:
            _clear_places(session, account.id)
    else:
        prev = frags[-1] if frags else None
        position = (prev.position + 1) if prev else 0
    fragment = Fragment(account_id=account.id, summary=summary.strip(), act=act, case_id=case_id,
                        actors=json.dumps(sorted(set(actors or []), key=str.lower)), position=position)
    session.add(fragment)
    session.flush()
    for sid, a, b in checked:
        session.add(FragmentPassage(fragment_id=fragment.id, source_id=sid, start=a, end=b))
    session.flush()
    relinked = relink_sequence(session, account.id)
    after_row = fragment_row(session, fragment)
    after_row["link_from"] = prev.id if prev is not None else None
    after_row["relinked"] = relinked
    return Change("fragment.create", "fragment", fragment.id,
                  f"add fragment {fragment.id} ({act or 'no speech act'}) to '{account.title}'",
                  after=after_row, result=fragment.id)


@command("fragment.update")
def update_fragment(session: Session, fragment_id: int, summary: str | None = None, act: str | None = "",
                    case_ref: str | int | None = "", actors: list[str] | None = None) -> Change:
    """Change a fragment; ``act`` and ``case_ref`` left at '' mean unchanged, None clears them."""
    fragment = resolve_fragment(session, fragment_id)
    before: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    if summary is not None and summary.strip() and summary.strip() != fragment.summary:
        changes["summary"] = summary.strip()
    if act != "":
        act = check_act(act)
        if act != fragment.act:
            changes["act"] = act
    if case_ref != "":
        case_id = resolve_case(session, case_ref).id if case_ref is not None else None
        if case_id != fragment.case_id:
            changes["case_id"] = case_id
    if actors is not None:
        value = json.dumps(sorted(set(actors), key=str.lower))
        if value != fragment.actors:
            changes["actors"] = value
    if not changes:
        raise InvalidInput("Nothing to change in the fragment.")
    for k, v in changes.items():
        before[k] = getattr(fragment, k)
        setattr(fragment, k, v)
    return Change("fragment.update", "fragment", fragment.id, f"edit fragment {fragment.id}",
                  before=before, after=changes)


@command("fragment.delete")
def delete_fragment(session: Session, fragment_id: int) -> Change:
    """Delete a fragment with its links; its neighbours are joined by a sequence link.

    Deleting one in the middle changes later fragments' places, so boxes
    placed by hand go back to the automatic layout.
    """
    fragment = resolve_fragment(session, fragment_id)
    account_id = fragment.account_id
    row = fragment_row(session, fragment)
    links = session.scalars(select(FragmentLink).where(
        (FragmentLink.from_id == fragment.id) | (FragmentLink.to_id == fragment.id))).all()
    row["links"] = [_link_row(link) for link in links]
    last = _ordered(session, account_id)[-1].id == fragment.id
    for link in links:
        session.delete(link)
    session.flush()  # the links first: the fragment's own delete would cascade to them
    session.delete(fragment)
    session.flush()
    if not last:
        _clear_places(session, account_id)
    relinked = relink_sequence(session, account_id)
    return Change("fragment.delete", "fragment", row["id"], f"delete fragment {row['id']}", before=row,
                  after={"relinked": relinked})


@command("fragment.move")
def move_fragment(session: Session, fragment_id: int, position: int) -> Change:
    """Put a fragment at ``position`` (0-based) in its account's tellable sequence.

    In the same command the sequence links are re-made to join the new
    neighbours and boxes placed by hand go back to the automatic layout, so
    the chart follows the story and one Undo restores order and arrows.
    """
    fragment = resolve_fragment(session, fragment_id)
    frags = _ordered(session, fragment.account_id)
    if not 0 <= position < len(frags):
        raise InvalidInput(f"Position {position + 1} is outside the sequence of {len(frags)} fragments "
                           f"(use 1 to {len(frags)}).")
    before = [f.id for f in frags]
    order = [f for f in frags if f.id != fragment.id]
    order.insert(position, fragment)
    if [f.id for f in order] == before:
        raise InvalidInput(f"Fragment {fragment.id} is already at place {position + 1}.")
    for i, f in enumerate(order):
        f.position = i
    session.flush()
    _clear_places(session, fragment.account_id)
    relinked = relink_sequence(session, fragment.account_id)
    return Change("fragment.move", "fragment", fragment.id, f"move fragment {fragment.id} to place {position + 1}",
                  before={"order": before}, after={"order": [f.id for f in order], "relinked": relinked})


@command("fragment.place")
def place_fragments(session: Session, positions: dict[int, tuple[float, float] | None]) -> Change:
    """Save flow-chart box positions (one drag of one or many boxes is one command).

    A position of None puts the box back in the automatic layout (Auto layout).
    """
    before, after = {}, {}
    account_id = None
    for fid, pos in positions.items():
        fragment = resolve_fragment(session, fid)
        account_id = fragment.account_id
        before[str(fid)] = [fragment.x, fragment.y]
        fragment.x, fragment.y = (None, None) if pos is None else (float(pos[0]), float(pos[1]))
        after[str(fid)] = [fragment.x, fragment.y]
    if not after:
        raise InvalidInput("No box was moved.")
    return Change("fragment.place", "account", account_id, f"move {len(after)} box(es) in the flow chart",
                  before=before, after=after)


@command("link.create")
def link_fragments(session: Session, from_id: int, to_id: int, label: str = "") -> Change:
    """Draw an arrow from one fragment to another.

    An arrow from a fragment to the one right after it in the order is the
    sequence link (it was removed earlier; it is owned by the order again and
    follows it when fragments move). Any other arrow is ``extra`` and stays
    as drawn whatever the order becomes.
    """
    a, b = resolve_fragment(session, from_id), resolve_fragment(session, to_id)
    if a.id == b.id:
        raise InvalidInput("A fragment cannot lead to itself.")
    if a.account_id != b.account_id:
        raise InvalidInput("Both fragments must belong to the same account.")
    if session.scalar(select(FragmentLink.id).where(FragmentLink.from_id == a.id, FragmentLink.to_id == b.id)):
        raise Conflict(f"Fragment {a.id} already leads to {b.id}.")
    order = [f.id for f in _ordered(session, a.account_id)]
    neighbours = order.index(b.id) == order.index(a.id) + 1
    link = FragmentLink(from_id=a.id, to_id=b.id, label=label.strip(), kind="sequence" if neighbours else "extra")
    session.add(link)
    session.flush()
    return Change("link.create", "account", a.account_id, f"link fragment {a.id} to {b.id}",
                  after=_link_row(link), result=link.id)


@command("link.delete")
def unlink_fragments(session: Session, from_id: int, to_id: int) -> Change:
    link = session.scalar(select(FragmentLink).where(FragmentLink.from_id == from_id, FragmentLink.to_id == to_id))
    if link is None:
        raise NotFound(f"Fragment {from_id} does not lead to {to_id}.")
    row = _link_row(link)
    account_id = session.scalar(select(Fragment.account_id).where(Fragment.id == from_id))
    session.delete(link)
    return Change("link.delete", "account", account_id, f"unlink fragment {from_id} from {to_id}", before=row)


@command("actor.create")
def add_actor(session: Session, name: str, kind: str = "person") -> Change:
    name = name.strip()
    if not name:
        raise InvalidInput("An actor needs a name.")
    if session.scalar(select(Actor.id).where(func.lower(Actor.name) == name.lower())):
        raise Conflict(f"The actor '{name}' is already in the list.")
    actor = Actor(name=name, kind=kind)
    session.add(actor)
    session.flush()
    return Change("actor.create", "actor", actor.id, f"add actor '{name}'", after={"name": name, "kind": kind},
                  result=actor.id)


@command("actant.assign")
def assign_role(session: Session, account_ref: str | int, actor: str, role: str) -> Change:
    account = resolve_account(session, account_ref)
    if role not in ACTANT_ROLES:
        raise InvalidInput(f"'{role}' is not an actantial role; use {', '.join(ACTANT_ROLES)}.")
    if session.scalar(select(ActantRole.id).where(ActantRole.account_id == account.id, ActantRole.actor == actor,
                                                  ActantRole.role == role)):
        raise Conflict(f"'{actor}' is already the {role} of '{account.title}'.")
    session.add(ActantRole(account_id=account.id, actor=actor.strip(), role=role))
    return Change("actant.assign", "account", account.id, f"make '{actor}' the {role} of '{account.title}'",
                  after={"actor": actor, "role": role})


@command("actant.remove")
def remove_role(session: Session, account_ref: str | int, actor: str, role: str) -> Change:
    account = resolve_account(session, account_ref)
    deleted = session.execute(delete(ActantRole).where(
        ActantRole.account_id == account.id, ActantRole.actor == actor, ActantRole.role == role)
    ).rowcount  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult
    if not deleted:
        raise NotFound(f"'{actor}' is not the {role} of '{account.title}'.")
    return Change("actant.remove", "account", account.id, f"remove '{actor}' as {role} of '{account.title}'",
                  before={"actor": actor, "role": role})


# ---------------------------------------------------------------------- reading (for the GUI)
def source_facts(session: Session, source_ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    """source id -> (name, case name or '', text) for the given sources."""
    ids = sorted(set(source_ids))
    if not ids:
        return {}
    rows = session.execute(select(Source.id, Source.name, Case.name, Source.text)
                           .outerjoin(Case, Case.id == Source.case_id).where(Source.id.in_(ids)))
    return {sid: (name, case or "", text) for sid, name, case, text in rows}


def case_name_of_sources(session: Session) -> dict[int, str]:
    """source id -> the name of its case ('' when it has none), for every source."""
    cases = dict(session.execute(select(Source.id, Source.case_id)).all())
    names: dict[int | None, str] = dict(session.execute(select(Case.id, Case.name)).all())
    return {sid: names.get(cid, "") for sid, cid in cases.items()}


def actor_names(session: Session) -> list[str]:
    """The project's actor list, by name."""
    return list(session.scalars(select(Actor.name).order_by(Actor.name)))


def account_of_fragment(conn: Connection | Session, fragment_id: int) -> int | None:
    """The account a fragment belongs to, or None when there is no such fragment."""
    return conn.execute(select(Fragment.account_id).where(Fragment.id == fragment_id)).scalar()
