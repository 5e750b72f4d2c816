"""Route each committed change to the views it touches, and nothing else.

The project calls its listeners after every command; the main window passes
each :class:`~qdaapp.core.commands.Change` here. A change says, as typed data
(``change.touched``, see :mod:`qdaapp.core.touched`), which rows of which
entity it created, changed or removed, whatever the command: a single coding,
a bulk accept of a thousand hits, an import, an undo or a redo. The views
follow from that alone:

* codings: their spans are added, replaced or dropped by id in the open
  documents of their sources, and the counts of their nodes move by as many
  (each coding comes with its source, node and span, so nothing is read);
* nodes: the small node tree is read again (with its counts); spans of a
  node whose name or colour changed are restyled;
* sources, cases, attributes, accounts and fragments: the Sources dock is
  read again; a removed source's document closes, a renamed one's tab follows;
* memos: the memo views are read again.

Nothing is re-read that the change did not touch.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from qdaapp.core.commands import Change
from qdaapp.core.layers import CodingSpan
from qdaapp.core.touched import CodingKey

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

# Entities listed in the Sources dock: a change to any of them re-reads it.
_SOURCES_DOCK = ("source", "case", "attribute", "attribute value", "account", "account passage", "fragment")


def apply_change(window: MainWindow, change: Change) -> None:
    """The one path from a committed command to the views, whoever ran it (window, dock, worker, undo)."""
    if window.coder_view.on_change(change):  # blind coding was switched: other coders' work shows or hides
        refresh_shown(window)
        window.update_status()
        return
    nodes_read = _nodes_changed(window, change)
    _codings_changed(window, change, counts_read=nodes_read)
    if change.touches(*_SOURCES_DOCK):
        _sources_changed(window, change)
    if change.touches("memo"):
        _memos_changed(window, change)
    _passages_follow(window, change)
    window.update_status()


def _nodes_changed(w: MainWindow, change: Change) -> bool:
    """Nodes were made, changed or removed: read the tree again. Whether it was read (with its counts)."""
    if not change.touches("node"):
        return False
    shown = {item.id: (item.name, item.color) for item in w.nodes_panel.model.nodes()}
    w.nodes_panel.reload()
    for node_id in change.ids("node", "changed"):
        item = w.nodes_panel.model.node(node_id)
        if item is not None and shown.get(node_id) not in (None, (item.name, item.color)):
            w.documents.restyle_node(node_id, item.name, item.color)
    return True


def _span(w: MainWindow, key: CodingKey) -> CodingSpan:
    item = w.nodes_panel.model.node(key.node_id)
    name, color = (item.name, item.color) if item else ("?", "#999999")
    return CodingSpan(key.id, key.start, key.end, key.node_id, name, color, key.coder)


def _codings_changed(w: MainWindow, change: Change, counts_read: bool) -> None:
    """Add, replace and drop the spans of the codings the change touched; move their nodes' counts.
    Only the codings of the coders the window shows count (see panels/coders.py)."""
    shows = w.coder_view.shows
    added = [k for k in change.codings("created") if shows(k.coder)]
    removed = [k for k in change.codings("removed") if shows(k.coder)]
    every_moved = change.codings("changed")
    moved = [k for k in every_moved if shows(k.coder)]
    hidden = [k for k in every_moved if not shows(k.coder)]  # moved to a coder not shown: its stripe goes
    if not (added or removed or every_moved):
        return
    add: dict[int, list[CodingSpan]] = defaultdict(list)
    drop: dict[int, set[int]] = defaultdict(set)
    for key in (*added, *moved):
        add[key.source_id].append(_span(w, key))
    for key in (*removed, *hidden):
        drop[key.source_id].add(key.id)
    for source_id in set(add) | set(drop):
        view = w.documents.view(source_id)
        if view is None:
            continue
        gone = drop.get(source_id, set())
        if not gone:
            view.add_spans(add[source_id])
        elif len(gone) == 1 and source_id not in add:
            view.remove_span(next(iter(gone)))
        else:
            view.set_spans([s for s in view.spans() if s.coding_id not in gone] + add.get(source_id, []))
    if not counts_read:
        delta: Counter[int] = Counter()
        for key in added:
            delta[key.node_id] += 1
        for key in removed:
            delta[key.node_id] -= 1
        for t in change.touched:
            if t.entity == "coding" and t.kind == "changed":
                for key in t.before:
                    if shows(key.coder):
                        delta[key.node_id] -= 1
        for key in moved:
            delta[key.node_id] += 1
        for node_id, d in delta.items():
            if d:
                w.nodes_panel.model.change_count(node_id, d)
    if change.action in ("undo", "redo"):
        # The recent nodes are the ones this coder used last; going back in history re-reads them (removing
        # a coding by hand leaves its node among the recent ones).
        w.coding.load_recent()


def _passages_follow(w: MainWindow, change: Change) -> None:
    """The Passages dock shows one node's codings: follow what happened to that node and its codings."""
    node_id = w.passages.node_id
    if node_id is None:
        return
    if node_id in change.ids("node", "removed"):
        w.passages.show_node(None)
    elif node_id in change.ids("node", "changed"):
        item = w.nodes_panel.model.node(node_id)
        w.passages.show_node(node_id, item.path() if item else "")
    elif node_id in _coding_nodes(change) or change.ids("source", "changed") or change.ids("source", "removed"):
        w.passages.refresh()


def _coding_nodes(change: Change) -> set[int]:
    return {pid for t in change.touched if t.entity == "coding" for pid in t.parent_ids("node")}


def _sources_changed(w: MainWindow, change: Change) -> None:
    """The Sources dock lists sources, cases, attributes and accounts: read it again."""
    w.sources_panel.reload()
    w.documents.set_empty_hint(has_sources=not w.sources_panel.model.is_empty())
    for source_id in change.ids("source", "removed"):
        w.documents.close_source(source_id)
    names = w.sources_panel.model.source_names
    for source_id in change.ids("source", "changed"):
        if source_id in names and w.documents.view(source_id) is not None:
            w.documents.rename_source(source_id, names[source_id])


def _memos_changed(w: MainWindow, change: Change) -> None:
    # Diary entries are listed in the Sources dock.
    if change.parents("diary") and not change.touches(*_SOURCES_DOCK):
        w.sources_panel.reload()
    w.memos.on_change(change)
    w.memo_manager.on_change(change)


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
