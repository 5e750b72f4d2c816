"""The undo capture: generated from the schema, frozen per migration, covering every table of user work."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import ModuleType

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from qdaapp.core import coding, history
from qdaapp.core.db import make_engine
from qdaapp.core.project import Project, _migrate

# Every table of the user's work; a table added to the schema must be captured or listed in history.NOT_USER_WORK.
USER_TABLES = [
    "account_passages", "accounts", "actant_roles", "actors", "attribute_values", "attributes", "cases", "codings",
    "fragment_links", "fragment_passages", "fragments", "framework_cells", "lexicons", "memos", "nodes",
    "search_hits", "search_runs", "sources", "speakers",
]
# The tables that are not user work, named one by one (besides the FTS5 search indexes, text_fts* and lemma_fts*).
EXEMPT = {"alembic_version", "meta", "audit_events", "audit_rows", "audit_refs", "undo_ops", "history",
          "source_index", "sentences"}


def _migrations() -> list[ModuleType]:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(history.__file__).with_name("migrations")))
    scripts = ScriptDirectory.from_config(cfg)
    return sorted((s.module for s in scripts.walk_revisions()), key=lambda m: m.revision)


def _table_names(conn: Connection) -> list[str]:
    return [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").all()]


def test_the_tables_of_user_work_are_named_and_the_rest_exempt_by_name(project: Project) -> None:
    assert history.NOT_USER_WORK == EXEMPT
    with project.engine.connect() as conn:
        names = _table_names(conn)
        assert history.user_tables(conn) == USER_TABLES
    assert sorted(n for n in names if n not in USER_TABLES and not n.startswith(("text_fts", "lemma_fts"))) \
        == sorted(EXEMPT)


def test_every_table_of_user_work_is_captured_column_for_column(project: Project) -> None:
    with project.engine.connect() as conn:
        assert history.capture_gaps(conn) == []
        captured = history.installed(conn)
        for table in USER_TABLES:
            columns = [r[1] for r in conn.exec_driver_sql(f'PRAGMA table_info("{table}")').all()]
            by_name = {s.split()[2]: s for s in captured[table]}
            assert history.recorded_columns(by_name[f"undo_{table}_ad"]) == columns, table
            changing = [c for c in columns if c not in history.IMMUTABLE.get(table, ())]
            assert history.recorded_columns(by_name[f"undo_{table}_au"]) == changing, table
            assert (f"undo_{table}_ai" in by_name) == (table != "search_hits"), table
        # The capture installed is exactly what the generator makes of the schema now.
        assert captured == history.generate(conn)


def test_the_models_columns_are_the_captured_columns(project: Project) -> None:
    """A column added to a model of user work without a migration that captures it fails here."""
    from qdaapp.core.models import Base

    with project.engine.connect() as conn:
        captured = history.installed(conn)
        assert sorted(t for t in Base.metadata.tables if history.is_user_work(t)) == USER_TABLES
        for table in USER_TABLES:
            delete = next(s for s in captured[table] if f"undo_{table}_ad" in s)
            assert sorted(Base.metadata.tables[table].columns.keys()) == sorted(history.recorded_columns(delete)), \
                table


def test_a_column_added_without_capture_is_a_gap(project: Project) -> None:
    with project.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE codings ADD COLUMN note TEXT")
        assert history.capture_gaps(conn) == [
            "codings: undo_codings_ad does not record note",
            "codings: undo_codings_au does not record note",
        ]
        # Generating the capture again from the schema closes the gap.
        history.install(conn, history.generate(conn, ["codings"]))
        assert history.capture_gaps(conn) == []


def _run_with_extra_migration(tmp_path: Path, upgrade_body: str) -> list[str]:
    """Upgrade a new project through the real migrations and one more (0099) with ``upgrade_body``."""
    import shutil

    scripts = tmp_path / "migrations"
    shutil.copytree(Path(history.__file__).with_name("migrations"), scripts,
                    ignore=shutil.ignore_patterns("__pycache__"))
    head = [m.revision for m in _migrations()][-1]
    (scripts / "versions" / "0099_test.py").write_text(
        "from alembic import op\n\nfrom qdaapp.core import history\n\n"
        f"revision = '0099'\ndown_revision = '{head}'\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n" + upgrade_body + "\n\ndef downgrade() -> None:\n    pass\n",
        encoding="utf-8")
    path = tmp_path / "extra.qda"
    sqlite3.connect(path).close()
    engine = make_engine(path)
    cfg = Config()
    cfg.set_main_option("script_location", str(scripts))
    from alembic import command as alembic_command

    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        alembic_command.upgrade(cfg, "head")
    with engine.connect() as conn:
        gaps = history.capture_gaps(conn)
    engine.dispose()
    return gaps


def test_a_migration_that_adds_a_column_without_capture_fails_the_coverage(tmp_path: Path) -> None:
    gaps = _run_with_extra_migration(tmp_path, "    op.execute('ALTER TABLE memos ADD COLUMN colour TEXT')\n")
    assert gaps == ["memos: undo_memos_ad does not record colour", "memos: undo_memos_au does not record colour"]


def test_a_migration_that_captures_what_it_adds_passes_the_coverage(tmp_path: Path) -> None:
    body = ("    op.execute('ALTER TABLE memos ADD COLUMN colour TEXT')\n"
            "    op.execute('CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL)')\n"
            "    history.install(op.get_bind(), history.generate(op.get_bind(), ['memos', 'tags']))\n")
    assert _run_with_extra_migration(tmp_path, body) == []


def test_a_table_of_user_work_without_capture_is_a_gap(project: Project) -> None:
    with project.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        assert history.capture_gaps(conn) == ["tags: no undo capture"]
        conn.exec_driver_sql("DROP TRIGGER undo_memos_au")
        assert history.capture_gaps(conn) == ["memos: no undo_memos_au trigger", "tags: no undo capture"]


def test_a_dropped_column_still_recorded_is_a_gap(project: Project) -> None:
    with project.engine.begin() as conn:
        history.drop(conn, ["fragment_links"])
        conn.exec_driver_sql("ALTER TABLE fragment_links DROP COLUMN label")
        history.install(conn, history.generate(conn, ["fragment_links"]))
        conn.exec_driver_sql("ALTER TABLE fragment_links ADD COLUMN label VARCHAR(255)")
        conn.exec_driver_sql("ALTER TABLE fragment_links RENAME COLUMN kind TO link_kind")
        gaps = history.capture_gaps(conn)
    assert "fragment_links: undo_fragment_links_ad does not record link_kind, label" in gaps
    assert "fragment_links: undo_fragment_links_ad records columns it no longer has: kind" in gaps


def test_each_migrations_frozen_capture_is_what_the_generator_makes_of_its_schema(tmp_path: Path) -> None:
    """At each revision that writes capture, the frozen text is installed and equals the generated text.

    0008 wrote the capture of ``sources`` with its columns in their order before the move (the same
    columns); 0010 writes it again as generated.
    """
    path = tmp_path / "steps.qda"
    sqlite3.connect(path).close()
    engine = make_engine(path)
    frozen_revisions = []
    for module in _migrations():
        _migrate(engine, module.revision)
        capture = getattr(module, "CAPTURE", None)
        if capture is None:
            continue
        frozen_revisions.append(module.revision)
        with engine.connect() as conn:
            installed = history.installed(conn)
            generated = history.generate(conn, list(capture))
            assert {t: installed[t] for t in capture} == capture, module.revision
            if module.revision == "0008":
                assert [history.recorded_columns(s) for s in capture["sources"]] != \
                    [history.recorded_columns(s) for s in generated["sources"]]
                assert [sorted(history.recorded_columns(s)) for s in capture["sources"]] == \
                    [sorted(history.recorded_columns(s)) for s in generated["sources"]]
            else:
                assert generated == capture, module.revision
            assert history.capture_gaps(conn) == [], module.revision
    engine.dispose()
    assert frozen_revisions == ["0004", "0005", "0006", "0007", "0008", "0010", "0012"]


def test_downgrades_put_back_the_capture_each_revision_had(tmp_path: Path) -> None:
    path = tmp_path / "steps.qda"
    sqlite3.connect(path).close()
    engine = make_engine(path)
    revisions = [m.revision for m in _migrations()]
    seen = {}
    for rev in revisions:
        _migrate(engine, rev)
        with engine.connect() as conn:
            seen[rev] = history.installed(conn)
    for rev in reversed(revisions[3:-1]):
        _migrate(engine, rev, down=True)
        with engine.connect() as conn:
            assert history.installed(conn) == seen[rev], rev
    engine.dispose()


def test_undo_after_the_capture_is_generated_again(project: Project) -> None:
    """A capture generated anew records what undo needs: a new column's value comes back with its row."""
    with project.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE codings ADD COLUMN note TEXT")
        history.install(conn, history.generate(conn, ["codings"]))
    cid = project.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    with project.engine.begin() as conn:
        # A value set outside any command (the row's own update record is discarded, so only the delete's counts).
        conn.exec_driver_sql("UPDATE codings SET note = 'kept' WHERE id = ?", (cid,))
        conn.exec_driver_sql("DELETE FROM undo_ops WHERE event_seq IS NULL")
    project.run(coding.uncode, cid)
    project.undo()
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT note FROM codings WHERE id = ?", (cid,)).scalar() == "kept"


