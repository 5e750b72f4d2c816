"""Undo and redo: every command reverts through the captured row changes, persisted and audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdaapp.core import coding, indexing, lexicon, markers, narrative, nodes, review, sources
from qdaapp.core.errors import Conflict, InvalidInput
from qdaapp.core.project import Project

from ..conftest import SAMPLE


def _state(p: Project) -> dict:
    with p.read_session() as s:
        return {
            "nodes": sorted((n.path, n.kind, n.codings, n.description) for n in nodes.list_nodes(s)),
            "codings": sorted((c.id, c.source, c.node, c.start, c.end) for c in coding.list_codings(s)),
            "sources": sorted(i.name for i in sources.list_sources(s)),
        }


def test_undo_redo_coding_with_menu_text(project: Project) -> None:
    before = _state(project)
    cid = project.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    after = _state(project)
    assert project.undo_redo_text() == ("code 'Trust' in Rosa.txt (0-12)", None)
    project.undo()
    assert _state(project) == before
    assert project.undo_redo_text()[1] == "code 'Trust' in Rosa.txt (0-12)"
    project.redo()
    assert _state(project) == after
    assert [c[0] for c in after["codings"]] == [cid]
    assert project.verify_audit().ok


@pytest.mark.parametrize("action", ["delete", "merge", "move", "update"])
def test_node_commands_revert_exactly(project: Project, action: str) -> None:
    project.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    project.run(coding.code, "Rosa.txt", 5, 30, "Barriers/Workload", "tester")
    project.run(coding.code, "Rosa.txt", 0, 12, "Barriers/Workload", "tester")
    before = _state(project)
    with project.read_session() as s:
        trust, work = nodes.resolve(s, "Trust").id, nodes.resolve(s, "Barriers/Workload").id
        barriers = nodes.resolve(s, "Barriers").id
    if action == "delete":
        project.run(nodes.delete_node, barriers)
    elif action == "merge":
        project.run(nodes.merge_nodes, trust, work)
    elif action == "move":
        project.run(nodes.move_node, trust, to_parent="Barriers")
    else:
        project.run(nodes.update_node, trust, name="Confidence", description="new definition")
    changed = _state(project)
    assert changed != before
    project.undo()
    assert _state(project) == before
    project.redo()
    assert _state(project) == changed


def test_undo_import_and_redo(project: Project, tmp_path: Path) -> None:
    (tmp_path / "New.txt").write_text("A new interview 😀 text.\n", encoding="utf-8")
    docs, _ = sources.read_files([tmp_path / "New.txt"])
    project.run(sources.import_documents, docs, case_name="Someone new")
    project.undo()
    assert "New.txt" not in _state(project)["sources"]
    project.redo()
    with project.read_session() as s:
        assert sources.text_and_pages(s, sources.resolve(s, "New.txt").id)[0] == "A new interview 😀 text.\n"


def test_bulk_accept_is_one_undo_step(project: Project) -> None:
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    run_id = project.run(markers.run_markers, spec, coder="tester")
    with project.read_session() as s:
        ids = review.select_hits(s, run_id)
    before = _state(project)
    project.run(review.accept_hits, run_id, ids, coder="tester")
    assert _state(project) != before
    project.undo()
    assert _state(project) == before
    with project.read_session() as s:
        assert {h.status for h in review.list_hits(s, run_id)} == {"candidate"}


def test_new_command_clears_redo_and_history_persists(project_path: Path) -> None:
    p = Project.open(project_path, coder="ana")
    p.run(nodes.create_node, "A", free=True)
    p.run(nodes.create_node, "B", free=True)
    p.undo()
    p.run(nodes.create_node, "C", free=True)
    assert p.undo_redo_text() == ("create free node 'C'", None)
    p.close()
    p = Project.open(project_path, coder="ana")
    template = {"Trust", "Barriers", "Barriers/Workload"}
    assert p.undo_redo_text() == ("create free node 'C'", None)  # the history came back with the project
    p.undo()
    assert {n[0] for n in _state(p)["nodes"]} == template | {"A"}
    p.undo()
    assert {n[0] for n in _state(p)["nodes"]} == template
    with pytest.raises(InvalidInput, match="nothing to undo"):
        p.undo()  # the template's own node.create by 'tester' is not ana's to undo
    assert {n[0] for n in _state(p)["nodes"]} == template
    p.close()


def test_undo_refuses_to_overwrite_a_later_change(project_path: Path) -> None:
    ana = Project.open(project_path, coder="ana", exclusive=False)
    bob = Project.open(project_path, coder="bob", exclusive=False)
    try:
        node = ana.run(nodes.create_node, "Shared", free=True)
        bob.run(nodes.update_node, node, description="Bob's definition")
        before = _state(ana)
        with pytest.raises(Conflict, match="bob changed the same items since"):
            ana.undo()
        assert _state(ana) == before
        bob.undo()  # bob takes his change back; now ana's undo is safe
        ana.undo()
        assert "Shared" not in {n[0] for n in _state(ana)["nodes"]}
    finally:
        ana.close()
        bob.close()


def test_undo_narrative_and_audit(project: Project) -> None:
    acc = project.run(narrative.create_account, "Story")
    f1 = project.run(narrative.add_fragment, acc, "First", act="manipulation")
    project.run(narrative.add_fragment, acc, "Second", act="commitment")
    project.run(narrative.place_fragments, {f1: (10.0, 20.0)})
    project.undo()
    project.undo()
    from qdaapp.core import flowgraph

    with project.read_session() as s:
        data = flowgraph.show(s, acc)
    assert [f["summary"] for f in data["fragments"]] == ["First"] and data["fragments"][0]["x"] is None
    project.redo()
    with project.read_session() as s:
        assert [f["summary"] for f in flowgraph.show(s, acc)["fragments"]] == ["First", "Second"]
    assert project.verify_audit().ok
    with pytest.raises(InvalidInput, match="nothing to redo"):
        project.redo()
        project.redo()
    assert SAMPLE
