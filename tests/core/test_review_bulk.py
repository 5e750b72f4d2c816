"""Bulk accept of marker hits: negated hits are left to review one by one unless included."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdaapp.core import coding, review
from qdaapp.core.errors import NotFound

from .test_markers import indexed_sources, run_every_marker

TEXT = ("P2: We had to do everything again. You don't have to worry. I wasn't able to go. "
        "I was able to help. The manager asked us to start over.\n")


@pytest.fixture
def run(tmp_path: Path):
    project = indexed_sources(tmp_path, {"P2.txt": TEXT})
    yield project, run_every_marker(project)
    project.close()


def test_bulk_pick_leaves_negated_hits_unless_included(run) -> None:
    project, run_id = run
    with project.read_session() as s:
        every = review.select_hits(s, run_id)
        rows = {h.id: h for h in review.list_hits(s, run_id)}
        negated = sorted(h.id for h in rows.values() if h.polarity == "negative")
        assert len(negated) == 2 and len(every) > 2  # "don't have to", "wasn't able to"
        pick = review.pick_bulk_accept(s, run_id, every)
        included = review.pick_bulk_accept(s, run_id, every, include_negated=True)
    assert pick.negated == negated and pick.left == negated
    assert pick.accept == sorted(set(every) - set(negated))
    assert all(rows[h].polarity == "positive" for h in pick.accept)
    assert included.accept == sorted(every) and included.left == [] and included.negated == negated

    project.run(review.accept_hits, run_id, pick.accept, coder="tester")
    with project.read_session() as s:
        assert review.select_hits(s, run_id) == negated  # still candidates, to review one by one
        coded = {c.text for c in coding.list_codings(s)}
    assert "You don't have to worry." not in coded and "We had to do everything again." in coded
    project.run(review.accept_hits, run_id, negated[:1], coder="tester")  # one by one still works
    with project.read_session() as s:
        assert review.select_hits(s, run_id) == negated[1:]
        assert review.pick_bulk_accept(s, run_id, []).accept == []
        with pytest.raises(NotFound):
            review.pick_bulk_accept(s, run_id + 1, every)