def test_a_project_upgraded_from_0009_gets_the_generated_capture_and_undo_works(project_path: Path,
                                                                              tmp_path: Path) -> None:
    from qdaapp.core import sources

    engine = make_engine(project_path)
    _migrate(engine, "0009", down=True)
    with engine.connect() as conn:
        old = history.installed(conn)["sources"]
        assert old != history.generate(conn, ["sources"])["sources"]
    engine.dispose()
    (tmp_path / "New.txt").write_text("A new interview text.\n", encoding="utf-8")
    with Project.open(project_path, coder="tester") as p:
        with p.engine.connect() as conn:
            assert history.installed(conn) == history.generate(conn)
            assert history.capture_gaps(conn) == []
        docs, _ = sources.read_files([tmp_path / "New.txt"])
        p.run(sources.import_documents, docs)
        p.run(sources.update_source, "New.txt", name="Renamed.txt")
        with p.engine.connect() as conn:
            row = conn.exec_driver_sql("SELECT * FROM sources WHERE name = 'Renamed.txt'").one()
        p.run(sources.delete_source, "Renamed.txt")
        p.undo()  # the delete: the whole row comes back, long values included
        with p.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT * FROM sources WHERE name = 'Renamed.txt'").one() == row
        p.undo()  # the rename
        with p.read_session() as s:
            assert sources.text_and_pages(s, sources.resolve(s, "New.txt").id)[0] == "A new interview text.\n"
        p.redo()
        p.redo()
        with p.read_session() as s:
            assert "Renamed.txt" not in [i.name for i in sources.list_sources(s)]
        assert p.verify_audit().ok


