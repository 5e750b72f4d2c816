"""How sources are stored (schema 0008): short columns before the long values of each row, the
speaker figures kept at import, the migration of older projects, and the sqlite3-only listing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qdaapp.core import db, schema, sources, speakers
from qdaapp.core.errors import NeedsUpgrade
from qdaapp.core.project import SCHEMA_HEAD, Project, _migrate
from qdaapp.core.source_list import source_infos

from ..conftest import SAMPLE

LONG = ["paragraph_starts", "turns", "text", "original"]


def _transcripts(fixtures_root: Path) -> list[Path]:
    return sorted((fixtures_root / "transcripts" / "txt").glob("*.txt"))


def _imported(tmp_path: Path, files: list[Path]) -> Project:
    project = Project.create(tmp_path / "p.qda", coder="tester")
    docs, failures = sources.read_files(files)
    assert not failures
    project.run(sources.import_documents, docs)
    return project


def _columns(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[1] for r in con.execute("PRAGMA table_info(sources)")]
    finally:
        con.close()


def _roles(project: Project) -> list:
    with project.read_session() as s:
        return [i.as_dict() for i in speakers.list_speakers(s)]


def test_the_long_values_come_last_in_each_row(tmp_path: Path, fixtures_root: Path) -> None:
    project = _imported(tmp_path, _transcripts(fixtures_root)[:1])
    project.close()
    columns = _columns(tmp_path / "p.qda")
    assert columns[-len(LONG):] == LONG
    assert {"sha256", "words", "language", "page_starts", "turn_stats"} <= set(columns[:-len(LONG)])


def test_import_stores_the_figures_the_role_guess_reads(tmp_path: Path, fixtures_root: Path) -> None:
    project = _imported(tmp_path, _transcripts(fixtures_root))
    with project.read_session() as s:
        rows = s.execute(sources.select(sources.Source.text, sources.Source.turns, sources.Source.turn_stats)).all()
    assert rows and all(stats for _t, _tu, stats in rows)
    for body, turns, stored in rows:
        assert stored == speakers.turn_figures(body, json.loads(turns))
    from_figures = _roles(project)
    # The same roles and reasons when every source's figures must be computed from its text.
    with project.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE sources SET turn_stats = NULL")
    speakers._STATS.clear()
    speakers._ROLES.clear()
    assert _roles(project) == from_figures
    assert any(r["role"] == speakers.INTERVIEWER for r in from_figures)
    project.close()


def test_figures_of_another_version_are_computed_again(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SAMPLE, encoding="utf-8")
    project = _imported(tmp_path, [tmp_path / "a.txt"])
    expected = _roles(project)
    wrong = json.dumps({"v": speakers.FIGURES_VERSION + 1, "first": "P1", "header": [],
                        "speakers": {"Interviewer": [0, 0, 0], "P1": [9, 9, 1]}})
    with project.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE sources SET turn_stats = ?", (wrong,))
    speakers._STATS.clear()
    speakers._ROLES.clear()
    assert _roles(project) == expected
    project.close()


def test_a_0007_project_is_migrated_with_its_sources_unchanged(tmp_path: Path, fixtures_root: Path) -> None:
    files = _transcripts(fixtures_root)[:3]
    project = _imported(tmp_path, files)
    path = project.path
    with project.read_session() as s:
        before = [i.as_dict() for i in sources.list_sources(s)]
        texts = {i["id"]: sources.structure(s, i["id"]) for i in before}
        originals = dict(s.execute(sources.select(sources.Source.id, sources.Source.original)).all())
    roles = _roles(project)
    project.close()
    engine = db.make_engine(path)
    _migrate(engine, "0007", down=True)
    engine.dispose()
    assert "turn_stats" not in _columns(path)

    speakers._STATS.clear()
    speakers._ROLES.clear()
    project = Project.open(path)
    try:
        assert _columns(path)[-len(LONG):] == LONG
        with project.read_session() as s:
            assert [i.as_dict() for i in sources.list_sources(s)] == before
            assert {i["id"]: sources.structure(s, i["id"]) for i in before} == texts
            assert dict(s.execute(sources.select(sources.Source.id, sources.Source.original)).all()) == originals
            stored = s.execute(sources.select(sources.Source.turn_stats)).scalars().all()
        assert all(stored)
        assert _roles(project) == roles
        # The capture triggers know the new column: undoing the import removes the sources; redo restores them.
        project.undo()
        assert project.summary()["sources"] == 0
        project.redo()
        with project.read_session() as s:
            assert [i.as_dict() for i in sources.list_sources(s)] == before
            assert {i["id"]: sources.structure(s, i["id"]) for i in before} == texts
    finally:
        project.close()


def test_the_sqlite3_listing_is_the_app_listing(tmp_path: Path, fixtures_root: Path) -> None:
    project = _imported(tmp_path, _transcripts(fixtures_root)[:3])
    with project.read_session() as s:
        expected = sources.list_sources(s)
    project.close()
    conn = schema.connect_read_only(tmp_path / "p.qda")
    try:
        assert source_infos(conn.execute) == expected
        with pytest.raises(sqlite3.OperationalError):  # read-only
            conn.execute("DELETE FROM sources")
    finally:
        conn.close()


def test_the_sqlite3_listing_asks_for_an_upgrade_of_an_older_schema(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SAMPLE, encoding="utf-8")
    project = _imported(tmp_path, [tmp_path / "a.txt"])
    project.close()
    engine = db.make_engine(tmp_path / "p.qda")
    _migrate(engine, "0007", down=True)
    engine.dispose()
    with pytest.raises(NeedsUpgrade):
        schema.connect_read_only(tmp_path / "p.qda")
    assert SCHEMA_HEAD == schema.SCHEMA_HEAD
