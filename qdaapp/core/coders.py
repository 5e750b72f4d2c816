"""The coders of a project, read from their work: codings, memos, fragments and the audit trail."""

from __future__ import annotations

import getpass
from dataclasses import asdict, dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import AuditEvent, Coding, Fragment, Memo

# Login names that say nothing about who is coding: shared, system and default accounts.
GENERIC_LOGINS = frozenset({
    "root", "admin", "administrator", "user", "users", "guest", "default", "owner", "pc", "home", "test",
    "ubuntu", "debian", "pi", "vagrant", "docker", "runner", "jenkins", "ec2-user", "nobody", "coder", "student",
})


def is_generic(name: str) -> bool:
    """Whether ``name`` is empty or a login shared by many people ("root", "user", "admin"...)."""
    return not name.strip() or name.strip().lower() in GENERIC_LOGINS


def login_name() -> str:
    """The computer's login name when it names a person; "" for a generic one or none (then ask)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor the password database
        return ""
    return "" if is_generic(name) else name


@dataclass(frozen=True)
class CoderWork:
    """One coder: how many codings, memos and fragments of theirs the project holds, how many changes
    of theirs its audit trail records, and when they first and last worked on it (stored UTC times)."""

    name: str
    codings: int | None  # None: hidden from the viewer in blind coding
    memos: int | None
    fragments: int | None
    changes: int | None
    first: str | None
    last: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def _times(spans: list[tuple[str | None, str | None]]) -> tuple[str | None, str | None]:
    firsts = [a for a, _b in spans if a]
    lasts = [b for _a, b in spans if b]
    return (min(firsts) if firsts else None), (max(lasts) if lasts else None)


def coders(session: Session, viewer: str | None = None) -> list[CoderWork]:
    """Everyone who coded, wrote a memo or changed anything in the project, in the order they started.

    ``viewer``: who asks. While blind coding keeps others' work from them, the others are listed by
    name and time only (their counts None).

    A few grouped queries: codings by coder, memos by author, fragments by the coder whose event made
    them (fragments carry no coder of their own), and the audit trail's events by coder."""
    codings = {c: (n, a, b) for c, n, a, b in session.execute(
        select(Coding.coder, func.count(), func.min(Coding.created_at), func.max(Coding.created_at))
        .group_by(Coding.coder))}
    memos = {c: (n, a, b) for c, n, a, b in session.execute(
        select(Memo.author, func.count(), func.min(Memo.created_at), func.max(Memo.updated_at))
        .group_by(Memo.author))}
    fragments: dict[str, int] = {c: n for c, n in session.execute(
        select(AuditEvent.coder, func.count(func.distinct(AuditEvent.entity_id)))
        .where(AuditEvent.action == "fragment.create", AuditEvent.entity_id.in_(select(Fragment.id)))
        .group_by(AuditEvent.coder))}
    events = {c: (n, a, b) for c, n, a, b in session.execute(
        select(AuditEvent.coder, func.count(), func.min(AuditEvent.time), func.max(AuditEvent.time))
        .group_by(AuditEvent.coder))}
    names = {n for n in (*codings, *memos, *fragments, *events) if n}
    out = []
    for name in names:
        none = (0, None, None)
        c, m, e = codings.get(name, none), memos.get(name, none), events.get(name, none)
        first, last = _times([(c[1], c[2]), (m[1], m[2]), (e[1], e[2])])
        out.append(CoderWork(name, c[0], m[0], int(fragments.get(name, 0)), e[0], first, last))
    out.sort(key=lambda w: (w.first or "~", w.name.lower()))
    if viewer is not None:
        from .blind import visible_coders

        allowed = visible_coders(session, viewer)
        if allowed is not None:
            out = [w if w.name in allowed else replace(w, codings=None, memos=None, fragments=None, changes=None)
                   for w in out]
    return out
