"""Coding frames: the shipped codebooks, safe reading, and applying a frame as one audited command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qdaapp.core import audit, frames, nodes, plugins
from qdaapp.core.errors import NotFound
from qdaapp.core.project import Project

from ..conftest import ROOT

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
SHIPPED = {
    "greimas-speech-acts": ("Speech acts", ["manipulation", "commitment", "competence", "performance",
                                                    "sanction"]),
    "greimas-actantial": ("Greimas actantial model", ["subject", "object", "sender", "receiver", "helper",
                                                      "opponent"]),
    "callon-translation": ("Callon moments of translation", ["problematisation", "interessement", "enrolment",
                                                             "mobilisation"]),
    "wenger-cop": ("Wenger communities of practice", ["domain", "community", "practice"]),
}


def codebook(codes: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
            f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>').encode()


def test_shipped_frames_are_valid_refi_codebooks(fixtures_root: Path) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(fixtures_root / "refi" / "Codebook.xsd")))
    files = sorted((ROOT / "resources" / "frames").glob("*.qdc"))
    assert {f.stem for f in files} == set(SHIPPED)
    for path in files:
        doc = etree.parse(str(path))
        assert schema.validate(doc), f"{path.name}: {schema.error_log}"


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_frame_content(name: str) -> None:
    frame = frames.load(name)
    title, top = SHIPPED[name]
    assert frame.title == title and frame.plugin == "qdaapp" and frame.description
    assert [c.name for c in frame.codes] == top
    for path, code in frame.walk():
        assert code.color in OKABE_ITO, path
        assert 20 < len(code.description) < 300 and code.description.count(". ") <= 2, path
        assert len(code.guid) == 36
    assert len({c.guid for _, c in frame.walk()}) == frame.count()


def test_wenger_is_a_small_tree() -> None:
    paths = [p for p, _ in frames.load("wenger-cop").walk()]
    base = "Wenger communities of practice"
    assert paths == [f"{base}/domain", f"{base}/community", f"{base}/practice", f"{base}/practice/mutual engagement",
                     f"{base}/practice/joint enterprise", f"{base}/practice/shared repertoire"]


def test_list_frames_and_find_by_title() -> None:
    listed = {f.name: f for f in frames.list_frames()}
    assert set(SHIPPED) <= set(listed)
    assert listed["greimas-speech-acts"].codes == 5 and listed["greimas-actantial"].codes == 6
    assert listed["callon-translation"].codes == 4 and listed["wenger-cop"].codes == 6
    assert listed["wenger-cop"].as_dict()["title"] == "Wenger communities of practice"
    assert frames.find("Speech Acts")[0] == "greimas-speech-acts"
    assert frames.find("CALLON-translation")[0] == "callon-translation"
    with pytest.raises(NotFound, match="no coding frame 'nope'; available: callon-translation, greimas-actantial"):
        frames.load("nope")


def test_apply_adds_the_tree_with_definitions_and_colours(project: Project) -> None:
    result = frames.apply_frame(project, "greimas-speech-acts")
    assert result.added[0] == "Speech acts" and len(result.added) == 6 and result.existing == []
    assert "6 node(s) added" in result.message()
    with project.read_session() as s:
        by_path = {n.path: n for n in nodes.list_nodes(s)}
    node = by_path["Speech acts/manipulation"]
    assert node.kind == "tree" and node.color == "#E69F00" and node.description.startswith("Someone is made to")
    assert by_path["Speech acts/sanction"].color == "#D55E00"
    assert [n.name for n in sorted(by_path.values(), key=lambda n: (n.parent_id or 0, n.position))
            if n.path.startswith("Speech acts/")] == SHIPPED["greimas-speech-acts"][1]
    with project.engine.connect() as conn:
        events = [audit.event_dict(e) for e in audit.query_events(conn, audit.EventFilter(), newest_first=False)]
    applied = [e for e in events if e["action"] == "frame.apply"]
    assert len(applied) == 1 and applied[0]["summary"] == "apply coding frame 'Speech acts': 6 node(s) added"
    assert sum(e["action"] == "node.create" and "Speech acts" in e["summary"] for e in events) == 6
    assert project.verify_audit().ok


def test_applying_again_adds_only_what_is_missing(project: Project) -> None:
    frames.apply_frame(project, "wenger-cop")
    with project.engine.connect() as conn:
        before = len(list(audit.query_events(conn, audit.EventFilter())))
    again = frames.apply_frame(project, "wenger-cop")
    assert again.added == [] and len(again.existing) == 7 and "nothing was added" in again.message()
    with project.engine.connect() as conn:
        assert len(list(audit.query_events(conn, audit.EventFilter()))) == before  # no write at all
    with project.read_session() as s:
        practice = nodes.resolve(s, "Wenger communities of practice/practice/joint enterprise").id
    project.run(nodes.delete_node, practice)
    third = frames.apply_frame(project, "wenger-cop")
    assert third.added == ["Wenger communities of practice/practice/joint enterprise"]
    assert "1 node(s) added; 6 were already there" in third.message()
    with project.read_session() as s:
        paths = [n.path for n in nodes.list_nodes(s)]
    assert len(paths) == len(set(paths)) and sum(p.startswith("Wenger") for p in paths) == 7


def test_apply_is_one_undo_step(project: Project) -> None:
    with project.read_session() as s:
        before = sorted(n.path for n in nodes.list_nodes(s))
    frames.apply_frame(project, "callon-translation")
    assert project.undo_redo_text()[0] == "apply coding frame 'Callon moments of translation': 5 node(s) added"
    project.undo()
    with project.read_session() as s:
        assert sorted(n.path for n in nodes.list_nodes(s)) == before
    project.redo()
    with project.read_session() as s:
        assert "Callon moments of translation/enrolment" in {n.path for n in nodes.list_nodes(s)}


@pytest.mark.parametrize("data, problem", [
    (codebook('<Code guid="a" name="x" isCodable="true"/>',
              '<!DOCTYPE CodeBook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'), "DOCTYPE or entities"),
    (b"<CodeBook><Codes>", "not valid XML"),
    (b'<Project xmlns="urn:QDA-XML:project:1.0"/>', "not a REFI-QDA codebook"),
    (codebook(""), "has no codes"),
    (codebook('<Code guid="a" name="a/b" isCodable="true"/>'), "code name that cannot be a node name: 'a/b'"),
    (codebook('<Code guid="a" name="t" isCodable="true"><Code guid="b" name="x" isCodable="true"/>'
              '<Code guid="c" name="x" isCodable="true"/></Code>'), "two codes with the same name under 't'"),
])
def test_unsafe_or_wrong_codebooks_are_refused(data: bytes, problem: str) -> None:
    with pytest.raises(frames.FrameError, match=re.escape(problem)):
        frames.parse(data, "test")


def test_codebook_without_a_title_code_gets_one_from_its_name() -> None:
    frame = frames.parse(codebook('<Code guid="a" name="Trust" isCodable="true" color="#abc">'
                                  '<Description>  Being able\n to rely on someone. </Description></Code>'
                                  '<Code guid="b" name="Doubt" isCodable="true" color="not-a-colour"/>'),
                         "my-themes_v2")
    assert frame.title == "My themes v2" and [c.name for c in frame.codes] == ["Trust", "Doubt"]
    assert frame.codes[0].color == "#AABBCC" and frame.codes[0].description == "Being able to rely on someone."
    assert frame.codes[1].color is None


def test_plugins_can_contribute_frames(tmp_path: Path, project: Project) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("QDAAPP_HOME", str(tmp_path / "home"))
        folder = tmp_path / "home" / "plugins" / "frames_plugin"
        (folder / "frames").mkdir(parents=True)
        (folder / "frames" / "storytelling.qdc").write_bytes(codebook(
            '<Code guid="a" name="Storytelling" isCodable="false"><Code guid="b" name="first-level" isCodable="true">'
            '<Code guid="c" name="pattern" isCodable="true"/></Code></Code>'))
        (folder / plugins.MANIFEST).write_text('name = "story"\nversion = "1"\napi = 1\n'
                                               '[contributes]\nframes = ["frames/storytelling.qdc"]\n')
        plugins.reload_registry()
        try:
            info = {f.name: f for f in frames.list_frames()}["storytelling"]
            assert info.plugin == "story" and info.codes == 2 and info.title == "Storytelling"
            result = frames.apply_frame(project, "storytelling")
            assert result.added == ["Storytelling", "Storytelling/first-level", "Storytelling/first-level/pattern"]
            plugins.set_enabled("story", False)
            assert "storytelling" not in frames.available()
        finally:
            plugins.reload_registry()


def test_marker_review_codes_into_the_speech_act_frame(project: Project) -> None:
    """Accepted marker hits land on the frame's own nodes (with their definitions), not in a second tree."""
    from qdaapp.core import coding, indexing, lexicon, markers, review

    frames.apply_frame(project, "greimas-speech-acts")
    with project.read_session() as s:
        before = {n.path for n in nodes.list_nodes(s)}
    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    run = project.run(markers.run_markers, spec, coder="tester")
    with project.read_session() as s:
        ids = [h.id for h in review.list_hits(s, run) if h.act == "manipulation"]
    assert ids
    project.run(review.accept_hits, run, ids, spread="sentence", coder="tester")
    with project.read_session() as s:
        after = {n.path: n for n in nodes.list_nodes(s)}
        coded = coding.list_codings(s, node_ref="Speech acts/manipulation")
    assert set(after) == before  # no second "Speech acts" tree
    assert coded and after["Speech acts/manipulation"].description.startswith("Someone is made to")
