"""Every mutation is a command.

A command function takes a write :class:`~sqlalchemy.orm.Session` and its
own arguments, makes its change, and returns a :class:`Change` describing
it: the action name, what it touched, a one-line summary for people ("code
'Trust' in Ana.docx"), and before/after snapshots complete enough to revert
it. :func:`execute` runs the function and appends the audit event in the
*same* transaction, so the log and the data can never disagree.

Commands are registered by action name; the registry is the closed set of
event types the audit trail can contain. :func:`execute` runs registered
commands only, and only under their own action, so nothing else can write
to the project or to its audit trail through it.

Each event also records the digest of every row the command wrote (see
:mod:`qdaapp.core.audit`), so the data can be checked against its history.
The change the listeners receive says, as typed data, which rows it created,
changed and removed (``Change.touched``, see :mod:`qdaapp.core.touched`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import audit
from . import touched as touched_rows
from .errors import Conflict, InvalidInput
from .touched import CodingKey, Kind, Touched

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project


@dataclass
class Change:
    """What a command did. ``result`` is returned to the caller, not audited."""

    action: str
    entity: str
    entity_id: int | None
    summary: str
    before: Any = None
    after: Any = None
    result: Any = None
    extra_events: list[Change] = field(default_factory=list)
    # Called with (session, seq of this change's audit event) inside the transaction.
    on_recorded: Callable[[Session, int], None] | None = None
    # Record the digest of every row of the user's work, not only the rows written (the baseline).
    digest_all: bool = False
    # Set when the change is recorded: the rows it created, changed and removed, per entity (see core/touched.py).
    # Views route on this, never on ``before``/``after`` (the audit event's payload).
    touched: tuple[Touched, ...] = ()

    def touches(self, *entities: str) -> bool:
        """Whether the change wrote a row of any of ``entities`` ("coding", "node", "memo"...)."""
        return any(t.entity in entities for t in self.touched)

    def ids(self, entity: str, kind: Kind | None = None) -> set[int]:
        """The ids of the ``entity`` rows it created, changed or removed (only ``kind`` if given)."""
        return touched_rows.ids(self.touched, entity, kind)

    def codings(self, kind: Kind) -> list[CodingKey]:
        """The codings it created, changed (as they are now) or removed (as they were)."""
        return touched_rows.codings(self.touched, kind)

    def parents(self, entity: str) -> set[int]:
        """The ids of the ``entity`` rows that the touched rows hang under (the codings' nodes, say)."""
        return touched_rows.parents(self.touched, entity)


CommandFn = Callable[..., Change]
REGISTRY: dict[str, CommandFn] = {}
# Events recorded only as part of another command (an extra event), never by a command of their own.
SUB_EVENTS = frozenset({"attribute.create"})


def command(action: str) -> Callable[[CommandFn], CommandFn]:
    """Register ``fn`` as the one command that writes ``action`` events."""

    def wrap(fn: CommandFn) -> CommandFn:
        if action in REGISTRY and REGISTRY[action] is not fn:
            raise RuntimeError(f"two commands claim the action {action!r}")
        REGISTRY[action] = fn
        fn.action = action  # type: ignore[attr-defined]
        return fn

    return wrap


def registered_action(fn: Any) -> str:
    """The action ``fn`` is registered for; InvalidInput if it is not a registered command."""
    action = getattr(fn, "action", None)
    if not isinstance(action, str) or REGISTRY.get(action) is not fn:
        name = getattr(fn, "__qualname__", None) or repr(fn)
        raise InvalidInput(f"{name} is not a registered command; only registered commands may change a project.")
    return action


def _load_all_commands() -> None:
    """Import every core module, so the registry holds every command (modules are imported lazily
    elsewhere, and an extra event may belong to a module nothing has imported yet)."""
    import importlib
    import pkgutil

    from . import __path__ as core_path

    for info in pkgutil.walk_packages(core_path, prefix=f"{__package__}."):
        if ".migrations" not in info.name:
            importlib.import_module(info.name)


def _check_actions(action: str, change: Change) -> None:
    if change.action != action:
        raise InvalidInput(f"The command {action} reported its change as {change.action!r}; it was not made.")
    for extra in _extras(change):
        if extra.action not in REGISTRY and extra.action not in SUB_EVENTS:
            _load_all_commands()  # a command may record the event of a module not imported yet
        if extra.action not in REGISTRY and extra.action not in SUB_EVENTS:
            raise InvalidInput(f"The command {action} recorded an event of an unknown kind ({extra.action!r}); "
                               "it was not made.")


def execute(project: Project, fn: CommandFn, *args: Any, reason: str = "", **kwargs: Any) -> Any:
    """Run one registered command in one write transaction with its audit event(s)."""
    action = registered_action(fn)
    project.require_writable()
    with project.write_session() as session:
        change = fn(session, *args, **kwargs)
        _check_actions(action, change)
        record(session, project.coder, change, reason)
        try:
            session.commit()
        except IntegrityError as exc:  # a rule the checks above did not catch
            session.rollback()
            raise Conflict(f"The change was refused by the project's rules: {exc.orig}") from exc
    project.notify(change)
    return change.result


def record(session: Session, coder: str, change: Change, reason: str) -> None:
    """Append ``change``'s audit event(s), with the digests of the rows written, in the caller's transaction."""
    from . import history

    session.flush()
    conn = session.connection()
    pending = audit.pending_ops(conn)  # the rows this command wrote, read once for the digests and `touched`
    rows = audit.written_rows(conn, everything=change.digest_all, pending=pending)
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
        rows_hash=audit.rows_hash(rows),
    )
    session.flush()
    audit.store_rows(conn, event.seq, rows)
    # The row changes the triggers recorded belong to this event: undo reverts them as one.
    session.flush()
    _note_touched(conn, change, pending)
    history.attach(session, event.seq, change.action, coder)
    if change.on_recorded is not None:
        change.on_recorded(session, event.seq)
    # The events recorded besides it (a bulk command's one per item) follow it in one batch.
    extras = [(e.action, e.entity, e.entity_id, e.summary, e.before, e.after) for e in _extras(change)]
    audit.append_many(session, coder, extras, reason)
    _index_refs(session, change, event.seq, extras)


