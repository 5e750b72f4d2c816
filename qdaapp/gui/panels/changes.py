"""Route each committed change to the views it touches, and nothing else.

The project calls its listeners after every command; the main window passes
each :class:`~qdaapp.core.commands.Change` here. Codings update one
document's spans and one node's count; node renames restyle only that
node's spans; structural node changes (move, merge, delete) re-read the
small node tree; source and case changes re-read the Sources dock.

Commands that code or uncode many passages at once without listing them
(accepting or rejecting marker hits, a REFI-QDA import) lead to one recount
of every node (a single grouped query) and a re-read of the open documents.

Undo and redo do not say which rows they touched, so after them the window
re-reads what it shows, narrowed by the kind of change that was reverted:
a coding re-reads one document's spans and the node counts; a memo the
memo views; anything else every open view (never more than is on screen).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qdaapp.core.commands import Change
from qdaapp.core.layers import CodingSpan
from qdaapp.gui.audit import query as audit_query

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow


def apply_change(window: MainWindow, change: Change) -> None:
    """The one path from a committed command to the views, whoever ran it (window, dock, worker).

    The events a command records besides its own (the nodes a marker accept
    creates, the cases an import makes) are routed too. Unless the command is
    known to keep the node counts right, the counts are then read again in one
    grouped query, and the views that show codings follow when one changed."""
    handled = set()
    for event in (change, *change.extra_events):
        handler = _handler(event.action)
        if handler is None or (handler in handled and handler not in _PER_EVENT):
            continue
        handled.add(handler)
        handler(window, event)
    if change.action not in _COUNTS_KEPT and not change.action.startswith(_NO_CODINGS):
        _codings_changed(window, window.nodes_panel.recount())
    window.update_status()


def _handler(action: str):  # one of the handlers below, or None
    return _HANDLERS.get(action) or _HANDLERS.get(action.split(".", 1)[0] + ".*")


def _codings_changed(w: MainWindow, node_ids: list[int]) -> None:
    """Codings were added or removed by a command that does not list them (accepting marker hits, say)."""
    if not node_ids:
        return
    w.documents.reload_spans()
    if w.passages.node_id in node_ids:
        w.passages.refresh()


def _coding_created(w: MainWindow, change: Change) -> None:
    row = change.after
    item = w.nodes_panel.model.node(row["node_id"])
    name, color = (item.name, item.color) if item else ("?", "#999999")
    span = CodingSpan(row["id"], row["start"], row["end"], row["node_id"], name, color, row["coder"])
    w.documents.add_coding(row["source_id"], span)
    w.nodes_panel.model.change_count(row["node_id"], +1)
    if w.passages.node_id == row["node_id"]:
        w.passages.refresh()


def _coding_deleted(w: MainWindow, change: Change) -> None:
    row = change.before
    w.documents.remove_coding(row["source_id"], row["id"])
    w.nodes_panel.model.change_count(row["node_id"], -1)
    if w.passages.node_id == row["node_id"]:
        w.passages.refresh()


def _coded_at_new_node(w: MainWindow, change: Change) -> None:
    after = change.after or {}
    _node_created(w, Change("node.create", "node", None, "", after=after.get("node")))
    _coding_created(w, Change("coding.create", "coding", change.entity_id, "", after=after.get("coding")))


def _node_created(w: MainWindow, change: Change) -> None:
    for row in change.after or []:
        w.nodes_panel.model.insert_node(row)


def _node_updated(w: MainWindow, change: Change) -> None:
    after = change.after or {}
    w.nodes_panel.model.update_node(change.entity_id, after.get("name"), after.get("color"), after.get("description"))
    if "name" in after or "color" in after:
        w.documents.restyle_node(change.entity_id, after.get("name"), after.get("color"))
    if w.passages.node_id == change.entity_id:
        item = w.nodes_panel.model.node(change.entity_id)
        w.passages.show_node(change.entity_id, item.path() if item else "")


def _node_moved(w: MainWindow, change: Change) -> None:
    w.nodes_panel.reload()


def _node_merged(w: MainWindow, change: Change) -> None:
    w.nodes_panel.reload()
    w.documents.reload_spans()
    w.passages.refresh()


def _node_deleted(w: MainWindow, change: Change) -> None:
    for row in (change.before or {}).get("codings", []):
        w.documents.remove_coding(row["source_id"], row["id"])
    w.nodes_panel.reload()
    if w.passages.node_id is not None and w.nodes_panel.model.node(w.passages.node_id) is None:
        w.passages.show_node(None)


def _sources_changed(w: MainWindow, change: Change) -> None:
    w.sources_panel.reload()
    w.documents.set_empty_hint(has_sources=not w.sources_panel.model.is_empty())
    if change.action == "source.delete":
        w.documents.close_source(change.entity_id)
        w.nodes_panel.reload()
    elif change.action == "source.update" and "name" in (change.after or {}):
        w.documents.rename_source(change.entity_id, change.after["name"])
    if w.passages.node_id is not None and change.action != "source.import":
        w.passages.refresh()


def _memo_changed(w: MainWindow, change: Change) -> None:
    row = change.after if isinstance(change.after, dict) else change.before if isinstance(change.before, dict) else {}
    if change.action in ("diary.create", "undo", "redo") or row.get("target_type") == "diary" \
            or w.memos.target[0] == "diary":
        w.sources_panel.reload()
    w.memos.on_change(change)
    w.memo_manager.on_change(change)


def _after_history(w: MainWindow, change: Change) -> None:
    """Undo or redo: re-read the views the reverted event can have changed."""
    reverted = None
    if change.entity_id is not None:
        with w.project.engine.connect() as conn:
            reverted = audit_query.event(conn, int(change.entity_id))
    action = reverted[3] if reverted else ""
    if action.startswith("coding."):
        t = audit_query.touched(reverted)
        if "source_id" in t:
            w.documents.reload_spans([int(t["source_id"])])
        w.nodes_panel.reload()
        w.passages.refresh()
        w.coding.load_recent()
        return
    if action.startswith(("memo.", "diary.")):
        _memo_changed(w, change)
        return
    refresh_shown(w)


def refresh_shown(w: MainWindow) -> None:
    """Re-read every view on screen: sources, nodes and counts, open documents, passages, memos."""
    w.sources_panel.reload()
    names = w.sources_panel.model.source_names
    for source_id in list(w.documents.views()):
        if source_id not in names:
            w.documents.close_source(source_id)
        else:
            w.documents.rename_source(source_id, names[source_id])
    w.documents.set_empty_hint(has_sources=not w.sources_panel.model.is_empty())
    w.nodes_panel.reload()
    w.documents.reload_spans()
    if w.passages.node_id is not None and w.nodes_panel.model.node(w.passages.node_id) is None:
        w.passages.show_node(None)
    else:
        w.passages.refresh()
    w.memos.on_change(None)
    w.memo_manager.on_change(None)
    w.coding.load_recent()


def _accounts_changed(w: MainWindow, change: Change) -> None:
    """Accounts are listed in the Sources tree (with their completeness in the tooltip)."""
    if change.action in ("account.create", "account.update", "account.delete", "account.add_passage",
                         "account.remove_passage", "fragment.create", "fragment.update", "fragment.delete"):
        w.sources_panel.reload()


# Commands whose handler keeps the node counts right itself (one count at a time, or by re-reading the tree).
_COUNTS_KEPT = frozenset({"coding.create", "coding.delete", "coding.create_at_new_node", "node.move", "node.merge",
                          "node.delete", "source.delete", "undo", "redo"})
# Commands that never add or remove a coding: no recount after them. Any other command is recounted.
_NO_CODINGS = ("memo.", "diary.", "account.", "fragment.", "link.", "actor.", "actant.", "framework.", "lexicon.",
               "case.", "attribute.", "markers.run", "source.import", "source.update", "node.create", "node.update",
               "frame.apply")

_HANDLERS = {
    "coding.create_at_new_node": _coded_at_new_node,
    "undo": _after_history,
    "redo": _after_history,
    "coding.create": _coding_created,
    "coding.delete": _coding_deleted,
    "node.create": _node_created,
    "node.update": _node_updated,
    "node.move": _node_moved,
    "node.merge": _node_merged,
    "node.delete": _node_deleted,
    "source.*": _sources_changed,
    "case.*": _sources_changed,
    "attribute.*": _sources_changed,
    "memo.*": _memo_changed,
    "diary.*": _memo_changed,
    "account.*": _accounts_changed,
    "fragment.*": _accounts_changed,
}
# Handlers that apply one event's rows: every extra event of theirs is routed (the others re-read once).
_PER_EVENT = frozenset({_node_created})