# ---------------------------------------------------------------------- PostgreSQL
def test_postgresql_capture_text_for_one_table() -> None:
    assert history.capture_sql("speakers", ["id", "name", "role"], "postgresql") == [
        "CREATE OR REPLACE FUNCTION undo_speakers_capture_ai() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO undo_ops(tbl, op, row_id) VALUES ('speakers', 'I', NEW.\"id\"); RETURN NULL; END $$",
        'CREATE TRIGGER undo_speakers_ai AFTER INSERT ON "speakers" FOR EACH ROW EXECUTE FUNCTION '
        "undo_speakers_capture_ai()",
        "CREATE OR REPLACE FUNCTION undo_speakers_capture_ad() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO undo_ops(tbl, op, row_id, old) VALUES ('speakers', 'D', OLD.\"id\", json_build_object("
        "'id', OLD.\"id\", 'name', OLD.\"name\", 'role', OLD.\"role\")::text); RETURN NULL; END $$",
        'CREATE TRIGGER undo_speakers_ad AFTER DELETE ON "speakers" FOR EACH ROW EXECUTE FUNCTION '
        "undo_speakers_capture_ad()",
        "CREATE OR REPLACE FUNCTION undo_speakers_capture_au() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO undo_ops(tbl, op, row_id, old, new) VALUES ('speakers', 'U', OLD.\"id\", json_build_object("
        "'id', OLD.\"id\", 'name', OLD.\"name\", 'role', OLD.\"role\")::text, json_build_object("
        "'id', NEW.\"id\", 'name', NEW.\"name\", 'role', NEW.\"role\")::text); RETURN NULL; END $$",
        'CREATE TRIGGER undo_speakers_au AFTER UPDATE ON "speakers" FOR EACH ROW EXECUTE FUNCTION '
        "undo_speakers_capture_au()",
    ]


def test_postgresql_capture_records_the_same_columns_as_sqlite(project: Project) -> None:
    with project.engine.connect() as conn:
        lite = history.generate(conn)
        tables = [t for t in history.user_tables(conn) if t != "lexicons"]
        pg = history.generate(conn, tables, "postgresql")
        with pytest.raises(ValueError, match="lexicons needs a single integer primary key"):
            history.generate(conn, ["lexicons"], "postgresql")
    for table in tables:
        pg_records = [s.replace("json_build_object(", "json_object(") for s in pg[table] if "FUNCTION undo_" in s
                      and s.startswith("CREATE OR REPLACE")]
        pg_cols = [history.recorded_columns(s.replace("encode(", "hex(")) for s in pg_records]
        lite_cols = [history.recorded_columns(s) for s in lite[table]]
        assert pg_cols == lite_cols, table
        assert not any("rowid" in s for s in pg[table])
    assert "encode(OLD.\"original\", 'hex')" in pg["sources"][2]
    assert not any("undo_search_hits_ai" in s for s in pg["search_hits"])


def test_freeze_source_gives_back_the_statements(project: Project) -> None:
    with project.engine.connect() as conn:
        capture = history.generate(conn)
    namespace: dict = {}
    source = history.freeze_source(capture)
    exec(source, namespace)
    assert namespace["CAPTURE"] == capture
    assert max(len(line) for line in source.splitlines()) <= 120


def test_the_freeze_command_prints_the_capture_generated_from_a_project(project_path: Path,
                                                                       capsys: pytest.CaptureFixture) -> None:
    assert history._main(["freeze", str(project_path), "speakers", "sources"]) == 0
    engine = make_engine(project_path, read_only=True)
    with engine.connect() as conn:
        expected = history.freeze_source(history.generate(conn, ["speakers", "sources"]))
    engine.dispose()
    assert capsys.readouterr().out == expected
    namespace: dict = {}
    exec(expected, namespace)
    assert list(namespace["CAPTURE"]) == ["speakers", "sources"]
    assert 'hex(OLD."original")' in namespace["CAPTURE"]["sources"][1]
