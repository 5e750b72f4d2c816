"""Code results… in the main window: one command, one transaction, one event per coding, one undo,
and the open document and the node counts follow at once."""

from __future__ import annotations

from sqlalchemy import event, select

from qdaapp.core.models import AuditEvent
from qdaapp.gui.search.code_results import CodePlan
from tests.gui.test_analysis_panels import window  # noqa: F401
from tests.gui.test_document_view import expected_nodes, highlighted_nodes
from tests.gui.test_main_window import make_window, messages, settings, source_id  # noqa: F401
from tests.gui.test_node_counts import node_id, shown_count


def audit_actions(project, after_seq: int) -> list[str]:
    with project.read_session() as s:
        return list(s.scalars(select(AuditEvent.action).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq)))


def last_seq(project) -> int:
    with project.read_session() as s:
        return s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))


def test_coding_every_result_is_one_step_and_the_open_document_follows(window, qtbot) -> None:
    project = window.project
    rosa = source_id(project, "Rosa.txt")
    view = window.open_source(rosa)
    trust = node_id(window, "Trust")
    search = window.analysis.search
    search.run_search("to OR we OR the")
    hits = [search.model.hit(r) for r in range(search.model.rowCount())]
    in_rosa = sorted((h.start, h.end) for h in hits if h.source_id == rosa)
    assert len(hits) > len(in_rosa) >= 5  # hits in both sources, several in the open one

    changes, commits = [], []

    def commit(_conn: object) -> None:
        commits.append(1)

    project.subscribe(changes.append)
    event.listen(project._writer, "commit", commit)
    seq = last_seq(project)
    job = search.code_results(CodePlan("hit", trust, "", selected_only=False))
    qtbot.waitUntil(lambda: not job.running and search.job is None, timeout=10000)
    event.remove(project._writer, "commit", commit)
    project.unsubscribe(changes.append)

    # One command in one transaction, and still one audit event for every coding it made.
    assert [c.action for c in changes] == ["search.code"] and len(commits) == 1
    assert audit_actions(project, seq) == ["search.code"] + ["coding.create"] * len(hits)
    assert f"Coded {len(hits)} passages at Trust" in search.message.text()

    # The open document shows each new coding where it is, tints and stripes; the count follows.
    qtbot.waitUntil(lambda: shown_count(window, trust) == str(len(hits)), timeout=3000)
    assert sorted((s.start, s.end) for s in view.spans() if s.node_id == trust) == in_rosa
    assert highlighted_nodes(view) == expected_nodes(view.text(), view.spans())
    assert window.runner.undo_text().startswith(f"code {len(hits)} passage(s) at 'Trust'")

    # One Ctrl+Z takes every one of them back, in the document and in the Nodes panel.
    assert window.runner.undo()
    qtbot.waitUntil(lambda: shown_count(window, trust) == "", timeout=3000)
    assert not [s for s in view.spans() if s.node_id == trust]
    assert highlighted_nodes(view) == expected_nodes(view.text(), view.spans())
    with project.read_session() as s:
        assert not s.scalar(select(AuditEvent.seq).where(AuditEvent.seq > seq, AuditEvent.action == "coding.delete"))
    assert window.runner.redo()
    qtbot.waitUntil(lambda: shown_count(window, trust) == str(len(hits)), timeout=3000)
    assert sorted((s.start, s.end) for s in view.spans() if s.node_id == trust) == in_rosa


def test_a_new_free_node_is_made_in_the_same_step(window, qtbot) -> None:
    project = window.project
    search = window.analysis.search
    search.run_search('"asked us to"')
    seq = last_seq(project)
    job = search.code_results(CodePlan("sentence", None, "Asked", selected_only=False))
    qtbot.waitUntil(lambda: not job.running and search.job is None, timeout=10000)
    assert audit_actions(project, seq) == ["search.code", "node.create", "coding.create"]
    qtbot.waitUntil(lambda: node_id(window, "Asked") is not None
                    and shown_count(window, node_id(window, "Asked")) == "1", timeout=3000)
    assert window.runner.undo()  # the coding and the node it was made for
    qtbot.waitUntil(lambda: window.nodes_panel.model.node(node_id(window, "Asked") or -1) is None, timeout=3000)
    assert node_id(window, "Asked") is None
