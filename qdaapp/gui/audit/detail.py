"""One audit event for people: what changed, before and after as readable lines, and why."""

from __future__ import annotations

from collections.abc import Callable
from html import escape as _escape
from typing import Any

from .query import Row, action_label, loads, local_time

# Keys that name another item: shown with its current name when the window knows it.
REFERENCES = {"source_id": "source", "node_id": "node", "case_id": "case", "parent_id": "node",
              "account_id": "account", "into": "node"}
HIDDEN = {"sha256", "original", "id"}  # an item's own id: its name and the sentence say what it is
FIRST = ("id", "name", "title", "on", "summary", "text", "source_id", "node_id", "case_id", "account_id", "start",
         "end", "kind", "parent_id", "target_type", "target_id", "date", "coder", "author")
LAST = ("created_at", "updated_at", "created_by", "origin", "position")


def _order(key: str) -> tuple[int, int, str]:
    if key in FIRST:
        return 0, FIRST.index(key), key
    return (2, LAST.index(key), key) if key in LAST else (1, 0, key)
MAX_ITEMS = 8
MAX_TEXT = 600

Namer = Callable[[str, int], str | None]


def escape(text: str) -> str:
    return _escape(text, quote=False)


def _value(key: str, value: Any, namer: Namer | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "—"
    if key in REFERENCES and isinstance(value, int) and namer is not None:
        name = namer(REFERENCES[key], value)
        return f"{name} (#{value})" if name else f"#{value}"
    if isinstance(value, str):
        value = value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
        return local_time(value) if key.endswith("_at") else value
    if isinstance(value, list):
        if not value:
            return "none"
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):  # ids of rows: how many
            return f"{len(value):,}"
        if all(not isinstance(v, (dict, list)) for v in value):
            shown = ", ".join(str(v) for v in value[:MAX_ITEMS * 3])
            return shown + (f" … ({len(value)} in all)" if len(value) > MAX_ITEMS * 3 else "")
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in list(value.items())[:MAX_ITEMS])
    return str(value)


def _row_line(item: Any, namer: Namer | None) -> str:
    return "; ".join(line.strip() for line in lines(item, namer)[:4])


def lines(snapshot: Any, namer: Namer | None = None, indent: str = "") -> list[str]:
    """A before/after snapshot as 'key: value' lines (lists of rows: the first few, then a count)."""
    if snapshot is None:
        return []
    if isinstance(snapshot, list):
        if not snapshot or not isinstance(snapshot[0], dict):
            return [indent + _value("", snapshot, namer)]
        out = [f"{indent}{len(snapshot)} item{'s' if len(snapshot) != 1 else ''}:"]
        out += [f"{indent}  • {_row_line(item, namer)}" for item in snapshot[:MAX_ITEMS]]
        if len(snapshot) > MAX_ITEMS:
            out.append(f"{indent}  … and {len(snapshot) - MAX_ITEMS} more")
        return out
    if not isinstance(snapshot, dict):
        return [f"{indent}{snapshot}"]
    out = []
    snapshot = dict(snapshot)
    if "target_type" in snapshot and "target_id" in snapshot:  # a memo: say what it is on
        kind, ident = snapshot.pop("target_type"), snapshot.pop("target_id")
        name = namer(kind, ident) if namer is not None and isinstance(ident, int) else None
        snapshot["on"] = "the project" if kind == "project" else kind if ident is None else \
            f"{kind} {name} (#{ident})" if name else f"{kind} #{ident}"
    for key, value in sorted(snapshot.items(), key=lambda kv: _order(kv[0])):
        if key in HIDDEN:
            continue
        label = key[:-3] if key in REFERENCES and key.endswith("_id") else key.replace("_", " ")
        if isinstance(value, dict) and value:
            out.append(f"{indent}{label}:")
            out.extend(lines(value, namer, indent + "    "))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out.append(f"{indent}{label}: {len(value)} item{'s' if len(value) != 1 else ''}")
            out.extend(lines(value, namer, indent + "    ")[1:])
        else:
            out.append(f"{indent}{label}: {_value(key, value, namer)}")
    return out


