"""What a review comment is about: parse ``KIND:ID``, check it exists, and label it.

A comment names its target by kind and id (``coding:12``, ``node:3``, ``event:57``,
``project``). The label is written down when the comment is made (the node's path,
the coding's quote, the event's summary...), so the comment stays readable after
its target is changed or deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import InvalidInput, NotFound
from .models import Account, AuditEvent, Coding, Fragment, Node, Source
from .nodes import path_of
from .review_comments import KINDS

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

QUOTE_MAX = 80


def parse_target(spec: str) -> tuple[str, int | None]:
    """``"coding:12"`` -> ``("coding", 12)``; ``"project"`` -> ``("project", None)``."""
    text = spec.strip()
    kind, sep, ident = text.partition(":")
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise InvalidInput(f"'{spec}' is not something a comment can be on; use one of "
                           f"{', '.join(k + ':ID' for k in KINDS if k != 'project')} or project.")
    if kind == "project":
        if sep and ident.strip():
            raise InvalidInput(f"'{spec}': the project takes no number; write just 'project'.")
        return kind, None
    ident = ident.strip()
    if not sep or not ident.isdigit():
        raise InvalidInput(f"'{spec}' needs the {kind}'s number after a colon, as in {kind}:12.")
    return kind, int(ident)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def target_label(session: Session, kind: str, ident: int | None, project_name: str = "") -> str:
    """A readable label for the target, or :class:`NotFound` naming what is missing."""
    if kind not in KINDS:
        raise InvalidInput(f"'{kind}' is not something a comment can be on.")
    if kind == "project":
        return f"Project {project_name}".strip()
    if ident is None:
        raise InvalidInput(f"A comment on a {kind} needs the {kind}'s number.")
    missing = NotFound(f"There is no {kind} {ident} in this project{_where(kind)}.")
    if kind == "event":
        event = session.get(AuditEvent, ident)
        if event is None:
            raise missing
        return f"Change #{event.seq} by {event.coder}: {_quote(event.summary or event.action)}"
    if kind == "coding":
        row = session.execute(
            select(Coding.node_id, Source.name, func.substr(Source.text, Coding.start + 1, Coding.end - Coding.start))
            .join(Source, Source.id == Coding.source_id).where(Coding.id == ident)
        ).first()
        if row is None:
            raise missing
        coded_at = session.get_one(Node, row[0])  # a coding's node exists (foreign key)
        return f"{path_of(session, coded_at)}: “{_quote(row[2] or '')}” ({row[1]})"
    if kind == "node":
        node = session.get(Node, ident)
        if node is None:
            raise missing
        return f"Node {path_of(session, node)}"
    if kind == "fragment":
        fragment = session.get(Fragment, ident)
        if fragment is None:
            raise missing
        account = session.get(Account, fragment.account_id)
        return f"Fragment “{_quote(fragment.summary)}” in {account.title if account else 'an account'}"
    if kind == "account":
        account = session.get(Account, ident)
        if account is None:
            raise missing
        return f"Account {account.title}"
    name = session.scalar(select(Source.name).where(Source.id == ident))
    if name is None:
        raise missing
    return f"Source {name}"


def _where(kind: str) -> str:
    return {
        "event": " (see the audit trail for change numbers)",
        "coding": " (see 'qdaapp codings' for coding numbers)",
        "node": " (see 'qdaapp nodes')",
        "source": " (see 'qdaapp sources')",
    }.get(kind, "")


def locate(session: Session, kind: str, ident: int | None) -> tuple[int, ...] | None:
    """Where to show a target now: a coding's (source id, start, end), a fragment's (account id,),
    ``(ident,)`` for anything else that still exists, ``()`` for the project; None once it is gone."""
    if kind == "project":
        return ()
    if ident is None:
        return None
    if kind == "coding":
        row = session.execute(select(Coding.source_id, Coding.start, Coding.end).where(Coding.id == ident)).first()
        return tuple(row) if row is not None else None
    if kind == "fragment":
        account = session.scalar(select(Fragment.account_id).where(Fragment.id == ident))
        return (account,) if account is not None else None
    key = {"event": AuditEvent.seq, "node": Node.id, "account": Account.id, "source": Source.id}.get(kind)
    if key is None:
        return None
    return (ident,) if session.scalar(select(key).where(key == ident)) is not None else None


def label_for(project: Project, kind: str, ident: int | None) -> str:
    """:func:`target_label` on an open project (NotFound if the target is not there)."""
    with project.read_session() as s:
        return target_label(s, kind, ident, project.path.stem)


def locate_in(project: Project, kind: str, ident: int | None) -> tuple[int, ...] | None:
    """:func:`locate` on an open project."""
    with project.read_session() as s:
        return locate(s, kind, ident)
