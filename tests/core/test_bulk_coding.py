"""Coding many search results at once: one command, one transaction, one event per coding, one undo."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from qdaapp.core import audit, coding, nodes, search, sources
from qdaapp.core.errors import InvalidInput, NotFound
from qdaapp.core.models import AuditEvent
from qdaapp.core.progress import Cancelled, CancelToken
from qdaapp.core.project import Project

from .test_search import sp  # noqa: F401 - an indexed project (sentences)


def _passages(project: Project, n: int = 12) -> list[tuple[int, int, int]]:
    """``n`` distinct spans spread over the project's sources."""
    with project.read_session() as s:
        infos = sources.list_sources(s)
        texts = {i.id: sources.text_and_pages(s, i.id)[0] for i in infos}
    out = []
    for k in range(n):
        sid = infos[k % len(infos)].id
        start = 3 * (k // len(infos))
        assert start + 12 <= len(texts[sid])
        out.append((sid, start, start + 12))
    return out


def _events(project: Project, after_seq: int) -> list[AuditEvent]:
    with project.read_session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq)))


def _last_seq(project: Project) -> int:
    with project.read_session() as s:
        return s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0


def _rows(project: Project, node: str) -> list[tuple[int, int, int]]:
    with project.read_session() as s:
        return sorted((p.source_id, p.start, p.end) for p in coding.list_codings(s, node_ref=node))


def test_one_transaction_one_event_per_coding_and_one_undo(project: Project) -> None:
    passages = _passages(project)
    seq = _last_seq(project)
    commits = []

    def count(_conn: object) -> None:
        commits.append(1)

    event.listen(project._writer, "commit", count)
    done = project.run(coding.code_passages, passages, "Trust", "tester", label='12 results of "x", only the hit')
    event.remove(project._writer, "commit", count)
    assert len(commits) == 1
    assert done == {"node_id": done["node_id"], "coded": 12, "skipped": 0}
    assert _rows(project, "Trust") == sorted(passages)

    head, *per_coding = _events(project, seq)
    assert head.action == "search.code" and "12 passage(s) at 'Trust'" in head.summary
    assert [e.action for e in per_coding] == ["coding.create"] * 12
    assert sorted(e.entity_id for e in per_coding) == sorted(p.id for p in _codings(project, "Trust"))
    with project.read_session() as s:
        name = sources.list_sources(s)[0].name
    assert per_coding[0].summary == f"code 'Trust' in {name} ({passages[0][1]}-{passages[0][2]})"
    assert project.verify_audit().ok

    assert project.undo_redo_text()[0] == head.summary  # Edit ▸ Undo names the bulk coding
    project.undo()
    assert _rows(project, "Trust") == []  # one step removed every coding
    undo_next, redo_next = project.undo_redo_text()
    assert redo_next == head.summary and undo_next != head.summary
    project.redo()
    assert _rows(project, "Trust") == sorted(passages)
    assert project.verify_audit().ok


def _codings(project: Project, node: str) -> list:
    with project.read_session() as s:
        return coding.list_codings(s, node_ref=node)


def test_repeats_and_existing_codings_are_skipped(project: Project) -> None:
    passages = _passages(project, 6)
    project.run(coding.code, passages[0][0], passages[0][1], passages[0][2], "Trust", "tester")
    project.run(coding.code, passages[1][0], passages[1][1], passages[1][2], "Trust", "someone else")
    done = project.run(coding.code_passages, passages + passages[2:4], "Trust", "tester")
    assert (done["coded"], done["skipped"]) == (5, 3)
    before = project.summary()
    with pytest.raises(coding.AlreadyCoded, match="All 6 passage") as caught:
        project.run(coding.code_passages, passages, "Trust", "tester")
    assert caught.value.skipped == 6
    assert project.summary() == before


@pytest.mark.parametrize("bad, problem", [((0, 5, 5), "in {name} is empty"), ((0, -1, 4), "is outside {name}"),
                                          ((0, 10, 10_000_000), "is outside {name}"),
                                          ((0, 9, 4), "in {name} is reversed")])
def test_a_bad_span_is_named_and_nothing_is_written(project: Project, bad: tuple[int, int, int], problem: str) -> None:
    passages = _passages(project, 4)
    sid = passages[0][0]
    with project.read_session() as s:
        name = sources.resolve(s, sid).name
    before = project.summary()
    with pytest.raises(InvalidInput, match=f"The span {bad[1]}-{bad[2]} " + problem.format(name=name)):
        project.run(coding.code_passages, passages + [(sid, bad[1], bad[2])], "Trust", "tester")
    assert project.summary() == before


def test_unknown_source_or_node_or_nothing(project: Project) -> None:
    before = project.summary()
    with pytest.raises(NotFound, match="no source with id 999"):
        project.run(coding.code_passages, _passages(project, 2) + [(999, 0, 4)], "Trust", "tester")
    with pytest.raises(NotFound):
        project.run(coding.code_passages, _passages(project, 2), "No such node", "tester")
    with pytest.raises(InvalidInput, match="no passages"):
        project.run(coding.code_passages, [], "Trust", "tester")
    assert project.summary() == before


def test_new_free_node_in_the_same_command(project: Project) -> None:
    passages = _passages(project, 3)
    seq = _last_seq(project)
    done = project.run(coding.code_passages, passages, None, "tester", new_node="Obligation")
    assert [e.action for e in _events(project, seq)] == ["search.code", "node.create"] + ["coding.create"] * 3
    assert _rows(project, "Obligation") == sorted(passages)
    project.undo()
    with project.read_session() as s:
        assert done["node_id"] not in {n.id for n in nodes.list_nodes(s)}
    assert project.summary()["codings"] == 0


def test_cancel_during_the_write_leaves_nothing(project: Project) -> None:
    token = CancelToken()
    token.cancel()
    before = project.summary()
    with pytest.raises(Cancelled):
        project.run(coding.code_passages, _passages(project, 3), "Trust", "tester", cancel=token)
    assert project.summary() == before


def test_append_many_continues_the_chain_as_append_does(project: Project) -> None:
    with project.write_session() as s:
        audit.append(s, coder="a", action="memo.create", entity="memo", entity_id=1, summary="one")
        last = audit.append_many(s, "b", [("memo.update", "memo", 1, "two", None, {"x": 1}),
                                          ("memo.update", "memo", 1, "three", {"x": 1}, {"x": 2})], reason="why")
        s.commit()
    head = _events(project, last - 3)
    assert [e.summary for e in head] == ["one", "two", "three"] and head[-1].seq == last
    assert head[1].prev_hash == head[0].hash and head[2].prev_hash == head[1].hash
    assert project.verify_audit().ok


def test_spread_spans_match_spread_span_one_by_one(sp: Project) -> None:
    with sp.read_session() as s:
        passages = [(h.source_id, h.start, h.end) for h in search.keyword_search(s, "to OR the OR trust OR rota")]
        assert len(passages) > 8 and len({p[0] for p in passages}) == 2
        for spread in search.SPREADS:
            one_by_one = [(sid, *search.spread_span(s, sid, a, b, spread)) for sid, a, b in passages]
            assert search.spread_spans(s, passages, spread) == one_by_one
        with pytest.raises(InvalidInput, match="'line' is not a spread"):
            search.spread_spans(s, passages, "line")
