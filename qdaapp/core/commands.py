"""Every mutation is a command.

A command function takes a write :class:`~sqlalchemy.orm.Session` and its
own arguments, makes its change, and returns a :class:`Change` describing
it: the action name, what it touched, a one-line summary for people ("code
'Trust' in Ana.docx"), and before/after snapshots complete enough to revert
it. :func:`execute` runs the function and appends the audit event in the
*same* transaction, so the log and the data can never disagree.

Commands are registered by action name; the registry is the closed set of
event types the audit trail can contain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import audit
from .errors import Conflict

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project


@dataclass
class Change:
    """What a command did. ``result`` is returned to the caller, not audited."""

    action: str
    entity: str
    entity_id: Optional[int]
    summary: str
    before: Any = None
    after: Any = None
    result: Any = None
    extra_events: list["Change"] = field(default_factory=list)
    # Called with (session, seq of this change's audit event) inside the transaction.
    on_recorded: Optional[Callable[[Session, int], None]] = None


CommandFn = Callable[..., Change]
REGISTRY: dict[str, CommandFn] = {}


def command(action: str) -> Callable[[CommandFn], CommandFn]:
    """Register ``fn`` as the one command that writes ``action`` events."""

    def wrap(fn: CommandFn) -> CommandFn:
        if action in REGISTRY and REGISTRY[action] is not fn:
            raise RuntimeError(f"two commands claim the action {action!r}")
        REGISTRY[action] = fn
        fn.action = action  # type: ignore[attr-defined]
        return fn

    return wrap


def execute(project: "Project", fn: CommandFn, *args: Any, reason: str = "", **kwargs: Any) -> Any:
    """Run one command in one write transaction with its audit event(s)."""
    project.require_writable()
    with project.write_session() as session:
        change = fn(session, *args, **kwargs)
        _record(session, project.coder, change, reason)
        try:
            session.commit()
        except IntegrityError as exc:  # a rule the checks above did not catch
            session.rollback()
            raise Conflict(f"The change was refused by the project's rules: {exc.orig}") from exc
    project.notify(change)
    return change.result


def _record(session: Session, coder: str, change: Change, reason: str) -> None:
    from . import history

    session.flush()
    event = audit.append(
        session,
        coder=coder,
        action=change.action,
        entity=change.entity,
        entity_id=change.entity_id,
        summary=change.summary,
        before=change.before,
        after=change.after,
        reason=reason,
    )
    # The row changes the triggers recorded belong to this event: undo reverts them as one.
    session.flush()
    history.attach(session, event.seq, change.action, coder)
    if change.on_recorded is not None:
        change.on_recorded(session, event.seq)
    # The events recorded besides it (a bulk command's one per item) follow it in one batch.
    extras = [(e.action, e.entity, e.entity_id, e.summary, e.before, e.after) for e in _extras(change)]
    audit.append_many(session, coder, extras, reason)


def _extras(change: Change) -> list[Change]:
    """The extra events of ``change``, depth first, in the order they are recorded."""
    out = []
    for extra in change.extra_events:
        out.append(extra)
        out.extend(_extras(extra))
    return out
