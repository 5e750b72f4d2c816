"""Memos on the project, a source, a node, a coding or a case; diary entries.

A memo's target is a (type, id) pair. Editing a memo is a command like any
other, so the audit trail keeps every version of the researcher's thinking.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .commands import Change, command
from .errors import InvalidInput, NotFound
from .models import MEMO_TARGETS, Case, Coding, Memo, Node, Source, utcnow

_TARGET_MODELS = {"source": Source, "node": Node, "coding": Coding, "case": Case, "memo": Memo}


def parse_target(spec: str | None) -> tuple[str, int | None]:
    """'source:3' -> ('source', 3); None or 'project' -> ('project', None)."""
    if not spec or spec == "project":
        return "project", None
    kind, _, ident = spec.partition(":")
    if kind not in MEMO_TARGETS or not ident.strip().isdigit():
        raise InvalidInput(
            f"'{spec}' is not a memo target; write source:ID, node:ID, coding:ID, case:ID or account:ID."
        )
    return kind, int(ident)


def _check_target(session: Session, kind: str, ident: int | None) -> str:
    if kind == "project":
        return "the project"
    model = _TARGET_MODELS.get(kind)
    if model is None:  # accounts arrive with the narrative tables
        return f"{kind} {ident}"
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(f"There is no {kind} with id {ident} to attach the memo to.")
    return f"{kind} '{getattr(obj, 'name', ident)}'"


def _row(m: Memo) -> dict:
    return {"id": m.id, "title": m.title, "text": m.text, "target_type": m.target_type,
            "target_id": m.target_id, "date": m.date, "author": m.author}


@command("memo.create")
def add_memo(
    session: Session, text: str, target: str | None = None, title: str = "", author: str = ""
) -> Change:
    kind, ident = parse_target(target)
    label = _check_target(session, kind, ident)
    if not text.strip():
        raise InvalidInput("A memo needs some text.")
    memo = Memo(text=text, title=title, target_type=kind, target_id=ident, author=author)
    session.add(memo)
    session.flush()
    return Change("memo.create", "memo", memo.id, f"add memo on {label}", after=_row(memo), result=memo.id)


@command("diary.create")
def add_diary_entry(session: Session, text: str, day: str | None = None, author: str = "") -> Change:
    try:
        day = date.fromisoformat(day).isoformat() if day else date.today().isoformat()
    except ValueError:
        raise InvalidInput(f"'{day}' is not a date; write it as YYYY-MM-DD.") from None
    if not text.strip():
        raise InvalidInput("A diary entry needs some text.")
    memo = Memo(text=text, target_type="diary", date=day, author=author)
    session.add(memo)
    session.flush()
    return Change("diary.create", "memo", memo.id, f"add diary entry for {day}", after=_row(memo), result=memo.id)


@command("memo.update")
def update_memo(session: Session, memo_id: int, text: str | None = None, title: str | None = None) -> Change:
    memo = session.get(Memo, int(memo_id))
    if memo is None:
        raise NotFound(f"There is no memo with id {memo_id}.")
    changes = {}
    if text is not None and text != memo.text:
        changes["text"] = text
    if title is not None and title != memo.title:
        changes["title"] = title
    if not changes:
        raise InvalidInput("The memo is unchanged.")
    before = {k: getattr(memo, k) for k in changes}
    for k, v in changes.items():
        setattr(memo, k, v)
    memo.updated_at = utcnow()
    return Change("memo.update", "memo", memo.id, f"edit memo {memo.id}", before=before, after=changes)


@command("memo.delete")
def delete_memo(session: Session, memo_id: int) -> Change:
    memo = session.get(Memo, int(memo_id))
    if memo is None:
        raise NotFound(f"There is no memo with id {memo_id}.")
    row = _row(memo)
    session.delete(memo)
    return Change("memo.delete", "memo", row["id"], f"delete memo {row['id']}", before=row)


@dataclass(frozen=True)
class MemoInfo:
    id: int
    title: str
    text: str
    target_type: str
    target_id: int | None
    date: str | None
    author: str
    created_at: str
    updated_at: str

    def as_dict(self) -> dict:
        return asdict(self)


def list_memos(
    session: Session, target_type: str | None = None, target_id: int | None = None
) -> list[MemoInfo]:
    q = select(Memo).order_by(Memo.date.is_(None), Memo.date, Memo.created_at)
    if target_type is not None:
        q = q.where(Memo.target_type == target_type)
    if target_id is not None:
        q = q.where(Memo.target_id == target_id)
    return [
        MemoInfo(m.id, m.title, m.text, m.target_type, m.target_id, m.date, m.author, m.created_at, m.updated_at)
        for m in session.scalars(q)
    ]
