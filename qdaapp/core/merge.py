"""Merging a coder's copy back into the project: one audited command, ``project.merge``.

``merge_copy(project, PATH)`` reads the copy (checked and its audit chain
verified first, see :mod:`.merge_read`), plans what comes in
(:mod:`.merge_plan`) and writes it in one transaction with one audit event
that records the copy's seal, what came in and the conflicts with the choice
taken. Nothing of either side is lost: rows are only added, and a row of
this project is changed or removed only where a conflict's choice says so.
Merging the same copy again finds everything there and writes nothing;
codings come out the same whatever the order copies are merged in. The merge
is undone in one step like any command.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from .commands import Change, command
from .db import driver_connection
from .merge_plan import CHOICE_WORDS, MergeConflict, Plan, plan_merge
from .merge_read import Copy, MergeRefused, read_copy

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

__all__ = ["CHOICE_WORDS", "MergeConflict", "MergeRefused", "MergeReport", "merge_copy", "preview"]


@dataclass(frozen=True)
class MergeReport:
    copy: str  # the copy's file name
    seal: str  # the copy's seal, as given
    copy_for: str  # the coder the copy was made for ("" for a plain file copy)
    same_project: bool  # the copy was made from this project
    merged: dict[str, int]  # what came in, by kind of row
    duplicates: dict[str, int]  # what was there already
    skipped: dict[str, int]  # what was left out by a choice (or hangs on something left out)
    conflicts: tuple[MergeConflict, ...]
    written: bool  # False when nothing was new (or a preview)
    seq: int | None = None  # the merge's audit event

    def as_dict(self) -> dict[str, Any]:
        return {"copy": self.copy, "seal": self.seal, "copy_for": self.copy_for, "same_project": self.same_project,
                "merged": self.merged, "duplicates": self.duplicates, "skipped": self.skipped,
                "conflicts": [c.as_dict() for c in self.conflicts], "written": self.written, "event": self.seq}

    def summary(self) -> str:
        """The counts in plain words ("12 codings, 2 nodes came in; 40 were there already")."""
        came = _counted(self.merged) or "nothing new"
        there = sum(self.duplicates.values())
        return f"{came} came in; {there} item(s) were there already"


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {k}{'' if n == 1 else 's'}" for k, n in sorted(counts.items()) if n)


def _report(copy: Copy, plan: Plan, project_id: str, written: bool, seq: int | None = None) -> MergeReport:
    return MergeReport(copy.name, copy.seal, copy.copy_for, copy.project_id == project_id, dict(plan.merged),
                       dict(plan.duplicates), dict(plan.skipped), tuple(plan.conflicts), written, seq)


def _refusals(conflicts: Sequence[MergeConflict]) -> None:
    refused = [c for c in conflicts if c.chosen == "refuse"]
    if refused:
        names = "; ".join(c.label for c in refused)
        raise MergeRefused(f"Nothing was merged: {names}. Choose to bring it in under another name or to leave "
                           "it out (--resolve KEY=rename or KEY=skip; keys in 'qdaapp merge --preview').")


def preview(project: Project, copy: Copy, resolutions: dict[str, str] | None = None) -> MergeReport:
    """What merging ``copy`` would do, with the conflicts and the choices taken; nothing is written."""
    return _report(copy, _planned(project, copy, resolutions)[0], project.project_id(), written=False)


def _head_seq(raw: Any) -> int:
    return int(raw.execute("SELECT coalesce(max(seq), 0) FROM audit_events").fetchone()[0])


def _planned(project: Project, copy: Copy, resolutions: dict[str, str] | None) -> tuple[Plan, int]:
    """The plan, and the last event of the project it was made against (read in one transaction)."""
    with project.engine.connect() as conn:
        raw = driver_connection(conn.connection)
        raw.execute("BEGIN")  # one snapshot for the plan and the head
        try:
            return plan_merge(raw, copy, resolutions), _head_seq(raw)
        finally:
            raw.execute("ROLLBACK")


def merge_copy(project: Project, path: str | Path, resolutions: dict[str, str] | None = None,
               reason: str = "", progress: Callable[[str], None] | None = None,
               copy: Copy | None = None) -> MergeReport:
    """Merge the coder's copy at ``path`` (or the ``copy`` already read from it) into ``project``.

    :class:`MergeRefused` if the copy cannot be merged (not a project, a newer schema, an audit trail
    that does not hold, a source with the same name and another text not resolved); the project is then
    as it was. When nothing is new, nothing is written and no event is recorded."""
    project.require_writable()
    if copy is None:
        copy = read_copy(Path(path), project.path, progress)
    plan, head = _planned(project, copy, resolutions)
    _refusals(plan.conflicts)
    if not plan.writes:
        return _report(copy, plan, project.project_id(), written=False)  # nothing new: no command, no event
    if progress:
        progress(f"Merging {copy.name}")
    return project.run(merge, copy, dict(resolutions or {}), project.project_id(), planned=(plan, head),
                       reason=reason)


@command("project.merge")
def merge(session: Session, copy: Copy, resolutions: dict[str, str], project_id: str,
          planned: tuple[Plan, int] | None = None) -> Change:
    """Write what the copy brings (see :func:`merge_copy`, which reads and checks the copy first).

    ``planned``: a plan made against the project when its last event was the one given; it is used if
    nothing was recorded since, and made again otherwise."""
    raw = driver_connection(session.connection().connection)
    if planned is not None and planned[1] == _head_seq(raw):
        plan = planned[0]
    else:
        plan = plan_merge(raw, copy, resolutions)
    _refusals(plan.conflicts)
    _apply(raw, plan)
    change = Change("project.merge", "project", None, "", result=_report(copy, plan, project_id, written=True))

    def note_seq(_s: Session, seq: int) -> None:
        change.result = replace(change.result, seq=seq)

    who = f" ({copy.copy_for}'s copy)" if copy.copy_for else ""
    change.summary = f"merge {copy.name}{who}, sealed {copy.seal}: {_counted(plan.merged) or 'nothing new'}"
    change.after = {"copy": copy.name, "seal": copy.seal, "copy_for": copy.copy_for, "merged": dict(plan.merged),
                    "duplicates": dict(plan.duplicates), "skipped": dict(plan.skipped),
                    "conflicts": [{"key": c.key, "label": c.label, "chosen": c.chosen} for c in plan.conflicts]}
    change.on_recorded = note_seq
    return change


def _apply(raw: Any, plan: Plan) -> None:
    """Bulk inserts, table by table, parents first; then the updates and removals the choices asked for."""
    from .merge_read import TABLES

    for table in TABLES:
        rows = plan.inserts.get(table)
        if not rows:
            continue
        cols = list(rows[0])
        names = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        raw.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [[r[c] for c in cols] for r in rows])
    for table, row_id, values in plan.updates:
        sets = ", ".join(f'"{c}" = ?' for c in values)
        raw.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?', [*values.values(), row_id])
    for table, row_id in plan.deletes:
        raw.execute(f'DELETE FROM "{table}" WHERE id = ?', (row_id,))
