"""Each committed change says, as typed data, exactly which rows it created, changed and removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdaapp.core import coding, indexing, lexicon, markers, memos, nodes, review, sources
from qdaapp.core.commands import Change
from qdaapp.core.project import Project
from qdaapp.core.touched import CodingKey, Touched


@pytest.fixture
def seen(project: Project) -> list[Change]:
    """Every change the project announces, in order."""
    out: list[Change] = []
    project.subscribe(out.append)
    return out


def _ids(p: Project) -> dict[str, int]:
    with p.read_session() as s:
        return {"rosa": sources.resolve(s, "Rosa.txt").id, "notes": sources.resolve(s, "Notes.txt").id,
                "trust": nodes.resolve(s, "Trust").id, "work": nodes.resolve(s, "Barriers/Workload").id,
                "barriers": nodes.resolve(s, "Barriers").id}


def _summary(change: Change) -> set[tuple[str, str, tuple[int, ...]]]:
    return {(t.entity, t.kind, t.ids) for t in change.touched}


def test_create_and_delete_coding(project: Project, seen: list[Change]) -> None:
    k = _ids(project)
    cid = project.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    key = CodingKey(cid, k["rosa"], k["trust"], 0, 12, "tester")
    assert seen[-1].touched == (Touched("coding", "created", (cid,), (key,), (),
                                        (("node", k["trust"]), ("source", k["rosa"]))),)
    project.run(coding.uncode, cid)
    assert seen[-1].touched == (Touched("coding", "removed", (cid,), (key,), (),
                                        (("node", k["trust"]), ("source", k["rosa"]))),)
    assert seen[-1].codings("removed") == [key] and seen[-1].ids("coding", "created") == set()


def test_undo_and_redo_report_the_rows_they_put_back(project: Project, seen: list[Change]) -> None:
    k = _ids(project)
    cid = project.run(coding.code, "Rosa.txt", 5, 30, "Barriers/Workload", "tester")
    key = CodingKey(cid, k["rosa"], k["work"], 5, 30, "tester")
    project.undo()
    assert seen[-1].action == "undo"
    assert _summary(seen[-1]) == {("coding", "removed", (cid,))}
    assert seen[-1].codings("removed") == [key]
    project.redo()
    assert _summary(seen[-1]) == {("coding", "created", (cid,))}
    assert seen[-1].codings("created") == [key]
    assert seen[-1].parents("node") == {k["work"]} and seen[-1].parents("source") == {k["rosa"]}


def test_node_merge_moves_collapses_and_removes(project: Project, seen: list[Change]) -> None:
    k = _ids(project)
    moved = project.run(coding.code, "Rosa.txt", 5, 30, "Trust", "tester")
    twin = project.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    kept = project.run(coding.code, "Rosa.txt", 0, 12, "Barriers/Workload", "tester")
    memo = project.run(memos.add_memo, "why", f"node:{k['trust']}", title="About trust")
    project.run(nodes.merge_nodes, k["trust"], k["work"])
    change = seen[-1]
    assert _summary(change) == {("coding", "changed", (moved,)), ("coding", "removed", (twin,)),
                                ("memo", "changed", (memo,)), ("node", "removed", (k["trust"],))}
    assert change.codings("changed") == [CodingKey(moved, k["rosa"], k["work"], 5, 30, "tester")]
    (was,) = [t for t in change.touched if t.kind == "changed" and t.entity == "coding"]
    assert was.before == (CodingKey(moved, k["rosa"], k["trust"], 5, 30, "tester"),)
    assert change.codings("removed") == [CodingKey(twin, k["rosa"], k["trust"], 0, 12, "tester")]
    assert kept not in change.ids("coding")
    # The memo moved from one node to the other: both are its parents.
    (m,) = [t for t in change.touched if t.entity == "memo"]
    assert m.parent_ids("node") == {k["trust"], k["work"]}


def test_node_delete_reports_subtree_and_codings(project: Project, seen: list[Change]) -> None:
    k = _ids(project)
    cid = project.run(coding.code, "Notes.txt", 0, 5, "Barriers/Workload", "tester")
    project.run(nodes.delete_node, k["barriers"])
    assert _summary(seen[-1]) == {("coding", "removed", (cid,)),
                                  ("node", "removed", tuple(sorted((k["barriers"], k["work"]))))}
    assert seen[-1].codings("removed") == [CodingKey(cid, k["notes"], k["work"], 0, 5, "tester")]
    (n,) = [t for t in seen[-1].touched if t.entity == "node"]
    assert n.parent_ids("node") == {k["barriers"]}  # the child hung under its parent


def test_hits_accept_and_reject(project: Project, seen: list[Change]) -> None:
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    run_id = project.run(markers.run_markers, spec, coder="tester")
    with project.read_session() as s:
        hit_ids = review.select_hits(s, run_id)
    assert len(hit_ids) >= 2
    project.run(review.accept_hits, run_id, hit_ids, coder="tester")
    accept = seen[-1]
    made = accept.codings("created")
    with project.read_session() as s:
        now = {c.id: c for c in coding.list_codings(s)}
        hits = {h.id: h for h in review.list_hits(s, run_id)}
    assert {c.id for c in made} == set(now) and made  # every new coding, and only those
    for key in made:
        assert (now[key.id].start, now[key.id].end) == (key.start, key.end)
    assert accept.ids("search hit", "changed") == set(hit_ids)
    assert accept.parents("search run") == {run_id}
    # The speech-act nodes it made, under one new parent.
    acts = {key.node_id for key in made}
    (parent,) = accept.ids("node", "created") - acts
    assert [t.parent_ids("node") for t in accept.touched if t.entity == "node"] == [{parent}]
    assert {h.source_id for h in hits.values()} >= {key.source_id for key in made}
    project.run(review.reject_hits, run_id, hit_ids, coder="tester")
    reject = seen[-1]
    assert reject.codings("removed") == made
    assert reject.ids("search hit", "changed") == set(hit_ids)
    assert not reject.ids("coding", "created") and not reject.ids("node")


def test_source_delete_reports_its_codings(project: Project, seen: list[Change]) -> None:
    k = _ids(project)
    cid = project.run(coding.code, "Notes.txt", 0, 5, "Trust", "tester")
    project.run(sources.delete_source, k["notes"])
    change = seen[-1]
    assert change.ids("source", "removed") == {k["notes"]}
    assert change.ids("coding", "removed") == {cid}
    assert change.codings("removed") == [CodingKey(cid, k["notes"], k["trust"], 0, 5, "tester")]
    project.undo()
    assert seen[-1].ids("source", "created") == {k["notes"]}
    assert seen[-1].ids("coding", "created") == {cid}
    assert not seen[-1].ids("source", "removed")


def test_import_reports_new_source_and_case(project: Project, seen: list[Change], tmp_path: Path) -> None:
    (tmp_path / "New.txt").write_text("A new interview.\n", encoding="utf-8")
    docs, _ = sources.read_files([tmp_path / "New.txt"])
    project.run(sources.import_documents, docs, case_name="Someone new")
    with project.read_session() as s:
        new = sources.resolve(s, "New.txt").id
    assert seen[-1].ids("source", "created") == {new}
    assert seen[-1].ids("case", "created") and seen[-1].touches("case", "source")
    assert not seen[-1].touches("coding")


def test_rows_fold_to_their_net_change(project: Project) -> None:
    """Within one transaction: made then dropped is nothing; changed twice is one change; dropped and put back
    is a change; changed then dropped is a removal that shows the row as it was before the transaction."""
    from qdaapp.core import touched

    k = _ids(project)
    cid = project.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    with project.write_session() as session:
        conn = session.connection()
        conn.exec_driver_sql("INSERT INTO nodes (name, kind, color, description, position, created_at, created_by) "
                             "VALUES ('Passing', 'free', '#999999', '', 9, '', '')")
        conn.exec_driver_sql("DELETE FROM nodes WHERE name = 'Passing'")
        conn.exec_driver_sql(f"UPDATE nodes SET name = 'A' WHERE id = {k['trust']}")
        conn.exec_driver_sql(f"UPDATE nodes SET name = 'B' WHERE id = {k['trust']}")
        conn.exec_driver_sql(f"UPDATE codings SET node_id = {k['work']} WHERE id = {cid}")
        conn.exec_driver_sql(f"DELETE FROM codings WHERE id = {cid}")
        conn.exec_driver_sql(f"DELETE FROM nodes WHERE id = {k['barriers']}")  # takes its child with it
        got = touched.compute(conn)
        session.rollback()
    assert {(t.entity, t.kind, t.ids) for t in got} == {
        ("node", "changed", (k["trust"],)), ("coding", "removed", (cid,)),
        ("node", "removed", tuple(sorted((k["barriers"], k["work"]))))}
    assert touched.codings(got, "removed") == [CodingKey(cid, k["rosa"], k["trust"], 0, 12, "tester")]
