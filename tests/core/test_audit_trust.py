"""The audit trail proves what it claims: only registered commands run, truncation and rewrites are
caught by the kept head and the seal, and every row of the user's work matches its history."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qdaapp.core import audit, coding, memos, narrative, nodes  # noqa: F401 - each registers its commands
from qdaapp.core.commands import REGISTRY, Change, execute
from qdaapp.core.errors import InvalidInput
from qdaapp.core.project import Project, _migrate


def _sql(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    for statement in statements:
        con.execute(statement)
    con.commit()
    con.close()


def _rechain(path: Path, from_seq: int) -> None:
    """Recompute every hash from ``from_seq`` on, and the kept head, as someone rewriting the chain would."""
    con = sqlite3.connect(path)
    prev = con.execute("select hash from audit_events where seq = ?", (from_seq - 1,)).fetchone()[0]
    rows = con.execute("select seq, time, coder, action, entity, entity_id, summary, before, after, reason, rows_hash "
                       "from audit_events where seq >= ? order by seq", (from_seq,)).fetchall()
    for seq, time, coder, action, entity, eid, summary, before, after, reason, rows_hash in rows:
        digest = audit.event_hash(seq, time, coder, action, entity, eid, summary, before, after, reason, prev,
                                  rows_hash)
        con.execute("update audit_events set prev_hash = ?, hash = ? where seq = ?", (prev, digest, seq))
        prev = digest
    con.execute("update meta set value = ? where key = 'audit_head'", (f"{rows[-1][0]} {prev}",))
    con.commit()
    con.close()


def _coded(project: Project) -> int:
    node_id = project.run(nodes.create_node, "Hope", free=True)
    return project.run(coding.code, "Rosa.txt", 0, 11, node_id, "tester")


# ---------------------------------------------------------------------- only registered commands
def _sneaky(session, name: str) -> Change:  # not registered
    session.add(nodes.Node(name=name, kind="free"))
    return Change("node.create", "node", None, f"create node '{name}'")


def test_an_unregistered_function_is_refused_and_writes_nothing(project: Project) -> None:
    before = project.summary()
    with pytest.raises(InvalidInput, match="not a registered command"):
        project.run(_sneaky, "Smuggled")
    assert project.summary() == before
    assert project.verify_audit().ok


def test_a_change_under_another_action_is_refused(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    before = project.summary()

    def lying(session, name: str, **kwargs) -> Change:
        change = real(session, name, **kwargs)
        change.action = "memo.create"
        return change

    real = REGISTRY["node.create"]
    lying.action = "node.create"  # type: ignore[attr-defined]
    monkeypatch.setitem(REGISTRY, "node.create", lying)
    with pytest.raises(InvalidInput, match="memo.create"):
        execute(project, lying, "Renamed", free=True)
    assert project.summary() == before


def test_project_create_is_a_registered_command(tmp_path: Path) -> None:
    assert "project.create" in REGISTRY and "audit.baseline" in REGISTRY
    with Project.create(tmp_path / "new.qda") as p:
        assert p.verify_audit().ok


# ---------------------------------------------------------------------- head and seal
def test_deleting_the_last_event_and_its_coding_is_caught(project: Project) -> None:
    cid = _coded(project)
    assert project.verify_audit().ok
    last = project.summary()["events"]
    _sql(project.path, f"delete from audit_events where seq = {last}", f"delete from audit_rows where seq = {last}",
         f"delete from codings where id = {cid}")
    result = project.verify_audit()
    assert not result.ok and result.first_bad_seq == last and "missing" in result.problem


def test_a_rewritten_chain_is_caught_by_the_seal(project: Project) -> None:
    _coded(project)
    seal = project.seal()
    assert project.verify_audit(seal=seal).ok
    project.run(nodes.create_node, "Later", free=True)
    assert project.verify_audit(seal=seal).ok  # the chain extends the seal
    _sql(project.path, "update audit_events set summary = 'nothing to see', reason = 'x' where seq = 3")
    assert not project.verify_audit().ok
    _rechain(project.path, 3)
    assert project.verify_audit().ok  # without the seal nothing can tell
    result = project.verify_audit(seal=seal)
    assert not result.ok and "rewritten" in result.problem and result.first_bad_seq == int(seal.split("-")[0])


def test_truncation_after_the_seal_is_caught(project: Project) -> None:
    _coded(project)
    seal = project.seal()
    last = project.summary()["events"]
    _sql(project.path, f"delete from audit_events where seq = {last}")
    _rechain(project.path, last - 1)  # the head rewritten to fit
    result = project.verify_audit(seal=seal)
    assert not result.ok and "removed" in result.problem


def test_a_malformed_seal_is_refused() -> None:
    with pytest.raises(ValueError):
        audit.parse_seal("57")
    assert audit.parse_seal("seal: 57-3F2A9C0D1E2F3A4B5C6D") == (57, "3f2a9c0d1e2f3a4b5c6d")


# ---------------------------------------------------------------------- rows against their history
def test_a_coding_changed_outside_the_app_is_named(project: Project) -> None:
    cid = _coded(project)
    _sql(project.path, f"update codings set start = 1 where id = {cid}")
    result = project.verify_audit()
    assert not result.ok and result.first_bad_seq is None
    assert [f.message() for f in result.findings] == [f"coding {cid} changed outside the app: start 0 -> 1"]
    assert f"coding {cid} changed outside the app: start 0 -> 1" in result.message()


def test_a_node_added_outside_the_app_is_named(project: Project) -> None:
    _sql(project.path, "insert into nodes(name, description, color, kind, position, created_at, created_by) "
                       "values ('Smuggled', '', '#888888', 'free', 0, '2026-01-01', 'x')")
    nid = sqlite3.connect(project.path).execute("select id from nodes where name = 'Smuggled'").fetchone()[0]
    result = project.verify_audit()
    assert not result.ok
    assert [(f.table, f.row_id, f.kind) for f in result.findings] == [("nodes", nid, "added")]


def test_a_memo_removed_outside_the_app_is_named(project: Project) -> None:
    mid = project.run(memos.add_memo, "A thought")
    assert project.verify_audit().ok
    _sql(project.path, f"delete from memos where id = {mid}")
    result = project.verify_audit()
    assert [(f.table, f.row_id, f.kind) for f in result.findings] == [("memos", mid, "removed")]


def test_edited_row_digests_break_the_chain(project: Project) -> None:
    cid = _coded(project)
    _sql(project.path, f"update codings set start = 1 where id = {cid}",
         f"update audit_rows set digest = 'x' where tbl = 'codings' and row_id = {cid}")
    result = project.verify_audit()
    assert not result.ok and "row digests" in result.problem


def test_undo_and_redo_keep_the_rows_matching(project: Project) -> None:
    cid = _coded(project)
    project.run(coding.uncode, cid)
    project.undo()
    assert project.verify_audit().ok
    project.undo()
    project.undo()
    assert project.verify_audit().ok
    project.redo()
    result = project.verify_audit()
    assert result.ok, result.message()
    _sql(project.path, "delete from nodes where name = 'Hope'")
    assert [f.kind for f in project.verify_audit().findings] == ["removed"]


def test_bulk_coding_digests_every_coding(project: Project) -> None:
    project.run(coding.code_passages, [(1, i, i + 3) for i in range(0, 60, 4)], "Trust", "tester")
    with project.engine.connect() as conn:
        n = conn.exec_driver_sql("select count(*) from audit_rows where tbl = 'codings'").scalar()
    assert n == 15 == project.summary()["codings"]
    assert project.verify_audit().ok
    _sql(project.path, "update codings set coder = 'someone' where id = 7")
    assert [(f.row_id, f.detail) for f in project.verify_audit().findings] == [(7, "coder 'tester' -> 'someone'")]


def test_an_older_project_gets_a_baseline(project_path: Path) -> None:
    from qdaapp.core.db import make_engine

    engine = make_engine(project_path)
    _migrate(engine, "0008", down=True)
    engine.dispose()
    # The events as schema 0008 wrote them: hashed without row digests.
    con = sqlite3.connect(project_path)
    prev = audit.GENESIS
    for row in con.execute("select seq, time, coder, action, entity, entity_id, summary, before, after, reason "
                           "from audit_events order by seq").fetchall():
        digest = audit.event_hash(*row, prev)
        con.execute("update audit_events set prev_hash = ?, hash = ? where seq = ?", (prev, digest, row[0]))
        prev = digest
    con.commit()
    con.close()
    with Project.open(project_path) as p:
        result = p.verify_audit()
        assert result.ok, result.message()
        assert any("were not digested one by one" in note for note in result.notes)
        cid = _coded(p)
    _sql(project_path, f"update codings set \"end\" = 12 where id = {cid}",
         "update cases set description = 'edited' where id = 1")
    with Project.open(project_path) as p:
        found = {(f.table, f.kind) for f in p.verify_audit().findings}
    assert found == {("codings", "changed"), ("cases", "changed")}


def test_verify_reports_rows_as_json_free_text(project: Project) -> None:
    result = project.verify_audit()
    assert result.seal == project.seal()
    json.dumps([f.message() for f in result.findings])


def test_a_backup_records_its_seal(project: Project) -> None:
    _coded(project)
    made = project.backup()
    seal = (made.parent / (made.name + ".seal")).read_text(encoding="utf-8").strip()
    assert seal == project.seal() == project.last_backup_seal
    project.run(nodes.create_node, "After the backup", free=True)
    assert project.verify_audit(seal=seal).ok


def test_the_chain_hash_is_sha256_of_the_json_fields() -> None:
    import hashlib

    fields = [7, "2026-01-01T00:00:00+00:00", "Zoë", "memo.update", "memo", 3, "edit 😀 \"memo\"\n", None,
              '{"x":1.5}', "", audit.GENESIS]
    for rows_hash in (None, "ab" * 32):
        text = json.dumps(fields + ([rows_hash] if rows_hash else []), ensure_ascii=False, separators=(",", ":"))
        assert audit.event_hash(*fields, rows_hash) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_source_text_or_original_changed_outside_the_app_is_named(project: Project) -> None:
    con = sqlite3.connect(project.path)
    assert con.execute("select typeof(original) from sources where id = 1").fetchone() == ("blob",)
    con.close()
    _sql(project.path, "update sources set original = x'00ff' where id = 1",
         "update sources set text = text || ' and more' where id = 2")
    found = [(f.table, f.row_id, f.kind) for f in project.verify_audit().findings]
    assert found == [("sources", 1, "changed"), ("sources", 2, "changed")]


def test_a_second_baseline_is_refused(project: Project) -> None:
    from qdaapp.core import commands

    _sql(project.path, "update cases set description = 'edited' where id = 1")
    with pytest.raises(InvalidInput, match="only once"):
        project.run(commands.baseline)
    assert [f.kind for f in project.verify_audit().findings] == ["changed"]


def test_an_extra_event_of_a_module_not_yet_imported_is_recorded(tmp_path) -> None:
    """Importing into a new case records a case.create event, whose command lives in a module a fresh
    process (the command line) may not have imported yet: the import still goes through."""
    import subprocess
    import sys

    (tmp_path / "A.txt").write_text("hello there\n", encoding="utf-8")
    script = (
        "import sys\n"
        "from qdaapp.core import sources\n"
        "from qdaapp.core.project import Project\n"
        "assert 'qdaapp.core.cases' not in sys.modules\n"
        "p = Project.create(sys.argv[1] + '/P.qda')\n"
        "docs, failures = sources.read_files([sys.argv[1] + '/A.txt'])\n"
        "p.run(sources.import_documents, docs, case_name='NEWCASE')\n"
        "print(p.verify_audit().ok)\n"
        "p.close()\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
