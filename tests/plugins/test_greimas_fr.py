"""The greimas-fr plugin and source languages: detection, the French pipeline, language-scoped marker runs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qdaapp.cli import main
from qdaapp.core import indexing, lexicon, markers, nlp, review, sources
from qdaapp.core.errors import InvalidInput
from qdaapp.core.models import SearchRun, SourceIndex
from qdaapp.core.project import Project, _migrate

FRENCH = (
    "Intervieweuse: Comment le projet a-t-il commencé ?\n"
    "Claire: Il faut que nous allions voir le directeur, c'était clair. "
    "Nous avons décidé de présenter le projet à l'équipe. "
    "Je ne savais pas comment faire, au début. "
    "Finalement nous avons pu organiser la réunion, et ça a bien marché.\n"
)
ENGLISH = "Interviewer: And then?\nP2: We had to do it, and we were able to finish. It worked well.\n"


@pytest.fixture
def bilingual(tmp_path: Path) -> Project:
    (tmp_path / "Claire.txt").write_text(FRENCH, encoding="utf-8")
    (tmp_path / "Dev.txt").write_text(ENGLISH, encoding="utf-8")
    project = Project.create(tmp_path / "bi.qda", coder="tester")
    docs, failures = sources.read_files([tmp_path / "Claire.txt", tmp_path / "Dev.txt"])
    assert not failures
    project.run(sources.import_documents, docs)
    indexing.index_sources(project)
    yield project
    project.close()


def test_the_lexicon_is_a_plugin_lexicon_in_french() -> None:
    path = lexicon.available()["greimas-fr"]
    assert path.parent.name == "greimas_fr"
    spec = lexicon.load_file(path)
    assert spec.name == "greimas-fr" and spec.language == "fr" and set(spec.acts) == set(lexicon.ACTS)
    phrases = {p.text for act in spec.acts.values() for p in act.phrases}
    assert {"falloir", "devoir", "vouloir", "savoir", "pouvoir", "capable de", "réussir à", "décider de",
            "accepter de"} <= phrases


@pytest.mark.parametrize("text, lang", [
    (FRENCH, "fr"),
    (ENGLISH, "en"),
    ("Field note 3 May.\nThe team met and agreed to start.\n", "en"),
    ("12 34 56", "en"),
    ("Nous avons mis en place un groupe de travail avec les infirmières et le médecin.", "fr"),
])
def test_language_detection(text: str, lang: str) -> None:
    assert nlp.detect_language(text) == lang


def test_french_pipeline_is_blank_with_lookup_lemmas() -> None:
    pipe = nlp.pipeline("fr")
    assert pipe.lang == "fr" and pipe.pipe_names == ["lemmatizer", "sentencizer"]
    assert pipe.get_pipe("lemmatizer").mode == "lookup"
    assert [t.lemma_ for t in pipe("il faut qu'ils puissent")] == ["il", "falloir", "que", "il", "pouvoir"]
    assert nlp.pipeline_name("fr").startswith("blank_fr")


def test_sources_are_indexed_with_their_language(bilingual: Project) -> None:
    with bilingual.read_session() as s:
        langs = {i.name: i.language for i in sources.list_sources(s)}
        pipelines = {row.source_id: row.pipeline for row in s.query(SourceIndex)}
    assert langs == {"Claire.txt": "fr", "Dev.txt": "en"}
    assert {p.split("-")[0] for p in pipelines.values()} == {"blank_fr", nlp.pipeline_name("en").split("-")[0]}


def test_french_markers_find_the_right_acts(bilingual: Project) -> None:
    with bilingual.read_session() as s:
        spec = lexicon.load(s, "greimas-fr")
    run_id = bilingual.run(markers.run_markers, spec, coder="tester")
    with bilingual.read_session() as s:
        hits = review.list_hits(s, run_id)
        params = json.loads(s.get(SearchRun, run_id).params)
    found = {(h.act, h.marker, h.polarity) for h in hits}
    assert {("manipulation", "falloir", "positive"), ("commitment", "décidé de", "positive"),
            ("competence", "savoir", "negative"), ("competence", "pouvoir", "positive")} <= found
    assert ("sanction", "a marché", "positive") in found and ("performance", "organiser", "positive") in found
    assert {h.source for h in hits} == {"Claire.txt"} and {h.speaker for h in hits} == {"Claire"}
    by_marker = {h.marker: h for h in hits}
    assert FRENCH[by_marker["falloir"].start:by_marker["falloir"].end] == "faut"
    assert FRENCH[by_marker["décidé de"].start:by_marker["décidé de"].end] == "décidé de"
    assert by_marker["pouvoir"].subject == "nous"
    assert params["language"] == "fr" and params["other_languages_skipped"] == 1


def test_english_run_leaves_french_sources_out(bilingual: Project) -> None:
    with bilingual.read_session() as s:
        spec = lexicon.load(s, "greimas-en")
        claire = sources.resolve(s, "Claire.txt").id
    run_id = bilingual.run(markers.run_markers, spec, coder="tester")
    with bilingual.read_session() as s:
        assert {h.source for h in review.list_hits(s, run_id)} == {"Dev.txt"}
    with pytest.raises(InvalidInput, match="No chosen source is in the language of lexicon greimas-en"):
        bilingual.run(markers.run_markers, spec, source_ids=[claire], coder="tester")


def test_language_set_at_import_overrides_detection(tmp_path: Path) -> None:
    (tmp_path / "short.txt").write_text("Oui. Non. OK.\n", encoding="utf-8")
    project = Project.create(tmp_path / "p.qda", coder="tester")
    try:
        docs, _ = sources.read_files([tmp_path / "short.txt"])
        assert docs[0].language == "en"
        with pytest.raises(InvalidInput, match="not a language code"):
            project.run(sources.import_documents, docs, language="French")
        project.run(sources.import_documents, docs, language="fr")
        with project.read_session() as s:
            assert sources.list_sources(s)[0].language == "fr"
    finally:
        project.close()


def test_cli_import_language_and_french_markers(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    proj, text = tmp_path / "cli.qda", tmp_path / "entretien.txt"
    text.write_text("Nous devons partir. Nous voulons aider.\n", encoding="utf-8")
    assert main(["new", str(proj)]) == 0
    assert main(["import", str(proj), str(text), "--language", "xx9"]) == 1
    assert "not a language code" in capsys.readouterr().err
    assert main(["import", str(proj), str(text), "--language", "fr", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["language"] == "fr"
    assert main(["markers", str(proj), "--lexicon", "greimas-fr", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert [(h["act"], h["marker"]) for h in hits] == [("manipulation", "devoir"), ("commitment", "vouloir")]
    assert main(["markers", str(proj)]) == 1
    assert "in the language of lexicon greimas-en ('en')" in capsys.readouterr().err


def test_migration_0005_adds_language_and_recreates_the_undo_triggers(project_path: Path) -> None:
    project = Project.open(project_path, coder="tester")
    _migrate(project.engine, "0004", down=True)
    project.close()
    con = sqlite3.connect(project_path)
    assert "language" not in [r[1] for r in con.execute("PRAGMA table_info(sources)")]
    con.close()
    project = Project.open(project_path, coder="tester")  # migrates to 0005 (after a backup)
    try:
        with project.engine.connect() as conn:
            triggers = dict(conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'undo_sources_%'").all())
        assert set(triggers) == {"undo_sources_ai", "undo_sources_ad", "undo_sources_au"}
        assert "'language'" in triggers["undo_sources_ad"] and "'language'" in triggers["undo_sources_au"]
        assert "'text'" in triggers["undo_sources_ad"] and "'text'" not in triggers["undo_sources_au"]
        with project.read_session() as s:
            assert {i.language for i in sources.list_sources(s)} == {"en"}
        with project.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE sources SET language = 'fr' WHERE name = 'Notes.txt'")
            conn.exec_driver_sql("DELETE FROM undo_ops WHERE event_seq IS NULL")  # not a command: not undoable
        project.run(sources.delete_source, "Notes.txt")
        project.undo()
        with project.read_session() as s:
            assert {i.name: i.language for i in sources.list_sources(s)}["Notes.txt"] == "fr"
    finally:
        project.close()