def _index_refs(session: Session, change: Change, seq: int, extras: list[tuple]) -> None:
    """Index what the event ``seq`` and the extras recorded after it touched (audit_refs), for
    filtering the timeline by item."""
    from . import audit_refs

    if change.digest_all:  # the baseline writes no rows of its own (and predates the index)
        return
    main = (change.action, change.entity, change.entity_id, change.summary, change.before, change.after)
    audit_refs.index_events(session.connection(), seq, main, extras)


def _note_touched(conn: Any, change: Change, pending: audit.PendingOps) -> None:
    """Put on ``change`` what its transaction's rows (``pending``) amount to."""
    change.touched = touched_rows.compute(conn, pending)


def _extras(change: Change) -> list[Change]:
    """The extra events of ``change``, depth first, in the order they are recorded."""
    out = []
    for extra in change.extra_events:
        out.append(extra)
        out.extend(_extras(extra))
    return out


@command("audit.baseline")
def baseline(session: Session) -> Change:
    """Record the digest of every row as it is: the start of row checking for an upgraded project.

    Taken once, when a project made before row digests is upgraded: afterwards it would bless
    whatever was changed outside the app, so it is refused.
    """
    from sqlalchemy import text

    if session.execute(text("SELECT 1 FROM audit_events WHERE rows_hash IS NOT NULL LIMIT 1")).first():
        raise InvalidInput("The project's rows are digested already; a baseline is taken only once, at the upgrade.")
    return Change("audit.baseline", "project", None, "record the digest of every row as it is (baseline)",
                  digest_all=True)
