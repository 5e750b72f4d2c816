"""Audit events as plain sentences with their content, for the viewer, ``qdaapp audit`` and reports.

"Accepted all 227 hits of marker 'have to' (manipulation) in 12 sources, 41 of
them negated, coded at Speech acts/manipulation"; "Moved node 'Trust' from
free nodes to 'Relationships'"; "Coded 'I had to ask twice…' in Ana.docx at
Trust". Names and counts come first from what the event recorded when it was
written (its summary and snapshots, and the facts a bulk decision records), so
a sentence stays true after later renames and deletions; what an event did not
record (the words of a passage) is read from the project, whose texts never
change. An event nothing is known about reads as its summary.

:func:`describe_rows` takes many events at once (a page of the viewer) and
reads the project once for all of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection

from .db import driver_connection
from .lexicon import NEGATED

QUOTE = 60  # characters of a passage or a memo quoted in a sentence


def cut(text: str, size: int = QUOTE) -> str:
    """``text`` on one line, cut at a word to about ``size`` characters with an ellipsis."""
    flat = " ".join((text or "").split())
    if len(flat) <= size:
        return flat
    head = flat[:size]
    space = head.rfind(" ")
    return (head[:space] if space > size // 2 else head).rstrip(" ,;:.") + "…"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _loads(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return None


# ---------------------------------------------------------------------- marker decisions
def decision_facts(hits: Iterable[tuple[str, str, str, int]], totals: dict[tuple[str, str], int],
                   node_paths: list[str], new_codings: int | None = None) -> dict:
    """The facts a sentence about accepting or rejecting hits needs, from ``(marker, act, polarity,
    source id)`` of each hit decided and the run's number of hits of each ``(marker, act)``."""
    per: dict[tuple[str, str], list[int]] = {}
    sources: set[int] = set()
    negated = 0
    for marker, act, polarity, source_id in hits:
        counts = per.setdefault((marker, act), [0, 0])
        counts[0] += 1
        if polarity == NEGATED:
            counts[1] += 1
            negated += 1
        sources.add(source_id)
    rows: list[tuple[str, str, int, int, int]] = [(m, a, n, neg, totals.get((m, a), n))
                                                   for (m, a), (n, neg) in per.items()]
    markers = [list(r) for r in sorted(rows, key=lambda x: (-x[2], x[0]))]
    facts = {"markers": markers, "hits": sum(r[2] for r in rows), "negated": negated, "sources": len(sources),
             "nodes": sorted(set(node_paths))}
    if new_codings is not None:
        facts["new_codings"] = new_codings
    return facts


def decision_sentence(verb: str, facts: dict, removed: int = 0) -> str:
    """'Accepted all 227 hits of marker 'have to' (manipulation) in 12 sources, 41 of them negated, ...'."""
    markers = facts.get("markers") or []
    n = int(facts.get("hits") or 0)
    if len(markers) == 1:
        marker, act, count, _neg, total = markers[0]
        every = "all " if count == total and count > 1 else ""
        what = f"{every}{plural(count, 'hit')} of marker '{marker}' ({act})"
    else:
        shown = ", ".join(f"'{m[0]}' ({m[1]}) {m[2]:,}" for m in markers[:3])
        more = f" and {len(markers) - 3:,} more" if len(markers) > 3 else ""
        what = f"{plural(n, 'hit')} of {len(markers)} markers ({shown}{more})"
    text = f"{verb} {what} in {plural(int(facts.get('sources') or 0), 'source')}"
    negated = int(facts.get("negated") or 0)
    if negated:
        text += f", {negated:,} of them negated" if n > 1 else ", negated"
    nodes = facts.get("nodes") or []
    if nodes:
        text += ", coded at " + and_list(nodes)
    if "new_codings" in facts and facts["new_codings"] != n:
        text += f" ({plural(int(facts['new_codings']), 'new coding')})"
    if removed:
        text += f", removing {plural(removed, 'coding')}"
    return text


