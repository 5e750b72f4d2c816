"""Schema 0012: rows matched across copies carry a guid; copies upgraded apart agree on it."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from qdaapp.core import memos, merge, nodes
from qdaapp.core.db import make_engine
from qdaapp.core.exchange.refi_common import stable_guid
from qdaapp.core.merge_guids import IDENTIFIED
from qdaapp.core.project import Project, _migrate

from .merge_helpers import code_phrase, coding_keys, plain_copy


def _at_0011(path: Path) -> None:
    engine = make_engine(path)
    _migrate(engine, "0011", down=True)
    engine.dispose()


def _guids(path: Path) -> dict[str, list[tuple[int, str | None]]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f'SELECT id, guid FROM "{t}" ORDER BY id').fetchall() for t in IDENTIFIED}
    finally:
        conn.close()


def test_copies_upgraded_apart_give_their_rows_the_same_identity(project_path: Path) -> None:
    with Project.open(project_path, coder="Ana") as p:
        p.run(memos.add_memo, "A thought", None, "Note", "Ana")
        project_id = p.project_id()
    _at_0011(project_path)
    a, b = plain_copy(project_path, "a.qda"), plain_copy(project_path, "b.qda")
    for path in (a, b):
        with Project.open(path, coder="Ana") as p:
            result = p.verify_audit()
            assert result.ok, result.message()
            with p.engine.connect() as conn:
                last = conn.exec_driver_sql("SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1").scalar()
            assert last == "project.identify"
    assert _guids(a) == _guids(b)
    got = _guids(a)
    assert got["nodes"] and got["memos"] and got["cases"] and got["attributes"]
    for table, entity in IDENTIFIED.items():
        assert got[table] == [(i, stable_guid(project_id, entity, i)) for i, _g in got[table]], table


def test_new_rows_get_a_fresh_guid_and_undo_keeps_it(project: Project) -> None:
    project.run(nodes.create_node, "Fresh", free=True)
    with project.read_session() as s:
        node = nodes.resolve(s, "Fresh")
        guid, node_id = node.guid, node.id
    assert guid and uuid.UUID(guid).version == 4
    project.run(nodes.delete_node, node_id)
    project.undo()
    with project.read_session() as s:
        assert nodes.resolve(s, "Fresh").guid == guid
    assert project.verify_audit().ok


def test_copies_taken_before_the_upgrade_merge_by_identity(project_path: Path) -> None:
    """Two copies made before 0012, upgraded and worked on apart, match their nodes by guid, not by path."""
    _at_0011(project_path)
    other = plain_copy(project_path, "ben.qda")
    with Project.open(project_path, coder="Ana") as p:
        p.run(nodes.update_node, _node(p, "Trust"), name="Trust in the GP")
    with Project.open(other, coder="Ben") as b:
        code_phrase(b, "I wanted to help", "Trust")
    with Project.open(project_path, coder="Ana") as p:
        report = merge.merge_copy(p, other)
    assert report.merged == {"coding": 1} and [c.kind for c in report.conflicts] == ["renamed"]
    assert coding_keys(other) <= coding_keys(project_path)


def _node(p: Project, path: str) -> int:
    with p.read_session() as s:
        return nodes.resolve(s, path).id


def test_a_copy_at_an_older_schema_is_read_through_an_upgraded_copy_and_left_as_it_is(tmp_path: Path) -> None:
    """A copy still at 0011 is verified as given, upgraded in a temporary copy and read; the file is untouched.

    (A project downgraded from 0012 keeps digests that name the guid column, so the node is made at 0011.)"""
    from qdaapp.core import sources

    (tmp_path / "Rosa.txt").write_text("We had to do something, the GP asked us.\n", encoding="utf-8")
    path = tmp_path / "study.qda"
    with Project.create(path, coder="Ana") as p:
        docs, _ = sources.read_files([tmp_path / "Rosa.txt"])
        p.run(sources.import_documents, docs)
    _at_0011(path)
    _node_made_at_0011(path, "Trust")
    other = plain_copy(path, "ben.qda")
    given = other.read_bytes()
    with Project.open(path, coder="Ana") as p:
        report = merge.merge_copy(p, other)
        assert p.verify_audit().ok
    assert report.merged == {} and report.duplicates == {"source": 1, "node": 1} and not report.written
    assert other.read_bytes() == given


def test_an_older_copy_changed_outside_the_app_is_refused_before_its_upgrade_could_hide_it(tmp_path: Path) -> None:
    import sqlite3

    import pytest

    from qdaapp.core.merge_read import MergeRefused

    path = tmp_path / "study.qda"
    Project.create(path, coder="Ana").close()
    _at_0011(path)
    _node_made_at_0011(path, "Trust")
    other = plain_copy(path, "ben.qda")
    conn = sqlite3.connect(other)
    conn.execute("UPDATE nodes SET name = 'Distrust'")
    conn.commit()
    conn.close()
    with Project.open(path, coder="Ana") as p, pytest.raises(MergeRefused, match="node 1 changed outside the app"):
        merge.merge_copy(p, other)


def _node_made_at_0011(path: Path, name: str) -> None:
    """A node written as the program of schema 0011 wrote one: no guid, its event and row digest recorded."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from qdaapp.core import commands

    engine = make_engine(path)
    with Session(engine) as s:
        s.execute(text("INSERT INTO nodes(name, description, color, kind, position, created_at, created_by) "
                       "VALUES (:n, '', '#999999', 'free', 0, '2026-01-01T00:00:00+00:00', 'Ana')"), {"n": name})
        commands.record(s, "Ana", commands.Change("node.create", "node", 1, f"create free node '{name}'",
                                                  after={"name": name}), "")
        s.commit()
    engine.dispose()
