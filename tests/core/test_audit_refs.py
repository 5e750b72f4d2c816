"""Filtering the timeline by node, source or case finds every event that touched the item, bulk
events included (audit_refs), and a project made before the index gets it at the upgrade."""

from __future__ import annotations

from pathlib import Path

from qdaapp.core import audit, cases, coding, db, indexing, lexicon, markers, nodes, review, sources
from qdaapp.core.project import Project, _migrate
from qdaapp.core.schema import SCHEMA_HEAD


def seqs(project: Project, **what: int) -> list[int]:
    with project.engine.connect() as conn:
        return [r[0] for r in audit.event_rows(conn, audit.EventFilter(**what), newest_first=False)]


def last_seq(project: Project) -> int:
    with project.engine.connect() as conn:
        return audit.event_rows(conn, audit.EventFilter(), limit=1)[0][0]


def ids(project: Project) -> dict[str, int]:
    with project.read_session() as s:
        return {"rosa": sources.resolve(s, "Rosa.txt").id, "notes": sources.resolve(s, "Notes.txt").id,
                "trust": nodes.resolve(s, "Trust").id, "case": cases.resolve_case(s, "P1 Rosa").id}


def accept_all(project: Project) -> tuple[int, int]:
    """Run the markers and accept every hit: (run id, seq of the accept event)."""
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    run_id = project.run(markers.run_markers, spec, coder="tester")
    with project.read_session() as s:
        hit_ids = review.select_hits(s, run_id)
    project.run(review.accept_hits, run_id, hit_ids, coder="tester")
    with project.engine.connect() as conn:  # the nodes it made are recorded after it
        return run_id, audit.event_rows(conn, audit.EventFilter(action="hits.accept"), limit=1)[0][0]


def test_a_bulk_accept_is_found_by_its_node_source_and_case(project: Project) -> None:
    _run, accepted = accept_all(project)
    known = ids(project)
    with project.read_session() as s:
        manipulation = nodes.find_tree_path(s, "Speech acts/manipulation").id
    assert accepted in seqs(project, node_id=manipulation)
    assert accepted in seqs(project, source_id=known["rosa"])
    assert accepted in seqs(project, case_id=known["case"])  # Rosa's case
    assert accepted not in seqs(project, node_id=known["trust"])


def test_a_merge_is_found_by_both_nodes_and_the_source_of_its_codings(project: Project) -> None:
    known = ids(project)
    faith = project.run(nodes.create_node, "Faith", free=True)
    project.run(coding.code, "Notes.txt", 0, 10, "Faith", "tester")
    project.run(nodes.merge_nodes, faith, known["trust"])
    merged = last_seq(project)
    assert merged in seqs(project, node_id=known["trust"])
    assert merged in seqs(project, node_id=faith)
    assert merged in seqs(project, source_id=known["notes"])
    assert merged not in seqs(project, source_id=known["rosa"])


def test_a_deleted_source_with_codings_is_found_by_its_nodes_and_case(project: Project) -> None:
    known = ids(project)
    project.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    project.run(sources.delete_source, "Rosa.txt")
    deleted = last_seq(project)
    assert deleted in seqs(project, node_id=known["trust"])
    assert deleted in seqs(project, source_id=known["rosa"])
    assert deleted in seqs(project, case_id=known["case"])
    assert deleted not in seqs(project, source_id=known["notes"])


def test_a_moved_node_is_found_by_its_old_and_new_parent(project: Project) -> None:
    with project.read_session() as s:
        barriers = nodes.find_tree_path(s, "Barriers").id
        workload = nodes.find_tree_path(s, "Barriers/Workload").id
    relations = project.run(nodes.create_node, "Relations")
    project.run(nodes.move_node, workload, to_parent="Relations")
    moved = last_seq(project)
    assert moved in seqs(project, node_id=workload)
    assert moved in seqs(project, node_id=barriers)
    assert moved in seqs(project, node_id=relations)


def test_an_old_project_gets_the_index_at_the_upgrade_and_still_verifies(project: Project) -> None:
    known = ids(project)
    _run, accepted = accept_all(project)
    project.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    project.run(sources.delete_source, "Rosa.txt")
    deleted = last_seq(project)
    path: Path = project.path
    project.close()
    engine = db.make_engine(path)
    _migrate(engine, "0010", down=True)
    with engine.connect() as conn:
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "audit_refs" not in tables
    engine.dispose()

    upgraded = Project.open(path, coder="tester")
    try:
        with upgraded.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == SCHEMA_HEAD
            index = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name = 'ix_audit_rows_row'").scalar()
            assert index == "ix_audit_rows_row"
            result = audit.verify(conn)
            assert result.ok, (result.problem, result.findings)
        assert accepted in seqs(upgraded, source_id=known["rosa"])
        assert accepted in seqs(upgraded, case_id=known["case"])
        assert deleted in seqs(upgraded, node_id=known["trust"])
        assert deleted in seqs(upgraded, case_id=known["case"])
    finally:
        upgraded.close()


def test_files_imported_together_are_each_found_by_their_own_event(project: Project, tmp_path: Path) -> None:
    for name in ("A.txt", "B.txt"):
        (tmp_path / name).write_text(f"The text of {name}.\n", encoding="utf-8")
    docs, _ = sources.read_files([tmp_path / "A.txt", tmp_path / "B.txt"])
    project.run(sources.import_documents, docs)
    with project.read_session() as s:
        a, b = sources.resolve(s, "A.txt").id, sources.resolve(s, "B.txt").id
    with project.engine.connect() as conn:
        imports = {r[5]: r[0] for r in audit.event_rows(conn, audit.EventFilter(action="source.import"))}
    assert seqs(project, source_id=a) == [imports[a]]
    assert seqs(project, source_id=b) == [imports[b]]
