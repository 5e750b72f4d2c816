"""The sentences of a coding's history: one per event, from the event and the rows it wrote.

Used by :mod:`qdaapp.core.passage_history`, which gathers the events; here
each is said in plain words, in time order, while the coding's row is
followed from event to event (what it was before, what it became).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .disagreements import settled_words
from .passage_history import HistoryLine, MarkerHitInfo, _bulk_effect, _node_label, node_label_at, origin_words

_SEARCH_LABEL = re.compile(r"at '.*' \((.*)\)(?:, \d+ already coded)?$")


@dataclass
class Described:
    lines: list[HistoryLine]
    row: dict | None  # the coding as it last was (None if nothing recorded it)



def _line_adder(lines: list[HistoryLine], seq: int, time: str, coder: str, action: str,
                reason: str) -> Callable[..., None]:
    """A function that adds one line about event ``seq`` to ``lines``."""

    def line(kind: str, text: str, details: tuple[str, ...] = ()) -> None:
        lines.append(HistoryLine(seq, time, coder, action, kind, text, reason, details))

    return line

def _parent(db: Any, seq: int) -> int | None:
    """The event a per-item event was recorded beside: the last one before it with row digests."""
    return db.execute("SELECT max(seq) FROM audit_events WHERE seq < ? AND rows_hash IS NOT NULL",
                      (seq,)).fetchone()[0]


def _hits_named(e: dict, coding_id: int, hits: dict[int, MarkerHitInfo]) -> list[MarkerHitInfo]:
    ids = [d["hit"] for d in (e["after"] or {}).get("decisions", []) if d.get("coding") == coding_id]
    return [hits[h] for h in ids if h in hits]


def _hit_words(found: list[MarkerHitInfo]) -> str:
    if not found:
        return "a marker hit"
    if len(found) == 1:
        return f"marker hit {found[0].phrase()} of {found[0].run}"
    return f"{len(found)} marker hits of {found[0].run}: " + ", ".join(h.phrase() for h in found)


def _diff(db: Any, old: dict, new: dict, nodes: dict) -> str:
    parts = []
    if old.get("node_id") != new.get("node_id"):
        parts.append(f"moved from '{_node_label(db, old.get('node_id'), nodes)}' to "
                     f"'{_node_label(db, new.get('node_id'), nodes)}'")
    if (old.get("start"), old.get("end")) != (new.get("start"), new.get("end")):
        parts.append(f"span changed from {old.get('start')}-{old.get('end')} to {new.get('start')}-{new.get('end')}")
    if old.get("coder") != new.get("coder"):
        parts.append(f"coder changed from {old.get('coder')} to {new.get('coder')}")
    return "; ".join(parts) or "rewritten with the same values"


def _undone_text(e: dict) -> tuple[str, str]:
    """("undoing event #7", "Event #7: merge node 'Trust' into …") for an undo or redo."""
    target = e["entity_id"]
    what = e["summary"].split(": ", 1)[1] if ": " in e["summary"] else e["summary"]
    verb = "undoing" if e["action"] == "undo" else "redoing"
    return f"{verb} event #{target}", f"Event #{target}: {what}"


def describe(db: Any, coding_id: int, events: dict[int, dict], rows: dict[int, tuple], hits: dict[int, MarkerHitInfo],
             nodes: dict, memo_ids: set[int]) -> Described:
    """Say each event in ``events`` (by seq) as a :class:`HistoryLine`; ``rows``: seq -> (digest, row text)."""
    lines: list[HistoryLine] = []
    state: dict | None = None  # the coding's row after the events so far (None: not there)
    last: dict | None = None
    for seq in sorted(events):
        e = events[seq]
        action, before, after = e["action"], e["before"] or {}, e["after"] or {}
        about_coding = e["entity"] == "coding" and e["entity_id"] == coding_id
        if about_coding and e["rows_hash"] is None and seq not in rows:
            parent = _parent(db, seq)
            if parent is not None and parent in events:
                continue  # recorded beside a bulk command's own event, which says it
        if seq in rows:
            digest, text = rows[seq]
            new = None if digest is None else (json.loads(text) if text else dict(state or last or {}))
        else:
            new = _row_from_json(e, coding_id, state)
        old = state

        line = _line_adder(lines, seq, e["time"], e["coder"], action, e["reason"])

        node = node_label_at(db, (new or old or last or {}).get("node_id"), seq, nodes)
        effect = _bulk_effect(action, before, after, coding_id)
        if action == "audit.baseline":
            if not lines:
                line("noted", "Recorded as it was when the project was upgraded; the events before did not record "
                              "which passages they wrote.")
        elif action in ("undo", "redo"):
            undone, what = _undone_text(e)
            if new is None and old is not None:
                line("removed", f"Removed by {undone}.", (what,))
            elif new is not None and old is None:
                line("restored", f"Restored by {undone}.", (what,))
            elif new is not None and old is not None:
                change = _diff(db, old, new, nodes)
                line("changed", f"{change[0].upper()}{change[1:]} by {undone}.", (what,))
            else:
                line("noted", f"{undone[0].upper()}{undone[1:]}.", (what,))
        elif action == "coding.create":
            line("created", f"Coded {origin_words((new or {}).get('origin', 'manual'))} at '{node}'.")
        elif action == "coding.create_at_new_node":
            line("created", f"Coded by hand at the new free node '{node}'.")
        elif action == "search.code":
            query = str(after.get("origin", ""))
            label = _SEARCH_LABEL.search(e["summary"] or "")
            how = f"the search '{query.split(':', 1)[1]}'" if query.startswith("search:") else "search results"
            if query == "similar":
                how = "passages found like examples"
            count = after.get("codings")
            together = f", one of {count} passages coded together" if count else ""
            line("created", f"Coded from {how} at '{node}'{together}.",
                 (f"{'Found as' if query == 'similar' else 'Search:'} {label.group(1)}",) if label else ())
        elif action == "hits.accept":
            found = _hits_named(e, coding_id, hits)
            total = len(after.get("decisions", []))
            together = f" ({total} hits accepted together)" if total > 1 else ""
            details = tuple(f"{h.phrase()} — {h.run}" for h in found)
            if effect == "created" or (old is None and new is not None):
                line("created", f"Coded by accepting {_hit_words(found)}, at '{node}'{together}.", details)
            else:
                line("hit", f"Accepted {_hit_words(found)} for this passage, which was coded already{together}.",
                     details)
        elif action == "hits.reject":
            found = _hits_named(e, coding_id, hits)
            if new is None and old is not None or effect == "removed":
                line("removed", f"Removed: {_hit_words(found)} was rejected.")
            else:
                line("hit", f"Rejected {_hit_words(found)}; the coding was kept.")
        elif action == "markers.run":
            found = [h for h in hits.values() if h.run_id == e["entity_id"]]
            line("hit", f"Found as {_hit_words(found[:1])}" + (f" (and {len(found) - 1} more)" if len(found) > 1
                                                                 else "") + ".")
        elif action == "refi.import":
            line("created", f"Imported from the REFI-QDA file '{after.get('file', '')}' at '{node}'.")
        elif action == "node.merge":
            gone = (before.get("node") or {}).get("name", "a node")
            into = _node_label(db, after.get("into"), nodes)
            if effect == "collapsed" or (new is None and old is not None):
                line("removed", f"Removed as a duplicate when node '{gone}' was merged into '{into}' (the same "
                                "passage was coded there already).")
            else:
                line("changed", f"Moved to '{into}' when node '{gone}' was merged into it.")
        elif action == "node.delete":
            gone = ((before.get("nodes") or [{}])[0]).get("name", node)
            line("removed", f"Removed with its node '{gone}' ({e['summary']}).")
        elif action == "source.delete":
            line("removed", f"Removed with its source ({e['summary']}).")
        elif action == "coding.delete":
            line("removed", "Uncoded (removed) by hand.")
        elif action.startswith("memo.") and (e["entity"] == "memo" and e["entity_id"] in memo_ids
                                             or after.get("target_type") == "coding"):
            title = after.get("title") or before.get("title") or "untitled"
            verb = {"memo.create": "Memo written", "memo.update": "Memo edited", "memo.delete": "Memo removed"}
            line("memo", f"{verb.get(action, 'Memo')}: '{title}'.")
        elif seq in rows:
            settled = action.startswith("disagreement.")
            tail = f" when {settled_words(action, after)}." if settled else f": {e['summary']}."
            if new is None:
                line("removed", "Removed" + tail)
            elif old is None:
                line("created" if not lines else "restored", ("Coded" if settled else "Made") + tail)
            else:
                line("changed", f"Changed ({_diff(db, old, new, nodes)})" + tail)
        else:
            line("noted", f"{e['summary']}.")
        if seq in rows or new is not old:
            state = new
            if new is not None:
                last = new
    return Described(lines, state or last)


def _row_from_json(e: dict, coding_id: int, state: dict | None) -> dict | None:
    """The coding after an event that recorded no rows (before row digests), from its JSON."""
    action, before, after = e["action"], e["before"] or {}, e["after"] or {}
    if action == "coding.create" and after.get("id") == coding_id:
        return dict(after)
    if action == "coding.create_at_new_node":
        return dict(after.get("coding") or {})
    if action == "coding.delete":
        return None
    effect = _bulk_effect(action, before, after, coding_id)
    if effect in ("removed", "collapsed"):
        return None
    if effect == "moved" and state is not None:
        return dict(state, node_id=after.get("into"))
    return state
