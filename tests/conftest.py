"""Shared fixtures: a template project built once and copied per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QDAAPP_CODER", "tester")

ROOT = Path(__file__).resolve().parents[1]
# The real material sits in ../shared/fixtures beside a clone; a checkout elsewhere
# (a second worktree, say) names it with QDAAPP_FIXTURES.
FIXTURES = Path(os.environ.get("QDAAPP_FIXTURES") or ROOT.parent / "shared" / "fixtures")

SAMPLE = (
    "Interviewer: How did the referral system start?\n"
    "P1: We had to do something, the GP asked us to set it up. "
    "I wanted to help, and I was able to use the template. 😀 It worked well.\n"
    "Interviewer: And then?\n"
    "P1: We didn't know how to measure it, so we ran a small audit.\n"
)


@pytest.fixture(scope="session")
def fixtures_root() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"shared fixtures not found at {FIXTURES}")
    return FIXTURES


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep logs, settings and demo copies out of the real home folder."""
    monkeypatch.setenv("QDAAPP_HOME", str(tmp_path_factory.getbasetemp() / "home"))


@pytest.fixture(scope="session")
def template_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project: two sources (one with an emoji), nodes, a case. Built once."""
    from qdaapp.core import cases, nodes, sources
    from qdaapp.core.project import Project

    # Built before the per-test home is set: its clean close records a stamp, kept out of the real home too.
    os.environ["QDAAPP_HOME"] = str(tmp_path_factory.getbasetemp() / "home")
    folder = tmp_path_factory.mktemp("template")
    (folder / "Rosa.txt").write_text(SAMPLE, encoding="utf-8")
    (folder / "Notes.txt").write_text("Field note 3 May.\nThe team met and agreed to start.\n", encoding="utf-8")
    path = folder / "template.qda"
    project = Project.create(path, coder="tester")
    docs, failures = sources.read_files([folder / "Rosa.txt"])
    assert not failures
    project.run(sources.import_documents, docs, kind="interview", case_name="P1 Rosa")
    docs, failures = sources.read_files([folder / "Notes.txt"])
    project.run(sources.import_documents, docs, kind="field-note")
    project.run(nodes.create_node, "Trust", free=True)
    project.run(nodes.create_node, "Barriers/Workload", description="Too much to do")
    project.run(cases.set_attribute, "case", "P1 Rosa", "role", "Practice nurse")
    project.close()
    return path


@pytest.fixture
def project_path(template_project: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project.qda"
    shutil.copy(template_project, target)
    return target


@pytest.fixture
def project(project_path: Path):
    from qdaapp.core.project import Project

    p = Project.open(project_path, coder="tester")
    yield p
    p.close()


# ---------------------------------------------------------------------- PostgreSQL
# tests/run.sh starts a throwaway server (tests/pg_server.py) and names it in QDAAPP_TEST_PG; without it
# the server tests are skipped, and the run's summary says so.
PG_URL = os.environ.get("QDAAPP_TEST_PG", "")
_pg_skipped: list[str] = []


@pytest.fixture
def pg_url(request: pytest.FixtureRequest):
    """The URL of an empty database of its own on the test server, dropped after the test."""
    if not PG_URL:
        _pg_skipped.append(request.node.nodeid)
        pytest.skip("no PostgreSQL server for the tests (tests/run.sh starts one)")
    import uuid

    import sqlalchemy as sa

    admin = sa.make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"qdaapp_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield admin.set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def pytest_terminal_summary(terminalreporter) -> None:
    if _pg_skipped:
        terminalreporter.write_line(f"PostgreSQL server tests SKIPPED ({len(_pg_skipped)}): no server was given "
                                    "(QDAAPP_TEST_PG); tests/run.sh starts one where PostgreSQL can be installed.",
                                    yellow=True)
