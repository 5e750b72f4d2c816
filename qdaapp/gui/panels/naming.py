"""What the window calls things: the current name of a source, case or node, and a memo's target."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow


def name_of(window: MainWindow, kind: str, ident: int) -> str | None:
    """The current name of a source, case or node (None if the window does not know it)."""
    if kind == "source":
        return window.sources_panel.model.source_names.get(ident)
    if kind == "case":
        return window.sources_panel.model.case_names.get(ident)
    if kind == "node":
        item = window.nodes_panel.model.node(ident)
        return item.path() if item else None
    return None


def describe_target(window: MainWindow, kind: str, ident: int | None) -> str:
    """'the project', "node 'Trust'", "the coding of 'Trust' in Rosa.txt (3–9)"…"""
    if kind == "project":
        return "the project"
    if kind in ("source", "case", "node") and ident is not None:
        return f"{kind} '{name_of(window, kind, ident) or ident}'"
    if kind == "coding":
        for source_id, view in window.documents.views().items():
            span = next((s for s in view.spans() if s.coding_id == ident), None)
            if span is not None:
                source = window.sources_panel.model.source_names.get(source_id, "")
                return f"the coding of '{span.node_name}' in {source} ({span.start}–{span.end})"
    return f"{kind} {ident}"