# ---------------------------------------------------------------------- what the project holds now
class Lookup:
    """Names, paths and quotes read from the project, once per batch of events."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.raw = driver_connection(conn.connection)
        self._nodes: dict[int, tuple[str, int | None, str]] | None = None
        self._sources: dict[int, str] | None = None
        self._quotes: dict[tuple[int, int, int], str | None] = {}

    def nodes(self) -> dict[int, tuple[str, int | None, str]]:
        if self._nodes is None:
            self._nodes = {i: (n, p, k)
                           for i, n, p, k in self.raw.execute("SELECT id, name, parent_id, kind FROM nodes")}
        return self._nodes

    def node_path(self, node_id: Any) -> str | None:
        nodes = self.nodes()
        names, seen = [], set()
        current = node_id
        while current is not None and current in nodes and current not in seen:
            seen.add(current)
            name, parent, _kind = nodes[current]
            names.append(name)
            current = parent
        return "/".join(reversed(names)) if names and current is None else None

    def node_kind(self, node_id: Any) -> str | None:
        entry = self.nodes().get(node_id)
        return entry[2] if entry else None

    def source_name(self, source_id: Any) -> str | None:
        """The source's name, or the name it had when it was removed; None if unknown."""
        if self._sources is None:
            self._sources = dict(self.raw.execute("SELECT id, name FROM sources"))
        if source_id not in self._sources and isinstance(source_id, int):
            self._sources[source_id] = self.scalar(
                "SELECT json_extract(old, '$.name') FROM undo_ops WHERE tbl = 'sources' AND op = 'D' "
                "AND row_id = ? ORDER BY id DESC LIMIT 1", source_id)
        return self._sources.get(source_id)

    def quote(self, source_id: Any, start: Any, end: Any, size: int = QUOTE) -> str | None:
        """The words of a passage, cut to ``size``; None if the source is gone."""
        if not all(isinstance(v, int) for v in (source_id, start, end)) or end <= start:
            return None
        key = (source_id, start, end)
        if key not in self._quotes:
            args = (start + 1, min(end - start, size * 3), source_id)
            row = self.raw.execute("SELECT substr(text, ?, ?) FROM sources WHERE id = ?", args).fetchone()
            if row is None:  # removed since: its text as its removal recorded it
                row = self.raw.execute(
                    "SELECT substr(json_extract(old, '$.text'), ?, ?) FROM undo_ops WHERE tbl = 'sources' "
                    "AND op = 'D' AND row_id = ? ORDER BY id DESC LIMIT 1", args).fetchone()
            self._quotes[key] = cut(row[0], size) if row and row[0] else None
        return self._quotes[key]

    def scalar(self, sql: str, *args: Any) -> Any:
        row = self.raw.execute(sql, args).fetchone()
        return row[0] if row else None


# ---------------------------------------------------------------------- the sentences
class Event:
    """One event's fields, with its snapshots read."""

    __slots__ = ("seq", "coder", "action", "entity", "entity_id", "summary", "before", "after")

    def __init__(self, row: tuple) -> None:
        self.seq, _time, self.coder, self.action, self.entity, self.entity_id, self.summary = row[:7]
        self.before, self.after = _loads(row[7]), _loads(row[8])

    def snap(self, which: str) -> dict:
        value = self.before if which == "before" else self.after
        return value if isinstance(value, dict) else {}


Renderer = Callable[[Event, Lookup], str | None]
RENDERERS: dict[str, Renderer] = {}


def renders(*actions: str) -> Callable[[Renderer], Renderer]:
    def wrap(fn: Renderer) -> Renderer:
        for action in actions:
            RENDERERS[action] = fn
        return fn

    return wrap


_PAST = {"code": "Coded", "uncode": "Uncoded", "create": "Created", "delete": "Deleted", "add": "Added",
         "edit": "Edited", "rename": "Renamed", "move": "Moved", "assign": "Assigned", "set": "Set",
         "remove": "Removed", "change": "Changed", "import": "Imported", "link": "Linked", "unlink": "Unlinked",
         "apply": "Applied", "write": "Wrote", "merge": "Merged", "accept": "Accepted", "reject": "Rejected",
         "make": "Made", "record": "Recorded", "undo:": "Undid:", "redo:": "Redid:", "switch": "Switched",
         "end": "Ended"}


def from_summary(summary: str) -> str:
    """A summary as a sentence: its first verb in the past tense ('create case' -> 'Created case')."""
    summary = (summary or "").strip()
    if not summary:
        return ""
    head, _, rest = summary.partition(" ")
    past = _PAST.get(head.lower())
    if past:
        return f"{past} {rest}".rstrip()
    return summary[0].upper() + summary[1:]


def describe_rows(conn: Connection, rows: list[tuple]) -> list[str]:
    """A sentence for each event row (:data:`qdaapp.core.audit.EventRow`), reading the project once."""
    from . import audit_sentences  # noqa: F401 - registers the renderers

    lookup = Lookup(conn)
    return [_describe(Event(row), lookup, depth=0) for row in rows]


def describe(conn: Connection, row: tuple) -> str:
    return describe_rows(conn, [row])[0]


def _describe(event: Event, lookup: Lookup, depth: int) -> str:
    if event.action in ("undo", "redo") and depth < 3:
        target = event.snap("before").get("seq")
        row = None
        if isinstance(target, int):
            row = lookup.raw.execute(
                "SELECT seq, time, coder, action, entity, entity_id, summary, before, after, reason "
                "FROM audit_events WHERE seq = ?", (target,)).fetchone()
        if row is not None:
            inner = _describe(Event(tuple(row)), lookup, depth + 1)
            return ("Undid: " if event.action == "undo" else "Redid: ") + inner[0].lower() + inner[1:]
    renderer = RENDERERS.get(event.action)
    text = None
    if renderer is not None:
        try:
            text = renderer(event, lookup)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            text = None  # an event older than the facts this sentence reads: its summary stands
    return text or from_summary(event.summary)


SUMMARY_CODE = re.compile(r"^(?:un)?code(?: at new free node)? '(?P<node>.*)' in (?P<source>.*) \(\d+-\d+\)$")
