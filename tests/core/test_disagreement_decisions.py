"""Settling disagreements: keep one coder's coding, keep both, or a consensus coding; each audited and undoable."""

from __future__ import annotations

import pytest

from qdaapp.core import audit, audit_text, coding, disagreements, memos
from qdaapp.core import disagreement_decisions as decide
from qdaapp.core.disagreements import CONSENSUS
from qdaapp.core.errors import Conflict, InvalidInput
from qdaapp.core.project import Project

from .test_disagreements import code, found, ids, spans

PAIR = ("Ana", "Ben")


def held(project: Project, coder: str) -> list[tuple[int, int, str]]:
    """(start, end, origin) of ``coder``'s codings at Trust in Notes.txt."""
    with project.read_session() as s:
        return [(c.start, c.end, c.origin) for c in coding.list_codings(s, "Trust", "Notes.txt") if c.coder == coder]


def sentences(project: Project, action: str) -> list[str]:
    with project.engine.connect() as conn:
        rows = audit.event_rows(conn, audit.EventFilter(action=action), newest_first=False)
        return audit_text.describe_rows(conn, rows)


def progress(project: Project, **kw) -> tuple[int, int]:
    with project.read_session() as s:
        return disagreements.progress(s, PAIR, **kw)


def test_keep_the_coder_who_coded_adds_the_span_for_the_other_and_undo_takes_it_back(project: Project) -> None:
    code(project, "Ana", 0, 17)
    code(project, "Ben", 30, 40)
    source_id, trust, _ = ids(project)
    assert progress(project) == (0, 2)
    result = project.run(decide.keep, source_id, trust, 0, 17, "Ana", "Ben")
    assert result == {"created": 1, "changed": 0, "removed": 0, "memo": None}
    assert held(project, "Ben") == [(0, 17, "agreement"), (30, 40, "manual")]
    assert spans(project) == [(30, 40, "Ben")]
    assert progress(project) == (1, 1)
    assert progress(project, node_id=trust, source_id=source_id) == (1, 1)
    assert progress(project, node_id=ids(project)[2]) == (0, 0)
    assert sentences(project, "disagreement.keep") == [
        "Settled a disagreement between Ana and Ben at Trust by keeping Ana's coding of 'Field note 3 May.' in "
        "Notes.txt: Ben's was made to match (1 coding added)"]
    project.undo()
    assert held(project, "Ben") == [(30, 40, "manual")]
    assert progress(project) == (0, 2)  # an undone decision is not counted
    project.redo()
    assert progress(project) == (1, 1)


def test_keep_the_coder_who_did_not_code_trims_and_splits_the_others_coding(project: Project) -> None:
    ana = code(project, "Ana", 0, 40)
    code(project, "Ben", 0, 10)
    code(project, "Ben", 20, 40)
    source_id, trust, _ = ids(project)
    assert spans(project) == [(10, 20, "Ana")]
    project.run(decide.keep, source_id, trust, 10, 20, "Ben", "Ana")
    assert held(project, "Ana") == [(0, 10, "manual"), (20, 40, "manual")]  # what is left keeps its origin
    assert spans(project) == []
    assert sentences(project, "disagreement.keep")[0].endswith("Ana's was made to match (1 coding added, "
                                                               "1 coding trimmed)")
    with project.read_session() as s:
        assert [c.id for c in coding.list_codings(s, "Trust") if c.coder == "Ana"][0] == ana  # kept, narrowed
    project.undo()
    assert held(project, "Ana") == [(0, 40, "manual")]


def test_a_trim_onto_a_coding_the_coder_has_already_removes_it_instead(project: Project) -> None:
    code(project, "Ana", 0, 40)
    code(project, "Ana", 0, 10)
    code(project, "Ben", 0, 10)
    code(project, "Ben", 30, 40)
    source_id, trust, _ = ids(project)
    assert spans(project) == [(10, 30, "Ana")]
    project.run(decide.keep, source_id, trust, 10, 30, "Ben", "Ana")
    assert held(project, "Ana") == [(0, 10, "manual"), (30, 40, "manual")]
    assert spans(project) == []


def test_keep_removes_a_coding_wholly_inside_the_span(project: Project) -> None:
    code(project, "Ana", 5, 9)
    code(project, "Ben", 30, 40)
    source_id, trust, _ = ids(project)
    project.run(decide.keep, source_id, trust, 5, 9, "Ben", "Ana")
    assert held(project, "Ana") == []
    assert spans(project) == [(30, 40, "Ben")]


def test_keep_at_paragraph_level_copies_the_kept_coders_pieces(project: Project) -> None:
    code(project, "Ana", 2, 4)
    code(project, "Ana", 8, 10)
    code(project, "Ben", 20, 22)
    source_id, trust, _ = ids(project)
    (first, _second) = found(project, unit="paragraph")
    assert (first.start, first.end) == (0, 17)
    project.run(decide.keep, source_id, trust, first.start, first.end, "Ana", "Ben", unit="paragraph")
    assert held(project, "Ben") == [(2, 4, "agreement"), (8, 10, "agreement"), (20, 22, "manual")]
    assert spans(project, unit="paragraph") == [(18, 51, "Ben")]


def test_keep_both_gives_the_missing_coder_the_span(project: Project) -> None:
    code(project, "Ana", 0, 17)
    code(project, "Ben", 10, 30)
    source_id, trust, _ = ids(project)
    project.run(decide.keep_both, source_id, trust, 0, 10, PAIR)
    assert held(project, "Ben") == [(0, 10, "agreement"), (10, 30, "manual")]
    assert held(project, "Ana") == [(0, 17, "manual")]
    assert spans(project) == [(17, 30, "Ben")]
    assert sentences(project, "disagreement.keep_both") == [
        "Settled a disagreement between Ana and Ben at Trust by keeping both codings of 'Field note' in "
        "Notes.txt (1 coding added)"]
    project.undo()
    assert spans(project) == [(0, 10, "Ana"), (17, 30, "Ben")]


