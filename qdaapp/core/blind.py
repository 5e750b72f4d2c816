"""Blind coding: while it is on, each coder sees only their own codings.

A team that codes the same sources independently, to compare their coding
afterwards, must not see each other's work until the comparison. The project
owner (the coder who created the project) switches blind coding on or off
(``project.set_blind``) and ends the blind phase (``project.end_blind``),
after which everyone sees everyone's work. Both are audited commands; the
setting lives in the project's ``meta`` table under :data:`BLIND_KEY`:

* ``off`` (or no row): everyone sees all codings;
* ``on``: each coder sees their own codings only, the owner sees all;
* ``ended``: the blind phase is over, everyone sees all.

The views and the command-line listings narrow what they read with one
argument, ``coders`` (a set of coder names, or None for all), that the core
queries apply through :func:`only_coders`; :func:`visible_coders` says what a
coder may see.

``meta`` is not captured by the undo triggers (it also holds the audit head),
so the commands here record their own row change in ``undo_ops``: Undo then
reverts a switch like any other change.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select, text, true
from sqlalchemy.orm import Session

from .commands import Change, command
from .errors import Conflict, InvalidInput
from .models import AuditEvent, Meta

OWNER_KEY = "owner"
BLIND_KEY = "blind"
OFF, ON, ENDED = "off", "on", "ended"
STATES = (OFF, ON, ENDED)
SETTING = "meta"  # the entity a change of the setting touches (Change.touches(SETTING))


def owner(session: Session) -> str | None:
    """The project owner: the coder who created the project (``meta.owner``); in a project made before
    owners were recorded, the first coder in its audit trail. None in a project with neither."""
    stored = session.scalar(select(Meta.value).where(Meta.key == OWNER_KEY))
    if stored:
        return stored
    first = session.scalar(select(AuditEvent.coder).where(AuditEvent.coder != "").order_by(AuditEvent.seq).limit(1))
    return first or None


def state(session: Session) -> str:
    """``off``, ``on`` or ``ended`` (see the module's description)."""
    value = session.scalar(select(Meta.value).where(Meta.key == BLIND_KEY))
    return value if value in STATES else OFF


def is_blind(session: Session) -> bool:
    """Whether the project is in its blind phase now."""
    return state(session) == ON


def comparison_open(session: Session, me: str) -> bool:
    """Whether ``me`` may compare coders' work: the project is not blind, its blind phase has ended,
    or ``me`` is its owner."""
    return state(session) != ON or me == owner(session)


def comparison_closed_message(session: Session) -> str:
    who = owner(session)
    return ("The coders are still coding blind: their codings cannot be compared until the blind phase is "
            f"ended by the project's owner{f' ({who})' if who else ''}, who may also compare them now.")


def check_comparison(session: Session, me: str) -> None:
    """InvalidInput saying why, unless ``me`` may compare coders' work now (see :func:`comparison_open`)."""
    if not comparison_open(session, me):
        raise InvalidInput(comparison_closed_message(session))


def visible_coders(session: Session, me: str) -> set[str] | None:
    """The coders whose codings ``me`` may see: None for everyone, or ``{me}`` in the blind phase."""
    return None if comparison_open(session, me) else {me}


def narrow(wanted: Collection[str] | None, allowed: Collection[str] | None) -> set[str] | None:
    """The coders to show when ``wanted`` are asked for and ``allowed`` may be seen (None: all)."""
    if allowed is None:
        return None if wanted is None else set(wanted)
    return set(allowed) if wanted is None else set(wanted) & set(allowed)


def only_coders(column: Any, coders: Collection[str] | None) -> Any:
    """The condition that keeps the rows whose ``column`` (a coder name) is among ``coders``; None keeps all.

    The one place the queries the views read through (spans, counts, passages) narrow to some coders."""
    if coders is None:
        return true()
    return column.in_(sorted(coders))


# ---------------------------------------------------------------------- commands
def _check_owner(session: Session, coder: str, what: str) -> None:
    who = owner(session)
    if who is not None and coder != who:
        raise Conflict(f"Only the project owner, {who}, may {what}; you are working as {coder}.")


# Row capture of the blind setting for Undo: meta is not user work, so the schema's capture triggers
# leave it out; these temporary ones (one connection's, never stored in the file) record its one row.
_CAPTURE = (
    f"CREATE TEMP TRIGGER IF NOT EXISTS blind_capture_ai AFTER INSERT ON main.meta WHEN NEW.key = '{BLIND_KEY}' "
    "BEGIN INSERT INTO undo_ops(tbl, op, row_id) VALUES ('meta', 'I', NEW.rowid); END",
    f"CREATE TEMP TRIGGER IF NOT EXISTS blind_capture_ad AFTER DELETE ON main.meta WHEN OLD.key = '{BLIND_KEY}' "
    "BEGIN INSERT INTO undo_ops(tbl, op, row_id, old) VALUES ('meta', 'D', OLD.rowid, "
    "json_object('key', OLD.key, 'value', OLD.value)); END",
    f"CREATE TEMP TRIGGER IF NOT EXISTS blind_capture_au AFTER UPDATE ON main.meta WHEN NEW.key = '{BLIND_KEY}' "
    "BEGIN INSERT INTO undo_ops(tbl, op, row_id, old, new) VALUES ('meta', 'U', OLD.rowid, "
    "json_object('key', OLD.key, 'value', OLD.value), json_object('key', NEW.key, 'value', NEW.value)); END",
)


def capture_setting(session: Session) -> None:
    """Record changes of the blind setting in ``undo_ops`` on this session's connection (called by the
    commands here, and by Undo and Redo before they revert rows, so a switch is undone and redone)."""
    conn = session.connection()
    for statement in _CAPTURE:
        conn.execute(text(statement))


def _write_setting(session: Session, key: str, value: str) -> str | None:
    """Set ``meta[key]``, its change recorded for Undo; the value it had (None: no row)."""
    capture_setting(session)
    row = session.get(Meta, key)
    before = row.value if row is not None else None
    if row is None:
        # Made as "off" first, then changed: Undo then checks the value is still this one before it reverts.
        row = Meta(key=key, value=OFF)
        session.add(row)
        session.flush()
    row.value = value
    session.flush()
    return before


@command("project.set_blind")
def set_blind(session: Session, on: bool, coder: str) -> Change:
    """Switch blind coding on or off (the project owner only). Switching it on again after the blind
    phase ended starts a new blind phase."""
    _check_owner(session, coder, "switch blind coding on or off")
    now = state(session)
    wanted = ON if on else OFF
    if now == wanted:
        raise InvalidInput(f"Blind coding is already {'on' if on else 'off'} in this project.")
    before = _write_setting(session, BLIND_KEY, wanted)
    summary = ("switch blind coding on: each coder sees only their own codings" if on
               else "switch blind coding off: everyone sees all codings")
    return Change("project.set_blind", "project", None, summary,
                  before={BLIND_KEY: before or OFF}, after={BLIND_KEY: wanted}, result=wanted)


@command("project.end_blind")
def end_blind(session: Session, coder: str) -> Change:
    """End the blind phase (the project owner only): from now on everyone sees everyone's codings.
    What was shown cannot be hidden again, so this is not undone; blind coding can be switched on anew."""
    _check_owner(session, coder, "end the blind phase")
    if state(session) != ON:
        raise InvalidInput("The project is not in a blind phase, so there is nothing to end.")
    _write_setting(session, BLIND_KEY, ENDED)
    return Change("project.end_blind", "project", None,
                  "end the blind phase: everyone now sees all coders' codings",
                  before={BLIND_KEY: ON}, after={BLIND_KEY: ENDED}, result=ENDED)


def describe(session: Session, me: str) -> dict[str, Any]:
    """The blind setting as ``qdaapp blind status`` and the app show it."""
    now = state(session)
    who = owner(session)
    return {"state": now, "owner": who, "coder": me, "comparison_open": comparison_open(session, me),
            "sees": "all coders" if visible_coders(session, me) is None else "own codings only"}
