"""The values a merge plan is made of (conflicts, the plan) and the small helpers that name things in it."""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class MergeConflict:
    key: str  # "node:<guid>:renamed": what a resolution names
    kind: str  # renamed | moved | deleted-here | deleted-there | different-text | edited | value
    entity: str  # node | case | attribute | source | memo | account | fragment | attribute value
    label: str  # what it is about, in plain words
    ours: str  # this project's side, in plain words
    theirs: str  # the copy's side
    choices: tuple[str, ...]
    default: str
    chosen: str

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["choices"] = list(self.choices)
        return d


CHOICE_WORDS = {
    "ours": "keep this project's", "theirs": "take the copy's", "both": "keep both",
    "restore": "bring it back", "leave": "leave it deleted", "keep": "keep it", "delete": "delete it here too",
    "refuse": "do not merge", "rename": "bring it in under another name", "skip": "leave it out",
}


@dataclass
class Plan:
    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    updates: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    deletes: list[tuple[str, int]] = field(default_factory=list)
    merged: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    conflicts: list[MergeConflict] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return bool(any(self.inserts.values()) or self.updates or self.deletes)


# ---------------------------------------------------------------------- small helpers
def parents_first(rows: list[dict]) -> list[dict]:
    by_parent: dict[int | None, list[dict]] = {}
    for r in rows:
        by_parent.setdefault(r["parent_id"], []).append(r)
    out: list[dict] = []
    todo = list(by_parent.get(None, []))
    while todo:
        r = todo.pop(0)
        out.append(r)
        todo.extend(by_parent.get(r["id"], []))
    return out


def node_path(rows: list[dict], row: dict) -> str:
    by_id = {r["id"]: r for r in rows}
    names = [row["name"]]
    while row["parent_id"] is not None and row["parent_id"] in by_id:
        row = by_id[row["parent_id"]]
        names.append(row["name"])
    return "/".join(reversed(names))


def local_path(local: dict, nid: int | None) -> str:
    names = []
    while nid is not None and nid in local:
        names.append(local[nid][1])
        nid = local[nid][3]
    return "/".join(reversed(names))


def is_below(local: dict, candidate: int | None, nid: int) -> bool:
    """Whether ``candidate`` is ``nid`` or one of its descendants (a move there would make a loop)."""
    while candidate is not None:
        if candidate == nid:
            return True
        candidate = local[candidate][3] if candidate in local else None
    return False


def free_name(name: str, taken: dict[str, int]) -> str:
    out, n = name, 2
    while out in taken:
        out, n = f"{name} {n}", n + 1
    return out


def owner_name(raw: sqlite3.Connection, case: int | None, source: int | None) -> str:
    if case is not None:
        row = raw.execute("SELECT name FROM cases WHERE id = ?", (case,)).fetchone()
        return f"case '{row[0]}'" if row else ""
    row = raw.execute("SELECT name FROM sources WHERE id = ?", (source,)).fetchone()
    return f"source '{row[0]}'" if row else ""


def cut(text: str | None, n: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(value or "")
    except ValueError:
        return False
    return True
