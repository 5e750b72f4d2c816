"""The read-only API plugins use: plain values out, the same figures as the project's own queries."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from qdaapp.core import audit, coding, indexing, lexicon, markers, plugin_api, review, sources
from qdaapp.core.errors import InvalidInput, NotFound
from qdaapp.core.plugins import PLUGIN_API

from ..conftest import ROOT, SAMPLE

PLAIN = (int, str, float, type(None), tuple)


def assert_plain(values: list) -> None:
    for value in values:
        assert dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen
        for field in dataclasses.fields(value):
            assert isinstance(getattr(value, field.name), PLAIN), field.name


def test_the_version_is_the_manifests(project) -> None:
    assert plugin_api.API_VERSION == PLUGIN_API


def test_sources_nodes_codings_and_text(project) -> None:
    got = plugin_api.sources(project)
    assert_plain(got)
    assert [(s.id, s.name, s.case, s.kind) for s in got] == [(1, "Rosa.txt", "P1 Rosa", "interview"),
                                                             (2, "Notes.txt", None, "field-note")]
    with project.read_session() as s:
        assert [x.words for x in got] == [i.words for i in sorted(sources.list_sources(s), key=lambda i: i.id)]
    tree = plugin_api.nodes(project)
    assert_plain(tree)
    assert {(n.path, n.kind) for n in tree} == {("Trust", "free"), ("Barriers", "tree"),
                                                ("Barriers/Workload", "tree")}
    project.run(coding.code, "Rosa.txt", 0, 11, "Trust", "tester")
    project.run(coding.code, "Notes.txt", 0, 5, "Barriers/Workload", "tester")
    passages = plugin_api.codings(project, "Trust")
    assert_plain(passages)
    assert [(c.source_id, c.start, c.end, c.text) for c in passages] == [(1, 0, 11, SAMPLE[0:11])]
    assert plugin_api.codings(project, "Barriers/Workload")[0].text == "Field"
    assert plugin_api.source_text(project, "Rosa.txt") == SAMPLE
    with pytest.raises(NotFound):
        plugin_api.codings(project, "Nothing")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_marker_runs_and_hits(project, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        plugin_api.marker_run(project)
    assert plugin_api.marker_runs(project) == []
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s, "greimas-en")
    first = project.run(markers.run_markers, spec, coder="tester")
    second = project.run(markers.run_markers, spec, coder="tester", source_ids=[1])
    runs = plugin_api.marker_runs(project)
    assert_plain(runs)
    assert [r.id for r in runs] == [first, second] and plugin_api.marker_run(project).id == second
    assert runs[0].sources is None and runs[1].sources == (1,) and runs[0].language == "en"
    assert [s.id for s in plugin_api.run_sources(project, runs[0])] == [1, 2]
    assert [s.id for s in plugin_api.run_sources(project, runs[1])] == [1]
    docs, failures = sources.read_files([write(tmp_path / "Later.txt", "Imported after both runs.\n")])
    assert not failures
    project.run(sources.import_documents, docs, kind="field-note")
    assert [s.id for s in plugin_api.run_sources(project, runs[0])] == [1, 2]  # not the later source
    with pytest.raises(NotFound):
        plugin_api.marker_run(project, 99)
    with project.read_session() as s:
        hits = review.list_hits(s, first)
    counts = plugin_api.marker_hit_counts(project, runs[0])
    assert sum(counts.values()) == len(hits) > 0
    assert counts == {k: sum((h.source_id, h.act) == k for h in hits) for k in counts}
    project.run(review.reject_hits, first, [hits[0].id], coder="tester")
    assert sum(plugin_api.marker_hit_counts(project, first).values()) == len(hits) - 1


def test_reading_writes_nothing(project) -> None:
    with project.engine.connect() as conn:
        before = audit.count_events(conn)
    plugin_api.sources(project), plugin_api.nodes(project), plugin_api.marker_runs(project)
    plugin_api.codings(project, "Trust"), plugin_api.source_text(project, 1)
    with project.engine.connect() as conn:
        assert audit.count_events(conn) == before


def test_the_shipped_plugins_read_through_the_api() -> None:
    """The import-linter contract covers plugins/ too; this names the one rule for a reader of the tests."""
    text = (Path(ROOT) / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'source_modules = \[[^\]]*"plugins"', text)
    for module in (Path(ROOT) / "plugins").rglob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+(sqlalchemy|qdaapp\.core\.models)\b", source, re.M), module
        assert not re.search(r"^\s*from\s+qdaapp\.core\s+import\s+.*\bmodels\b", source, re.M), module
