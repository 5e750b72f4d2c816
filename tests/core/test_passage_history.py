"""Each passage's history: how a coding was made, by whom and why, and what happened to it since."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdaapp.core import coding, memos, nodes, review, sources
from qdaapp.core.errors import NotFound
from qdaapp.core.passage_history import coding_history, coding_origin
from qdaapp.core.project import Project

from .test_markers import indexed_sources, run_every_marker

TEXT = "P2: We had to do everything again. The manager asked us to start over. You don't have to worry.\n"


def _history(project: Project, coding_id: int):
    with project.engine.connect() as conn:
        return coding_history(conn, coding_id)


def _rosa_span(project: Project, phrase: str) -> tuple[int, int]:
    with project.read_session() as s:
        text = sources.structure(s, sources.resolve(s, "Rosa.txt").id)["text"]
    start = text.index(phrase)
    return start, start + len(phrase)


def test_hand_coding_says_who_when_how_and_why(project: Project) -> None:
    a, b = _rosa_span(project, "the GP asked us to set it up")
    cid = project.run(coding.code, "Rosa.txt", a, b, "Trust", "Ana", reason="first reading")
    project.run(memos.add_memo, "Sounds like pressure.", target=f"coding:{cid}", title="Pressure")
    h = _history(project, cid)
    assert h.exists and h.quote == "the GP asked us to set it up"
    assert (h.source, h.node, h.coder, h.how) == ("Rosa.txt", "Trust", "Ana", "by hand")
    created = [ln for ln in h.lines if ln.kind == "created"]
    assert len(created) == 1
    assert created[0].text == "Coded by hand at 'Trust'."
    assert created[0].reason == "first reading" and created[0].coder == "tester"
    assert [m.title for m in h.memos] == ["Pressure"]
    assert [ln.text for ln in h.lines if ln.kind == "memo"] == ["Memo written: 'Pressure'."]
    assert [ln.seq for ln in h.lines] == sorted(ln.seq for ln in h.lines)
    with project.engine.connect() as conn:
        assert coding_origin(conn, cid).startswith("coded by Ana on ")
        assert coding_origin(conn, cid).endswith(", by hand")


def test_marker_accepted_coding_names_run_phrase_and_polarity(tmp_path: Path) -> None:
    project = indexed_sources(tmp_path, {"P2.txt": TEXT})
    try:
        run_id = run_every_marker(project)
        with project.read_session() as s:
            have = review.select_hits(s, run_id, marker="have to")
        project.run(review.accept_hits, run_id, have, spread="sentence", coder="tester", reason="clear cases")
        with project.read_session() as s:
            coded = {c.text: c.id for c in coding.list_codings(s)}
        negated = _history(project, coded["You don't have to worry."])
        plain = _history(project, coded["We had to do everything again."])
    finally:
        project.close()
    assert negated.how == "from marker 'have to' (manipulation, negated)"
    assert plain.how == "from marker 'have to' (manipulation)"
    created = [ln for ln in negated.lines if ln.kind == "created"]
    assert len(created) == 1 and created[0].action == "hits.accept" and created[0].reason == "clear cases"
    assert f"marker hit 'have to' (manipulation, negated) of marker run #{run_id}" in created[0].text
    assert "at 'Speech acts/manipulation'" in created[0].text and "2 hits accepted together" in created[0].text
    assert [h.negated for h in negated.hits] == [True] and [h.negated for h in plain.hits] == [False]
    found = [ln for ln in negated.lines if ln.action == "markers.run"]
    assert len(found) == 1 and found[0].seq < created[0].seq


def test_coding_moved_by_merge(project: Project) -> None:
    a, b = _rosa_span(project, "I wanted to help")
    cid = project.run(coding.code, "Rosa.txt", a, b, "Trust", "Ana")
    into = project.run(nodes.create_node, "Confidence", free=True)
    with project.read_session() as s:
        trust = nodes.resolve(s, "Trust").id
    project.run(nodes.merge_nodes, trust, into, reason="same idea")
    h = _history(project, cid)
    assert h.exists and h.node == "Confidence"
    merged = [ln for ln in h.lines if ln.action == "node.merge"]
    assert len(merged) == 1 and merged[0].kind == "changed" and merged[0].reason == "same idea"
    assert merged[0].text == "Moved to 'Confidence' when node 'Trust' was merged into it."


def test_deleted_coding_keeps_its_history(project: Project) -> None:
    a, b = _rosa_span(project, "a small audit")
    cid = project.run(coding.code, "Rosa.txt", a, b, "Barriers/Workload", "Ana")
    project.run(coding.uncode, cid, reason="not workload")
    h = _history(project, cid)
    assert not h.exists
    assert (h.quote, h.node, h.source, h.coder) == ("a small audit", "Barriers/Workload", "Rosa.txt", "Ana")
    assert [(ln.kind, ln.action) for ln in h.lines] == [("created", "coding.create"), ("removed", "coding.delete")]
    assert h.lines[1].reason == "not workload"


def test_undo_then_redo(project: Project) -> None:
    a, b = _rosa_span(project, "It worked well")
    cid = project.run(coding.code, "Rosa.txt", a, b, "Trust", "tester")
    made = _history(project, cid).lines[0].seq
    project.undo()
    project.redo()
    h = _history(project, cid)
    assert h.exists
    assert [ln.kind for ln in h.lines] == ["created", "removed", "restored"]
    assert h.lines[1].text == f"Removed by undoing event #{made}."
    assert h.lines[2].text == f"Restored by redoing event #{made}."
    assert h.lines[1].details == h.lines[2].details
    assert h.lines[1].details[0].startswith(f"Event #{made}: code 'Trust' in Rosa.txt (")


def test_coding_from_search_results_is_one_line(project: Project) -> None:
    with project.read_session() as s:
        sid = sources.resolve(s, "Rosa.txt").id
    spans = [(sid, *_rosa_span(project, "We had to do something")), (sid, *_rosa_span(project, "I wanted to help"))]
    project.run(coding.code_passages, spans, "Trust", "tester", origin="search:have to", label="2 results")
    with project.read_session() as s:
        cid = [c.id for c in coding.list_codings(s) if c.text == "I wanted to help"][0]
    h = _history(project, cid)
    assert [ln.action for ln in h.lines] == ["search.code"]
    assert h.lines[0].text == "Coded from the search 'have to' at 'Trust', one of 2 passages coded together."
    assert h.lines[0].details == ("Search: 2 results",)
    assert h.how == "from the search 'have to'"


def test_unknown_coding_says_so(project: Project) -> None:
    with pytest.raises(NotFound, match="no coding 999"):
        _history(project, 999)
