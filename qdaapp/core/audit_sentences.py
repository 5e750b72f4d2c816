"""The sentence of each kind of audit event (see :mod:`qdaapp.core.audit_text`).

Each renderer reads what its event recorded when it was written; a renderer
that finds too little returns None and the event reads as its summary.
"""

from __future__ import annotations

import re
from typing import Any

from .audit_text import (
    SUMMARY_CODE,
    Event,
    Lookup,
    cut,
    decision_facts,
    decision_sentence,
    from_summary,
    plural,
    renders,
)


def _node_label(lookup: Lookup, node_id: Any, recorded: str | None) -> str:
    """Where a passage was coded: the node's path as it is now if its name is still the one recorded
    (so the reader finds it), else the recorded name. The nodes an event itself renamed, moved or
    merged are named as the event recorded them."""
    path = lookup.node_path(node_id)
    if path and (recorded is None or path.rsplit("/", 1)[-1] == recorded):
        return path
    return recorded or path or "a node since deleted"


def _passage(lookup: Lookup, row: dict, source: str | None) -> str:
    quote = lookup.quote(row.get("source_id"), row.get("start"), row.get("end"))
    where = source or lookup.source_name(row.get("source_id")) or "a source since deleted"
    if quote:
        return f"'{quote}' in {where}"
    return f"a passage of {where} (characters {row.get('start')}–{row.get('end')})"


@renders("coding.create", "coding.delete", "coding.create_at_new_node")
def _coding(e: Event, lookup: Lookup) -> str | None:
    m = SUMMARY_CODE.match(e.summary or "")
    if e.action == "coding.create_at_new_node":
        row = e.snap("after").get("coding") or {}
    else:
        row = e.snap("before" if e.action == "coding.delete" else "after")
    if not row or m is None:
        return None
    passage = _passage(lookup, row, m.group("source"))
    if e.action == "coding.delete":
        return f"Uncoded {passage} from {_node_label(lookup, row.get('node_id'), m.group('node'))}"
    if e.action == "coding.create_at_new_node":
        return f"Coded {passage} at the new free node '{m.group('node')}'"
    return f"Coded {passage} at {_node_label(lookup, row.get('node_id'), m.group('node'))}"


_SEARCH_CODE = re.compile(
    r"^code (\d+) passage\(s\) at '(?P<node>.*?)'(?: \((?P<label>.*)\))?(?:, (\d+) already coded)?$")


@renders("search.code")
def _search_code(e: Event, lookup: Lookup) -> str | None:
    after = e.snap("after")
    m = _SEARCH_CODE.match(e.summary or "")
    if m is None:
        return None
    n = int(after.get("codings") or m.group(1))
    found = f" found by {m.group('label')}" if m.group("label") else " found by a search"
    if after.get("origin") == "similar" and m.group("label"):  # "similar to 3 examples"
        found = f" {m.group('label')}"
    text = f"Coded {plural(n, 'passage')}{found} at {_node_label(lookup, after.get('node_id'), m.group('node'))}"
    skipped = int(after.get("skipped") or 0)
    if skipped:
        text += f" ({plural(skipped, 'passage')} coded there already left as they were)"
    return text


def _hit_facts(lookup: Lookup, e: Event, decisions: list) -> dict | None:
    """Facts of a decision recorded before events carried them, from the hits as they are now."""
    ids = [d["hit"] for d in decisions if isinstance(d, dict) and isinstance(d.get("hit"), int)]
    if not ids:
        return None
    hits = []
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        hits += lookup.raw.execute(
            f"SELECT marker, act, polarity, source_id FROM search_hits WHERE id IN ({', '.join('?' * len(part))})",
            part).fetchall()
    if len(hits) != len(ids):
        return None  # the run was removed since
    totals = {(m, a): n for m, a, n in lookup.raw.execute(
        "SELECT marker, act, count(*) FROM search_hits WHERE run_id = ? GROUP BY marker, act", (e.entity_id,))}
    nodes = [f"Speech acts/{a}" for a in {h[1] for h in hits}] if e.action == "hits.accept" else []
    return decision_facts(hits, totals, nodes)


@renders("hits.accept", "hits.reject")
def _hits(e: Event, lookup: Lookup) -> str | None:
    after = e.snap("after")
    facts = after.get("facts") or _hit_facts(lookup, e, after.get("decisions") or [])
    if not facts:
        return None
    if e.action == "hits.accept":
        return decision_sentence("Accepted", facts)
    removed = len(e.snap("before").get("removed_codings") or [])
    return decision_sentence("Rejected", facts, removed)


_RUN = re.compile(r"over (\d+) source\(s\)")