PASSAGES_SHOWN = 200  # passages listed in the pane at once; the rest are counted


def event_html(row: Row, namer: Namer | None = None, sentence: str | None = None, passages: int = 0,
               listed: list[Any] | None = None) -> str:
    """The event for people: its sentence, who and when, the reason, its passages (a link that lists
    them, or the list itself when ``listed``), and its before and after."""
    seq, stamp, coder, action, entity, entity_id, summary, before, after, reason = row
    parts = [f"<p style='font-size:11pt'><b>{escape(sentence or summary or action)}</b></p>",
             f"<p style='color:#5A5A5A'>Event {seq:,} · {escape(local_time(stamp))} · "
             f"<b>{escape(coder)}</b> · {escape(action_label(action))} <span style='color:#8A8A8A'>"
             f"({escape(action)})</span></p>"]
    if reason:
        parts.append(f"<p><b>Reason:</b> <i>{escape(reason)}</i></p>")
    else:
        parts.append("<p style='color:#8A8A8A'>No reason was given.</p>")
    if listed is not None:
        parts.append(passages_html(listed, passages))
    elif passages:
        noun = "the passage" if passages == 1 else f"the {passages:,} passages"
        parts.append(f"<p><a href='passages:{seq}'>Show {noun}</a></p>")
    for title, snap in (("Before", loads(before)), ("After", loads(after))):
        shown = lines(snap, namer)
        if shown:
            body = "<br>".join(escape(line).replace("    ", "&nbsp;&nbsp;&nbsp;&nbsp;") for line in shown)
            parts.append(f"<p style='margin-top:8px'><b>{title}</b></p><p style='margin-left:8px'>{body}</p>")
    if action in ("undo", "redo") and entity_id is not None:
        parts.append(f"<p style='color:#5A5A5A'>This {action} reverted event {entity_id:,}.</p>")
    hint = _open_hint(entity, action)
    if hint:
        parts.append(f"<p style='color:#6B6B6B'>{hint}</p>")
    return "\n".join(parts)


def _open_hint(entity: str, action: str) -> str:
    if action in ("undo", "redo"):
        return "Double-click to go to the event it reverted."
    return {
        "coding": "Double-click to show the passage in its document.",
        "node": "Double-click to select the node.",
        "source": "Double-click to open the source.",
        "account": "Double-click to open the account.",
        "fragment": "Double-click to open the account.",
        "case": "Double-click to open the case.",
        "memo": "Double-click to show the memo.",
    }.get(entity, "")


_CHANGE = {"coded": "coded at", "uncoded": "uncoded from", "moved": "moved to"}


def passages_html(listed: list[Any], total: int) -> str:
    """The passages of an event, each a link that opens its document at the passage."""
    items = []
    for p in listed:
        marker = ""
        if p.marker:
            negated = ", negated" if p.polarity == "negative" else ""
            marker = f" <span style='color:#5A5A5A'>— marker '{escape(p.marker)}'{negated}</span>"
        quote = escape(p.quote) if p.quote else f"characters {p.start}–{p.end}"
        link = f"<a href='open:{p.source_id}:{p.start}:{p.end}'>“{quote}”</a>" if p.quote else quote
        items.append(f"<li>{link} <span style='color:#5A5A5A'>in {escape(p.source)}, "
                     f"{_CHANGE.get(p.change, p.change)} {escape(p.node)}</span>{marker}</li>")
    more = total - len(listed)
    tail = f"<p style='color:#6B6B6B'>… and {more:,} more.</p>" if more > 0 else ""
    noun = "passage" if total == 1 else "passages"
    return (f"<p style='margin-top:8px'><b>{total:,} {noun}</b> <span style='color:#6B6B6B'>(click one to open "
            f"it in its document)</span></p><ul style='margin-left:-20px'>{''.join(items)}</ul>{tail}")
