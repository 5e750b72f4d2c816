"""Views follow what a change says it touched (typed rows), not the audit payload, and re-read nothing else."""

from __future__ import annotations

import pytest

from qdaapp.core import coding as coding_ops
from qdaapp.core import indexing, lexicon, markers, review
from qdaapp.core import nodes as node_ops
from qdaapp.core.commands import Change
from qdaapp.core.touched import CodingKey, Touched
from qdaapp.gui.panels.changes import apply_change

from .test_coding_flow import PHRASE, codings, count_cell, node_id, opened  # noqa: F401
from .test_main_window import make_window, messages, settings, source_id  # noqa: F401


@pytest.fixture
def rereads(opened, monkeypatch) -> list[str]:
    """The names of the whole re-reads the routing made (spans of open documents, every count)."""
    window = opened[0]
    calls: list[str] = []
    for owner, name in ((window.documents, "reload_spans"), (window.nodes_panel, "recount")):
        real = getattr(owner, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(owner, name, spy)
    return calls


def _spans(view) -> list[tuple]:
    return sorted((s.coding_id, s.start, s.end, s.node_name) for s in view.spans())


def test_undo_and_redo_of_a_coding_move_span_and_count(opened, rereads) -> None:
    window, view, sid, start, end = opened
    cid = window.project.run(coding_ops.code, sid, start, end, "Trust", "Ana")
    assert _spans(view) == [(cid, start, end, "Trust")] and count_cell(window, "Trust") == "1"
    window.actions.undo.trigger()
    assert codings(window) == []
    assert _spans(view) == [] and count_cell(window, "Trust") == ""
    window.actions.redo.trigger()
    assert _spans(view) == [(cid, start, end, "Trust")] and count_cell(window, "Trust") == "1"
    assert rereads == []  # each step applied the rows it reported, nothing was read again


def test_routing_uses_the_typed_rows_alone(opened, rereads) -> None:
    """A change with no audit payload at all: its typed rows are enough to draw and drop the span."""
    window, view, sid, start, end = opened
    trust = node_id(window, "Trust")
    key = CodingKey(4242, sid, trust, start, end, "Ana")
    parents = (("node", trust), ("source", sid))
    apply_change(window, Change("undo", "event", None, "", touched=(
        Touched("coding", "created", (4242,), (key,), (), parents),)))
    assert _spans(view) == [(4242, start, end, "Trust")] and count_cell(window, "Trust") == "1"
    apply_change(window, Change("redo", "event", None, "", touched=(
        Touched("coding", "removed", (4242,), (key,), (), parents),)))
    assert _spans(view) == [] and count_cell(window, "Trust") == ""
    assert rereads == []


def test_merge_moves_spans_to_the_node_they_went_to(opened, rereads) -> None:
    window, view, sid, start, end = opened
    moved = window.project.run(coding_ops.code, sid, start, end, "Trust", "Ana")
    window.project.run(coding_ops.code, sid, 0, 10, "Barriers/Workload", "Ana")
    twin = window.project.run(coding_ops.code, sid, 0, 10, "Trust", "Ana")
    kept = next(c.id for c in codings(window) if c.node == "Workload")
    window.project.run(node_ops.merge_nodes, node_id(window, "Trust"), node_id(window, "Workload"))
    assert _spans(view) == sorted([(moved, start, end, "Workload"), (kept, 0, 10, "Workload")])
    assert twin not in {s.coding_id for s in view.spans()}
    assert count_cell(window, "Workload") == "2"
    window.actions.undo.trigger()
    assert _spans(view) == sorted([(moved, start, end, "Trust"), (kept, 0, 10, "Workload"), (twin, 0, 10, "Trust")])
    assert count_cell(window, "Trust") == "2" and count_cell(window, "Workload") == "1"
    assert "reload_spans" not in rereads


def test_bulk_accept_and_its_undo_draw_exactly_their_codings(opened, rereads) -> None:
    window, view, _sid, _start, _end = opened
    project = window.project
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    run_id = project.run(markers.run_markers, spec, coder="Ana")
    with project.read_session() as s:
        hit_ids = review.select_hits(s, run_id)
    project.run(review.accept_hits, run_id, hit_ids, coder="Ana")
    mine = sorted((c.id, c.start, c.end, c.node) for c in codings(window) if c.source == "Rosa.txt")
    assert mine and _spans(view) == mine
    for node in {c[3] for c in mine}:
        assert count_cell(window, node) == str(sum(1 for c in codings(window) if c.node == node))
    window.actions.undo.trigger()
    assert _spans(view) == [] and codings(window) == []
    assert "reload_spans" not in rereads
