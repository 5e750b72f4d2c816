"""Free and tree nodes: create, rename, move, merge, delete."""

from __future__ import annotations

import pytest

from qdaapp.core import coding, nodes
from qdaapp.core.errors import Conflict, InvalidInput, NotFound
from qdaapp.core.project import Project


def _by_path(project: Project) -> dict[str, nodes.NodeInfo]:
    with project.read_session() as s:
        return {n.path: n for n in nodes.list_nodes(s)}


def test_tree_path_creates_ancestors_once(project: Project) -> None:
    project.run(nodes.create_node, "Facilitators/Leadership/Formal")
    project.run(nodes.create_node, "Facilitators/Peer support")
    tree = _by_path(project)
    assert tree["Facilitators/Leadership/Formal"].parent_id == tree["Facilitators/Leadership"].id
    assert tree["Facilitators/Peer support"].parent_id == tree["Facilitators"].id
    assert all(n.kind == "tree" for p, n in tree.items() if p.startswith("Facilitators"))


def test_names_unique_among_siblings_only(project: Project) -> None:
    with pytest.raises(Conflict, match="already exists"):
        project.run(nodes.create_node, "Barriers/Workload")
    project.run(nodes.create_node, "Facilitators/Workload")  # another parent: fine
    project.run(nodes.create_node, "Workload", free=True)  # free nodes are another sibling set
    with pytest.raises(Conflict):
        project.run(nodes.create_node, "Workload", free=True)


def test_free_nodes_are_flat_and_names_checked(project: Project) -> None:
    with pytest.raises(InvalidInput, match="flat"):
        project.run(nodes.create_node, "A/B", free=True)
    with pytest.raises(InvalidInput):
        project.run(nodes.create_node, "  ", free=True)
    with pytest.raises(InvalidInput, match="colour"):
        project.run(nodes.create_node, "C", free=True, color="red")


def test_update_rename_describe_colour(project: Project) -> None:
    tid = _by_path(project)["Trust"].id
    project.run(nodes.update_node, tid, name="Trust in team", description="Confidence in colleagues", color="#56b4e9")
    info = _by_path(project)["Trust in team"]
    assert (info.description, info.color) == ("Confidence in colleagues", "#56B4E9")


def test_move_free_into_tree_and_back(project: Project) -> None:
    tid = _by_path(project)["Trust"].id
    project.run(nodes.move_node, tid, to_parent="Barriers")
    tree = _by_path(project)
    assert tree["Barriers/Trust"].kind == "tree"
    project.run(nodes.move_node, tid, free=True)
    assert _by_path(project)["Trust"].kind == "free"


def test_move_subtree_and_refuse_cycles(project: Project) -> None:
    project.run(nodes.create_node, "Facilitators")
    barriers = _by_path(project)["Barriers"].id
    project.run(nodes.move_node, barriers, to_parent="Facilitators")
    assert "Facilitators/Barriers/Workload" in _by_path(project)
    with pytest.raises(Conflict, match="inside itself"):
        project.run(nodes.move_node, barriers, to_parent="Facilitators/Barriers/Workload")
    with pytest.raises(Conflict, match="child node"):
        project.run(nodes.move_node, barriers, free=True)
    with pytest.raises(NotFound):
        project.run(nodes.move_node, barriers, to_parent="Nowhere")


def test_merge_moves_codings_and_collapses_duplicates(project: Project) -> None:
    tree = _by_path(project)
    a = project.run(nodes.create_node, "Confidence", free=True)
    trust = tree["Trust"].id
    project.run(coding.code, "Rosa.txt", 0, 10, a, "tester")
    project.run(coding.code, "Rosa.txt", 20, 30, a, "tester")
    project.run(coding.code, "Rosa.txt", 0, 10, trust, "tester")  # exact duplicate after merge
    project.run(coding.code, "Rosa.txt", 0, 10, trust, "other")  # another coder: kept
    project.run(nodes.merge_nodes, a, trust)
    with project.read_session() as s:
        spans = sorted((c.start, c.end, c.coder) for c in coding.list_codings(s, node_ref=trust))
    assert spans == [(0, 10, "other"), (0, 10, "tester"), (20, 30, "tester")]
    assert "Confidence" not in _by_path(project)


def test_delete_removes_subtree_and_codings(project: Project) -> None:
    work = _by_path(project)["Barriers/Workload"].id
    project.run(coding.code, "Rosa.txt", 5, 15, work, "tester")
    project.run(nodes.delete_node, _by_path(project)["Barriers"].id)
    assert not any(p.startswith("Barriers") for p in _by_path(project))
    assert project.summary()["codings"] == 0


def test_resolve_by_id_path_and_name(project: Project) -> None:
    with project.read_session() as s:
        assert nodes.resolve(s, "Barriers/Workload").name == "Workload"
        assert nodes.resolve(s, "Trust").kind == "free"
        node_id = nodes.resolve(s, "Trust").id
        assert nodes.resolve(s, str(node_id)).id == node_id
        with pytest.raises(NotFound):
            nodes.resolve(s, "Nope")


def test_resolve_a_tree_node_by_its_own_name_only_when_unique(project: Project) -> None:
    project.run(nodes.create_node, "Context/Workload")
    project.run(nodes.create_node, "Context/Staffing/Rota")
    project.run(nodes.create_node, "Rota", free=True)
    with project.read_session() as s:
        paths = {n.id: n.path for n in nodes.list_nodes(s)}
        assert paths[nodes.resolve(s, "Staffing").id] == "Context/Staffing"
        assert nodes.resolve(s, "Rota").kind == "free"  # a free node's name still names it first
        with pytest.raises(Conflict) as err:
            nodes.resolve(s, "Workload")
        assert str(err.value) == ("'Workload' names 2 tree nodes: 'Barriers/Workload', 'Context/Workload'; "
                                  "give the path or the id.")
        with pytest.raises(NotFound):
            nodes.resolve(s, "Staffing/Rota")  # a path is read from the top of the tree
