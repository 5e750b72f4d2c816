"""The Nodes panel's counts follow every change: marker accepts and rejects, coded search results, undo."""

from __future__ import annotations

from qdaapp.core import nodes as node_ops
from qdaapp.gui.search.code_results import CodePlan
from tests.gui.test_add_to_account_focus import run_markers_in
from tests.gui.test_analysis_panels import window  # noqa: F401
from tests.gui.test_main_window import make_window, messages, settings  # noqa: F401


def shown_count(w, node_id: int) -> str:
    """The count the Nodes panel shows for ``node_id`` ('' for none)."""
    model = w.nodes_panel.model
    return model.data(model.index_for(node_id).siblingAtColumn(1)) or ""


def node_id(w, path: str) -> int | None:
    with w.project.read_session() as s:
        node = node_ops.find_tree_path(s, path) if "/" in path else None
        return node.id if node is not None else next((n.id for n in node_ops.list_nodes(s) if n.path == path), None)


def test_counts_follow_accepts_bulk_coding_and_undo(window, qtbot) -> None:
    a = window.analysis
    project = window.project
    run_markers_in(window, qtbot)
    hit = a.review.model.hit(a.review.model.hit_index(a.review.model.hit_ids()[0]))

    assert a.review.decide(True, [hit.id])  # creates the speech-act node and its first coding
    act = f"Speech acts/{hit.act}"
    qtbot.waitUntil(lambda: node_id(window, act) is not None
                    and window.nodes_panel.model.node(node_id(window, act)) is not None, timeout=3000)
    act_id = node_id(window, act)
    qtbot.waitUntil(lambda: shown_count(window, act_id) == "1", timeout=3000)
    assert a.review.decide(False, [hit.id])  # rejecting removes the coding the accept made
    qtbot.waitUntil(lambda: shown_count(window, act_id) == "", timeout=3000)

    trust = node_id(window, "Trust")
    assert shown_count(window, trust) == ""
    a.search.query_edit.setText("we")
    a.search.run_search()
    qtbot.waitUntil(lambda: a.search.model.rowCount() > 0, timeout=5000)
    job = a.search.code_results(CodePlan("hit", trust, "", selected_only=False))
    qtbot.waitUntil(lambda: not job.running and a.search.job is None, timeout=10000)
    with project.read_session() as s:
        coded = node_ops.coding_counts(s)[trust]
    assert coded > 1
    qtbot.waitUntil(lambda: shown_count(window, trust) == str(coded), timeout=3000)
    assert window.runner.undo()  # every passage the bulk coding made: one step
    qtbot.waitUntil(lambda: shown_count(window, trust) == "", timeout=3000)
    assert window.runner.redo()
    qtbot.waitUntil(lambda: shown_count(window, trust) == str(coded), timeout=3000)