@renders("markers.run")
def _markers_run(e: Event, lookup: Lookup) -> str | None:
    after = e.snap("after")
    m = _RUN.search(e.summary or "")
    scope = f" in {plural(int(m.group(1)), 'source')}" if m else ""
    text = (f"Searched{scope} for the markers of lexicon '{after['lexicon']}' (version {after['version']}): "
            f"{plural(int(after['hits']), 'hit')} to review")
    tail = (e.summary or "").split(" hits", 1)[1] if " hits" in (e.summary or "") else ""
    return text + tail


@renders("node.create")
def _node_create(e: Event, lookup: Lookup) -> str | None:
    made = e.after if isinstance(e.after, list) else []
    m = re.match(r"^create (free node|node) '(.*)'$", e.summary or "")
    if m is None:
        return None
    text = f"Created {m.group(1)} '{m.group(2)}'"
    if len(made) > 1:
        text += f" (with {plural(len(made) - 1, 'new parent node')})"
    description = made[-1].get("description") if made and isinstance(made[-1], dict) else ""
    if description:
        text += f": '{cut(description)}'"
    return text


@renders("node.update")
def _node_update(e: Event, lookup: Lookup) -> str | None:
    before, after = e.snap("before"), e.snap("after")
    if "name" in after:
        return f"Renamed node '{before.get('name')}' to '{after['name']}'"
    m = re.match(r"^change .* of node '(.*)'$", e.summary or "")
    if m is None:
        return None
    name = _node_label(lookup, e.entity_id, m.group(1))
    parts = []
    if "description" in after:
        parts.append(f"the description of node '{name}' to '{cut(after['description'])}'" if after["description"]
                     else f"the description of node '{name}' to nothing")
    if "color" in after:
        parts.append(f"the colour of node '{name}'")
    return "Changed " + " and ".join(parts)


def _place(lookup: Lookup, kind: Any, parent: Any) -> str:
    if kind == "free":
        return "free nodes"
    if parent is None:
        return "the top of the tree"
    path = lookup.node_path(parent)
    return f"'{path}'" if path else "a node since deleted"


@renders("node.move")
def _node_move(e: Event, lookup: Lookup) -> str | None:
    m = re.match(r"^move node '(.*)' to (.*)$", e.summary or "")
    before = e.snap("before")
    if m is None or "kind" not in before:
        return None
    return f"Moved node '{m.group(1)}' from {_place(lookup, before['kind'], before.get('parent_id'))} to {m.group(2)}"


@renders("node.merge")
def _node_merge(e: Event, lookup: Lookup) -> str | None:
    before = e.snap("before")
    m = re.match(r"^merge node '(.*)' into '(.*)' \(", e.summary or "")
    if m is None:
        return None
    moved, collapsed = len(before.get("moved_codings") or []), len(before.get("collapsed_codings") or [])
    parts = [f"{plural(moved, 'coding')} moved"]
    if collapsed:
        parts.append(f"{plural(collapsed, 'duplicate coding')} dropped")
    children, memos = len(before.get("children") or []), len(before.get("memos") or [])
    if children:
        parts.append(f"{plural(children, 'child node')} moved")
    if memos:
        parts.append(f"{plural(memos, 'memo')} moved")
    return f"Merged node '{m.group(1)}' into '{m.group(2)}' ({', '.join(parts)})"


@renders("node.delete")
def _node_delete(e: Event, lookup: Lookup) -> str | None:
    before = e.snap("before")
    rows = before.get("nodes") or []
    own = next((r for r in rows if r.get("id") == e.entity_id), None)
    if own is None:
        return None
    text = f"Deleted node '{own['name']}'"
    if len(rows) > 1:
        text += f" and {plural(len(rows) - 1, 'child node')}"
    codings = before.get("codings") or []
    if codings:
        text += f" with {'its ' if len(rows) == 1 else 'their '}{plural(len(codings), 'coding')}"
    return text


@renders("source.import")
def _source_import(e: Event, lookup: Lookup) -> str | None:
    after = e.snap("after")
    name = after.get("name")
    if not name:
        return None
    kind = after.get("kind")
    return f"Imported source '{name}'" + (f" ({kind})" if kind else "")


@renders("source.update")
def _source_update(e: Event, lookup: Lookup) -> str | None:
    m = re.match(r"^change (.*) of (.*)$", e.summary or "")
    before, after = e.snap("before"), e.snap("after")
    if m is None:
        return None
    changes = [f"the {k} from '{before.get(k)}' to '{v}'" for k, v in after.items() if k != "name"]
    if "name" in after:
        changes.insert(0, f"renamed it to '{after['name']}'")
    return f"Changed source '{before.get('name') or m.group(2)}': " + "; ".join(changes) if changes else None


@renders("source.delete")
def _source_delete(e: Event, lookup: Lookup) -> str | None:
    before = e.snap("before")
    n = int(before.get("codings") or 0)
    tail = f" with its {plural(n, 'coding')}" if n else " (it had no codings)"
    return f"Deleted source '{before['name']}'{tail}"