def test_consensus_leaves_the_coders_codings_and_settles_the_span_with_a_memo(project: Project) -> None:
    code(project, "Ana", 0, 17)
    code(project, "Ben", 30, 40)
    source_id, trust, _ = ids(project)
    result = project.run(decide.consensus, source_id, trust, 0, 10, PAIR, memo="We agreed on the date only.",
                         by="Cleo")
    assert held(project, "Ana") == [(0, 17, "manual")] and held(project, "Ben") == [(30, 40, "manual")]
    assert held(project, CONSENSUS) == [(0, 10, "agreement")]
    assert spans(project) == [(10, 17, "Ana"), (30, 40, "Ben")]  # the user narrowed it: the rest stays open
    with project.read_session() as s:
        (memo,) = memos.list_memos(s, "coding")
        consensus_id = [c.id for c in coding.list_codings(s) if c.coder == CONSENSUS][0]
    assert (memo.id, memo.target_id, memo.text, memo.author) == (result["memo"], consensus_id,
                                                                 "We agreed on the date only.", "Cleo")
    assert sentences(project, "disagreement.consensus") == [
        "Made a consensus coding of 'Field note' in Notes.txt at Trust, settling a disagreement between Ana and "
        "Ben, with a memo"]
    assert progress(project) == (1, 2)
    project.undo()
    with project.read_session() as s:
        assert memos.list_memos(s, "coding") == []
    assert held(project, CONSENSUS) == []


def test_a_memo_on_a_decision_that_only_removes_goes_to_the_node(project: Project) -> None:
    code(project, "Ana", 5, 9)
    code(project, "Ben", 30, 40)
    source_id, trust, _ = ids(project)
    project.run(decide.keep, source_id, trust, 5, 9, "Ben", "Ana", memo="Not about trust.")
    with project.read_session() as s:
        (memo,) = memos.list_memos(s, "node")
    assert (memo.target_id, memo.title) == (trust, decide.MEMO_TITLE)


@pytest.mark.parametrize("call, error, problem", [
    (lambda s, n: (decide.keep, s, n, 0, 17, "Ana", "Ben"), Conflict, "already matches"),
    (lambda s, n: (decide.keep, s, n, 0, 99, "Ana", "Ben"), InvalidInput, "outside Notes.txt"),
    (lambda s, n: (decide.keep, s, n, 0, 17, "Ana", "Ana"), InvalidInput, "two different coders"),
    (lambda s, n: (decide.keep_both, s, n, 0, 17, PAIR), Conflict, "Both coders already coded"),
    (lambda s, n: (decide.consensus, s, n, 0, 17, PAIR, "", "", "word"), InvalidInput, "'word' is not a unit"),
])
def test_bad_decisions_are_refused_and_change_nothing(project: Project, call, error, problem: str) -> None:
    code(project, "Ana", 0, 17)
    code(project, "Ben", 0, 17)
    source_id, trust, _ = ids(project)
    before = project.summary()
    with pytest.raises(error, match=problem):
        project.run(*call(source_id, trust))
    assert project.summary() == before


def test_a_second_consensus_on_the_same_span_is_refused(project: Project) -> None:
    code(project, "Ana", 0, 17)
    code(project, "Ben", 30, 40)
    source_id, trust, _ = ids(project)
    project.run(decide.consensus, source_id, trust, 0, 17, PAIR)
    with pytest.raises(Conflict, match="There is a consensus coding at 'Trust' in Notes.txt \\(0-17\\) already"):
        project.run(decide.consensus, source_id, trust, 0, 17, PAIR)


def test_a_codings_history_says_which_decision_made_or_removed_it(project: Project) -> None:
    from qdaapp.core.passage_history import coding_history

    code(project, "Ana", 0, 17)
    ben = code(project, "Ben", 20, 30)
    source_id, trust, _ = ids(project)
    project.run(decide.keep, source_id, trust, 0, 17, "Ana", "Ben")
    project.run(decide.keep, source_id, trust, 20, 30, "Ana", "Ben")
    with project.read_session() as s:
        made = next(c.id for c in coding.list_codings(s) if c.origin == decide.ORIGIN)
    with project.engine.connect() as conn:
        new, gone = coding_history(conn, made), coding_history(conn, ben)
    assert new.how == "when a disagreement between coders was settled"
    assert [ln.text for ln in new.lines] == [
        "Coded when a disagreement between Ana and Ben was settled by keeping Ana's coding."]
    assert gone.lines[-1].text == "Removed when a disagreement between Ana and Ben was settled by keeping Ana's coding."


def test_the_audit_trail_lists_the_decisions_as_one_group(project: Project) -> None:
    code(project, "Ana", 0, 17)
    code(project, "Ben", 30, 40)
    source_id, trust, _ = ids(project)
    project.run(decide.keep_both, source_id, trust, 0, 17, PAIR)
    project.run(decide.consensus, source_id, trust, 30, 40, PAIR)
    group = audit.action_group("coder agreement")
    with project.engine.connect() as conn:
        rows = audit.event_rows(conn, audit.EventFilter(actions=group), newest_first=False)
    assert [r[3] for r in rows] == ["disagreement.keep_both", "disagreement.consensus"]
