"""Audit events read as sentences with their content, and an event's passages are listed on demand."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdaapp.core import audit, audit_passages, audit_text, coding, nodes, review, sources
from qdaapp.core.project import Project

from ..conftest import SAMPLE
from .test_markers import indexed_sources, run_every_marker

ANA = "P2: We have to wait for the doctor. You don't have to worry about it. I wanted to help.\n"
BEN = "P3: They have to sign the form first.\n"


def sentences(project: Project, action: str | None = None) -> list[str]:
    with project.engine.connect() as conn:
        rows = audit.event_rows(conn, audit.EventFilter(action=action), newest_first=False)
        return audit_text.describe_rows(conn, rows)


def seq_of(project: Project, action: str) -> int:
    with project.engine.connect() as conn:
        return audit.event_rows(conn, audit.EventFilter(action=action), limit=1)[0][0]


@pytest.fixture
def two_interviews(tmp_path: Path):
    project = indexed_sources(tmp_path, {"Ana.txt": ANA, "Ben.txt": BEN})
    yield project, run_every_marker(project)
    project.close()


def test_accepting_every_hit_of_a_marker_reads_with_its_counts_and_stays_true_after_a_rename(two_interviews) -> None:
    project, run_id = two_interviews
    with project.read_session() as s:
        have = review.select_hits(s, run_id, marker="have to")
    project.run(review.accept_hits, run_id, have, coder="tester")
    expected = ("Accepted all 3 hits of marker 'have to' (manipulation) in 2 sources, 1 of them negated, "
                "coded at Speech acts/manipulation")
    assert sentences(project, "hits.accept") == [expected]
    with project.read_session() as s:
        node = nodes.find_tree_path(s, "Speech acts/manipulation").id
    project.run(nodes.update_node, node, name="Orders")
    project.run(sources.delete_source, "Ben.txt")  # takes its hits with it
    assert sentences(project, "hits.accept") == [expected]  # as it was when decided


def test_rejecting_some_hits_reads_with_its_counts(two_interviews) -> None:
    project, run_id = two_interviews
    with project.read_session() as s:
        have = review.select_hits(s, run_id, marker="have to")
        ana = sources.resolve(s, "Ana.txt").id
        mine = review.select_hits(s, run_id, marker="have to", source_id=ana)
    project.run(review.accept_hits, run_id, have, coder="tester")
    project.run(review.reject_hits, run_id, mine, coder="tester")
    assert sentences(project, "hits.reject") == [
        "Rejected 2 hits of marker 'have to' (manipulation) in 1 source, 1 of them negated, removing 2 codings"]


def test_an_accept_lists_its_passages_with_marker_and_polarity(two_interviews) -> None:
    project, run_id = two_interviews
    with project.read_session() as s:
        have = review.select_hits(s, run_id, marker="have to")
    project.run(review.accept_hits, run_id, have, coder="tester")
    with project.engine.connect() as conn:
        seq = seq_of(project, "hits.accept")
        assert audit_passages.passage_count(conn, seq) == 3
        listed = audit_passages.event_passages(conn, seq)
        assert [(p.source, p.quote, p.node, p.change, p.marker, p.polarity) for p in listed] == [
            ("Ana.txt", "We have to wait for the doctor.", "Speech acts/manipulation", "coded", "have to", "positive"),
            ("Ana.txt", "You don't have to worry about it.", "Speech acts/manipulation", "coded", "have to",
             "negative"),
            ("Ben.txt", "They have to sign the form first.", "Speech acts/manipulation", "coded", "have to",
             "positive"),
        ]
        assert [p.quote for p in audit_passages.event_passages(conn, seq, limit=1)] == [
            "We have to wait for the doctor."]


def test_coding_merge_move_delete_and_undo_read_as_sentences(project: Project) -> None:
    start = SAMPLE.index("We had to do something")
    end = start + len("We had to do something")
    faith = project.run(nodes.create_node, "Faith", free=True)
    project.run(coding.code, "Rosa.txt", start, end, "Faith", "tester")
    project.run(coding.code, "Notes.txt", 0, 17, "Faith", "tester")
    project.run(nodes.merge_nodes, faith, "Trust")
    project.run(nodes.create_node, "Relationships")
    with project.read_session() as s:
        workload = nodes.find_tree_path(s, "Barriers/Workload").id
    project.run(nodes.move_node, workload, to_parent="Relationships")
    project.run(nodes.update_node, workload, name="Load")
    project.run(coding.code, "Rosa.txt", 0, 11, "Trust", "tester")
    project.undo()
    project.run(sources.delete_source, "Rosa.txt")
    said = sentences(project)
    assert said[-9:] == [
        "Coded 'We had to do something' in Rosa.txt at Faith",
        "Coded 'Field note 3 May.' in Notes.txt at Faith",
        "Merged node 'Faith' into 'Trust' (2 codings moved)",
        "Created node 'Relationships'",
        "Moved node 'Workload' from 'Barriers' to 'Relationships'",
        "Renamed node 'Workload' to 'Load'",
        "Coded 'Interviewer' in Rosa.txt at Trust",
        "Undid: coded 'Interviewer' in Rosa.txt at Trust",
        "Deleted source 'Rosa.txt' with its 1 coding",
    ]
    assert not any("#" in s for s in said)
    with project.engine.connect() as conn:
        merged = audit_passages.event_passages(conn, seq_of(project, "node.merge"))
        # Rosa.txt is gone: its name and words come from the record of its removal
        assert [(p.source, p.quote, p.node, p.change) for p in merged] == [
            ("Notes.txt", "Field note 3 May.", "Trust", "moved"),
            ("Rosa.txt", "We had to do something", "Trust", "moved"),
        ]
        deleted = audit_passages.event_passages(conn, seq_of(project, "source.delete"))
        assert [(p.source, p.quote, p.change) for p in deleted] == [("Rosa.txt", "We had to do something", "uncoded")]


def test_every_registered_action_has_its_own_sentence() -> None:
    from qdaapp.core import audit_sentences  # noqa: F401
    from qdaapp.core.commands import REGISTRY, SUB_EVENTS, _load_all_commands

    _load_all_commands()
    # Read from their summaries, which already say it all in plain words.
    plain = {"case.create", "case.update", "case.assign", "attribute.create", "attribute.remove", "account.create",
             "account.update", "account.delete", "actor.create", "actant.assign", "actant.remove", "lexicon.edit",
             "frame.apply", "speaker.set_role", "fragment.place", "undo", "redo", "project.set_blind",
             "project.end_blind"}
    missing = sorted(a for a in set(REGISTRY) | SUB_EVENTS if a not in audit_text.RENDERERS and a not in plain)
    assert missing == []


def test_a_summary_reads_in_the_past_tense() -> None:
    assert audit_text.from_summary("switch blind coding off: everyone sees all codings") == (
        "Switched blind coding off: everyone sees all codings")
    assert audit_text.from_summary("end the blind phase: everyone now sees all coders' codings").startswith(
        "Ended the blind phase")
    assert audit_text.from_summary("create case 'P1 Rosa'") == "Created case 'P1 Rosa'"
    assert audit_text.from_summary("assign Rosa.txt to case 'P1'") == "Assigned Rosa.txt to case 'P1'"
    assert audit_text.cut("one two three four", 9) == "one two…"