@renders("memo.create", "diary.create", "memo.update", "memo.delete")
def _memo(e: Event, lookup: Lookup) -> str | None:
    before, after = e.snap("before"), e.snap("after")
    if e.action == "memo.create":
        m = re.match(r"^add memo on (.*)$", e.summary or "")
        return f"Wrote a memo on {m.group(1) if m else 'the project'}: '{cut(after.get('text', ''))}'"
    if e.action == "diary.create":
        return f"Wrote a diary entry for {after.get('date')}: '{cut(after.get('text', ''))}'"
    if e.action == "memo.delete":
        what = "diary entry" if before.get("target_type") == "diary" else "memo"
        return f"Deleted the {what} '{cut(before.get('title') or before.get('text', ''))}'"
    title = lookup.scalar("SELECT coalesce(nullif(title, ''), text) FROM memos WHERE id = ?", e.entity_id)
    old = cut(before.get("title") or before.get("text") or title or "")
    if "text" in after:
        return f"Edited the memo '{old}': it now reads '{cut(after['text'])}'"
    return f"Retitled the memo '{old}' as '{cut(after.get('title', ''))}'"


def _fragment(lookup: Lookup, fid: Any, row: dict | None = None) -> str:
    summary = (row or {}).get("summary") or lookup.scalar("SELECT summary FROM fragments WHERE id = ?", fid)
    return f"fragment '{cut(summary, 40)}'" if summary else "a fragment since deleted"


@renders("fragment.create", "fragment.update", "fragment.delete", "fragment.move")
def _fragments(e: Event, lookup: Lookup) -> str | None:
    before, after = e.snap("before"), e.snap("after")
    if e.action == "fragment.create":
        m = re.match(r"^add fragment \d+ \((.*)\) to '(.*)'$", e.summary or "")
        if m is None:
            return None
        return f"Added {_fragment(lookup, e.entity_id, after)} ({m.group(1)}) to account '{m.group(2)}'"
    if e.action == "fragment.delete":
        return f"Deleted {_fragment(lookup, e.entity_id, before)}"
    if e.action == "fragment.move":
        m = re.match(r"^move fragment \d+ to place (\d+)$", e.summary or "")
        return f"Moved {_fragment(lookup, e.entity_id)} to place {m.group(1)}" if m else None
    changed = ", ".join(k for k in after) or "nothing"
    return f"Edited {_fragment(lookup, e.entity_id, before if 'summary' in before else None)} ({changed})"


@renders("link.create", "link.delete")
def _link(e: Event, lookup: Lookup) -> str | None:
    row = e.snap("after" if e.action == "link.create" else "before")
    if "from_id" not in row:
        return None
    verb = "Linked" if e.action == "link.create" else "Unlinked"
    joint = "to" if e.action == "link.create" else "from"
    label = f" ('{row['label']}')" if row.get("label") else ""
    return f"{verb} {_fragment(lookup, row['from_id'])} {joint} {_fragment(lookup, row['to_id'])}{label}"


@renders("account.add_passage", "account.remove_passage")
def _account_passage(e: Event, lookup: Lookup) -> str | None:
    row = e.snap("after" if e.action == "account.add_passage" else "before")
    if "source_id" not in row:
        return None
    title = lookup.scalar("SELECT title FROM accounts WHERE id = ?", row.get("account_id"))
    account = f"account '{title}'" if title else "an account since deleted"
    if e.action == "account.add_passage":
        return f"Added {_passage(lookup, row, None)} to {account}"
    return f"Removed {_passage(lookup, row, None)} from {account}"


@renders("project.create")
def _project(e: Event, lookup: Lookup) -> str | None:
    return f"Created the project '{e.snap('after')['name']}'"


@renders("audit.baseline")
def _baseline(e: Event, lookup: Lookup) -> str | None:
    return "Recorded the digest of every row as it was at the upgrade (the start of row checking)"


@renders("attribute.set")
def _attribute_set(e: Event, lookup: Lookup) -> str | None:
    m = re.match(r"^set (.*?) = (.*) for (case|source) '(.*)'$", e.summary or "")
    if m is None:
        return None
    old = e.snap("before").get("value")
    was = f" (was '{old}')" if old not in (None, "") else ""
    return f"Set '{m.group(1)}' to '{m.group(2)}' for {m.group(3)} '{m.group(4)}'{was}"


@renders("framework.set")
def _framework(e: Event, lookup: Lookup) -> str | None:
    m = re.match(r"^write summary for (.*) x (.*)$", e.summary or "")
    if m is None:
        return None
    return f"Wrote the framework summary for {m.group(1)} × {m.group(2)}: '{cut(e.snap('after').get('summary', ''))}'"


@renders("refi.import")
def _refi(e: Event, lookup: Lookup) -> str | None:
    return from_summary(e.summary)
