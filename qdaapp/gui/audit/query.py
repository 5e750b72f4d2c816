"""What the audit viewer reads from the timeline, and how actions are grouped for people.

Filtering, pages and counts live in :mod:`qdaapp.core.audit` (``EventFilter``, ``event_rows``,
``count_events``), shared with ``qdaapp audit``; this module adds the viewer's names for actions
and its way of showing times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from qdaapp.core import audit, audit_passages, audit_text, narrative
from qdaapp.core.audit import ACTION_GROUPS, EventFilter, day_end_utc, day_start_utc

__all__ = ["ACTION_GROUPS", "PAGE", "Row", "ViewFilter", "action_label", "count", "coders", "day_end_utc",
           "day_start_utc", "event", "fetch_page", "local_time", "loads", "passage_count", "passages", "sentences",
           "time_range", "touched"]

Connection = Any  # an open connection of the project's engine

PAGE = 500

ACTION_LABELS = {action: label for _, _, items in ACTION_GROUPS for action, label in items}
ACTION_LABELS.update({"project.create": "create project", "coding.create": "code", "account.add_passage":
                      "add passage to account", "account.remove_passage": "remove passage from account",
                      "fragment.delete": "delete fragment", "link.delete": "unlink fragments",
                      "actor.create": "add actor", "actant.assign": "assign actant", "actant.remove": "remove actant",
                      "framework.set": "framework cell", "refi.import": "REFI-QDA import",
                      "attribute.create": "create attribute"})


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@dataclass(frozen=True)
class ViewFilter:
    """The filter bar's value: the core filter (coder, one action, dates, text) plus an action group
    and the items (node, source, case) chosen in its combos."""

    base: EventFilter = EventFilter()
    actions: tuple[str, ...] = ()  # several prefixes or exact actions (one group)
    case_id: int | None = None
    node_id: int | None = None
    source_id: int | None = None

    def is_plain(self) -> bool:
        return not self.actions and self.case_id is None and self.node_id is None and self.source_id is None

    def core(self) -> EventFilter:
        """All of it as one core filter."""
        return replace(self.base, actions=self.actions, case_id=self.case_id, node_id=self.node_id,
                       source_id=self.source_id)


Row = audit.EventRow  # (seq, time, coder, action, entity, entity_id, summary, before, after, reason)


def fetch_page(conn: Connection, f: ViewFilter, offset: int, limit: int = PAGE) -> list[Row]:
    """One page of matching events, newest first."""
    return audit.event_rows(conn, f.core(), offset=offset, limit=limit)


def count(conn: Connection, f: ViewFilter) -> int:
    return audit.count_events(conn, f.core())


def coders(conn: Connection) -> list[str]:
    """Everyone who appears in the timeline, by name."""
    return audit.coders(conn)


def time_range(conn: Connection) -> tuple[date | None, date | None]:
    """The local days of the first and the last event."""
    first, last = audit.time_span(conn)

    def day(stamp: str | None) -> date | None:
        try:
            return datetime.fromisoformat(stamp).astimezone().date() if stamp else None
        except ValueError:
            return None

    return day(first), day(last)


def event(conn: Connection, seq: int) -> Row | None:
    return audit.event_row(conn, seq)


def sentences(conn: Connection, rows: list[Row]) -> list[str]:
    """Each event as a plain sentence with its content (names, counts, quotes)."""
    return audit_text.describe_rows(conn, rows)


def passage_count(conn: Connection, seq: int) -> int:
    return audit_passages.passage_count(conn, seq)


def passages(conn: Connection, seq: int, limit: int | None = None) -> list[audit_passages.Passage]:
    """The passages event ``seq`` coded, uncoded or moved, by source and position."""
    return audit_passages.event_passages(conn, seq, limit)


# ---------------------------------------------------------------------- times and values
def local_time(stamp: str) -> str:
    """'2024-05-03T12:01:02.123+00:00' as local '2024-05-03 14:01:02'."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return stamp or ""


def loads(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def touched(row: Row) -> dict:
    """The ids an event is about, merged from its before and after snapshots."""
    _seq, _t, _c, action, entity, entity_id, _s, before, after, _r = row
    out: dict = {}
    for snap in (loads(before), loads(after)):
        if isinstance(snap, dict):
            inner = snap.get("coding") if isinstance(snap.get("coding"), dict) else snap
            for key in ("source_id", "node_id", "start", "end", "account_id", "case_id"):
                if key in inner and inner[key] is not None:
                    out.setdefault(key, inner[key])
            if "coding" in snap and isinstance(snap["coding"], dict):
                out.setdefault("coding_id", snap["coding"].get("id"))
            elif entity == "coding" and "id" in snap:
                out.setdefault("coding_id", snap["id"])
    if entity_id is not None:
        out.setdefault(f"{entity}_id", entity_id)
    out["entity"], out["action"] = entity, action
    return out


def account_of_fragment(conn: Connection, fragment_id: int) -> int | None:
    return narrative.account_of_fragment(conn, fragment_id)
