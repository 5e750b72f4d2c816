"""Marker review queue: A / R / arrows / Space / Ctrl+A, hiding interviewer turns, undo, runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from qdaapp.core import coding, indexing, lexicon, markers, review, sources, speakers
from qdaapp.core.errors import NotFound
from qdaapp.core.models import SearchRun
from qdaapp.core.project import Project
from qdaapp.gui.search.marker_run import RunMarkersDialog
from qdaapp.gui.search.review_model import STATUS_ROLE
from qdaapp.gui.search.review_panel import ReviewPanel

DEV = ("Interviewer: Did you have to do it on your own?\n"
       "P2: We were told to run the clinic on Fridays. I had to go in early. Nobody asked us to stop.\n")


@pytest.fixture(scope="session")
def indexed_template(template_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared template plus an interview with an Interviewer turn, all indexed (spaCy once)."""
    folder = tmp_path_factory.mktemp("indexed")
    path = folder / "indexed.qda"
    shutil.copy(template_project, path)
    (folder / "Dev.txt").write_text(DEV, encoding="utf-8")
    project = Project.open(path, coder="tester")
    docs, _ = sources.read_files([folder / "Dev.txt"])
    project.run(sources.import_documents, docs, kind="interview", case_name="P2 Dev")
    indexing.index_sources(project)
    project.close()
    return path


@pytest.fixture
def indexed(indexed_template: Path, tmp_path: Path):
    target = tmp_path / "indexed.qda"
    shutil.copy(indexed_template, target)
    p = Project.open(target, coder="tester")
    yield p
    p.close()


def source_id(project: Project, name: str) -> int:
    with project.read_session() as s:
        return sources.resolve(s, name).id


def text_of(project: Project, name: str) -> str:
    with project.read_session() as s:
        return sources.text_and_pages(s, source_id(project, name))[0]


def codings_at(project: Project, path: str) -> list:
    with project.read_session() as s:
        try:
            return coding.list_codings(s, node_ref=path)
        except NotFound:
            return []


def rosa_sentence(project: Project) -> str:
    body = text_of(project, "Rosa.txt")
    start = body.index("We had to")
    return body[start:body.index("set it up.") + len("set it up.")]


def make_run(project: Project) -> int:
    with project.read_session() as s:
        spec = lexicon.load(s)
    return project.run(markers.run_markers, spec, coder=project.coder, include_interviewer=True)


@pytest.fixture
def panel(indexed: Project, qtbot):
    make_run(indexed)
    widget = ReviewPanel(indexed)
    qtbot.addWidget(widget)
    widget.hide_check.setChecked(False)  # every speaker's passages in the queue (hiding: see its own test)
    return widget


def hit_where(panel: ReviewPanel, phrase: str):
    for h in panel.model.visible_hits():
        if h.sentence[h.start - h.sentence_start:h.end - h.sentence_start] == phrase:
            return h
    raise AssertionError(f"no hit {phrase!r}")


def status_in_view(panel: ReviewPanel, hit_id: int) -> str:
    return panel.model.hit_index(hit_id).data(STATUS_ROLE)


def test_empty_state_says_what_to_do(project: Project, qtbot) -> None:
    widget = ReviewPanel(project)
    qtbot.addWidget(widget)
    assert widget.stack.currentWidget() is widget.empty
    assert "Run marker search" in widget.empty.text()
    assert widget.run_button.isEnabled()


def test_accept_reject_move_and_show(panel: ReviewPanel, indexed: Project, qtbot) -> None:
    reviewed, total, _hidden = panel.model.counts()
    assert (reviewed, total) == (0, len(panel.model.visible_hits())) and total >= 6
    assert f"Reviewed 0 / {total}" in panel.counter.text()
    assert panel.run_combo.currentText().startswith("run 1 · greimas-en v3 · ")
    had = hit_where(panel, "had to")
    panel.select_hit(had.id)
    with qtbot.waitSignal(panel.openPassage) as shown:
        qtbot.keyClick(panel.tree, Qt.Key.Key_Space)
    assert shown.args == [had.source_id, had.start, had.end]

    qtbot.keyClick(panel.tree, Qt.Key.Key_A)
    assert status_in_view(panel, had.id) == "accepted"
    passages = codings_at(indexed, "Speech acts/manipulation")
    assert [(p.source_id, p.start, p.end) for p in passages] == [(had.source_id, had.sentence_start, had.sentence_end)]
    body = text_of(indexed, had.source)
    assert body[had.sentence_start:had.sentence_end] == had.sentence
    assert body[had.start:had.end] == "had to" and had.sentence in ("I had to go in early.", rosa_sentence(indexed))
    assert f"Reviewed 1 / {total}" in panel.counter.text()
    after_accept = panel.current_hit()
    assert after_accept is not None and after_accept.id != had.id
    assert panel.model.status(after_accept.id) == "candidate"

    qtbot.keyClick(panel.tree, Qt.Key.Key_R)
    assert status_in_view(panel, after_accept.id) == "rejected"
    order = [h.id for h in panel.model.visible_hits()]
    here = panel.current_hit().id
    qtbot.keyClick(panel.tree, Qt.Key.Key_Down)
    assert panel.current_hit().id == order[order.index(here) + 1]
    qtbot.keyClick(panel.tree, Qt.Key.Key_Up)
    assert panel.current_hit().id == here

    indexed.undo()  # the reject
    assert status_in_view(panel, after_accept.id) == "candidate"
    indexed.undo()  # the accept
    assert status_in_view(panel, had.id) == "candidate"
    assert f"Reviewed 0 / {total}" in panel.counter.text()
    assert not codings_at(indexed, "Speech acts/manipulation")


def test_spread_turn_codes_the_speaker_turn(panel: ReviewPanel, indexed: Project, qtbot) -> None:
    told = hit_where(panel, "were told to")
    panel.spread_combo.setCurrentIndex(panel.spread_combo.findData("turn"))
    panel.select_hit(told.id)
    qtbot.keyClick(panel.tree, Qt.Key.Key_A)
    dev = text_of(indexed, "Dev.txt")
    (p,) = codings_at(indexed, "Speech acts/manipulation")
    assert dev[p.start:p.end].startswith("P2: We were told to") and dev[p.start:p.end].endswith("to stop.")


def test_ctrl_a_accepts_the_candidates_of_a_marker(panel: ReviewPanel, indexed: Project, qtbot,
                                                   asked_reasons) -> None:
    group = [h for h in panel.model.visible_hits() if h.marker == "have to"]
    assert len(group) >= 2
    panel.select_hit(group[0].id)
    qtbot.keyClick(panel.tree, Qt.Key.Key_R)
    panel.tree.setCurrentIndex(panel.model.hit_index(group[1].id).parent())
    qtbot.keyClick(panel.tree, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    ((kind, asked, _negated),) = asked_reasons  # one dialog: why, and the confirmation
    assert kind == "review.accept" and f"Accept all {len(group) - 1} passage" in asked and "'have to'" in asked
    assert [panel.model.status(h.id) for h in group] == ["rejected"] + ["accepted"] * (len(group) - 1)
    with indexed.read_session() as s:
        assert set(review.select_hits(s, panel.run_id, marker="have to", status="accepted")) == {
            h.id for h in group[1:]}


def test_hide_interviewer_turns_follows_the_project_roles(indexed: Project, qtbot) -> None:
    with indexed.read_session() as s:
        spec = lexicon.load(s)
    run_id = indexed.run(markers.run_markers, spec, coder=indexed.coder, include_interviewer=True)
    panel = ReviewPanel(indexed)
    qtbot.addWidget(panel)
    panel.reload_runs(select=run_id)
    every = panel.model.hit_ids()
    # "Interviewer" is an interviewer by its label: hidden from the start.
    assert panel.hide_check.isChecked() and "hidden" in panel.counter.text()
    shown = panel.model.visible_hits()
    assert shown and all(h.speaker != "Interviewer" for h in shown) and len(shown) < len(every)
    # Roles are the project's: P2 as interviewer hides P2 as well, undo shows P2 again.
    indexed.run(speakers.set_roles, {"P2": "interviewer"}, coder="tester")
    assert all(h.speaker not in ("P2", "Interviewer") for h in panel.model.visible_hits())
    indexed.undo()
    assert any(h.speaker == "P2" for h in panel.model.visible_hits())
    panel.hide_check.setChecked(False)
    assert len(panel.model.visible_hits()) == len(every)
    # The user's untick holds while the panel lives; a fresh panel starts from the roles again.
    indexed.run(speakers.set_roles, {"Interviewer": "interviewer"}, coder="tester")
    assert not panel.hide_check.isChecked() and len(panel.model.visible_hits()) == len(every)
    again = ReviewPanel(indexed)
    qtbot.addWidget(again)
    again.reload_runs(select=run_id)
    assert again.hide_check.isChecked() and len(again.model.visible_hits()) == len(shown)


def test_nothing_is_hidden_when_nobody_interviews(indexed: Project, qtbot) -> None:
    indexed.run(speakers.set_roles, {"Interviewer": "participant"}, coder="tester")
    panel = ReviewPanel(indexed)
    qtbot.addWidget(panel)
    with indexed.read_session() as s:
        spec = lexicon.load(s)
    panel.reload_runs(select=indexed.run(markers.run_markers, spec, coder=indexed.coder))
    assert not panel.hide_check.isChecked()
    assert any(h.speaker == "Interviewer" for h in panel.model.visible_hits())


def test_run_marker_search_through_the_dialog(indexed: Project, qtbot,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    widget = ReviewPanel(indexed)
    qtbot.addWidget(widget)

    def answer(dialog: RunMarkersDialog) -> int:
        modals = dialog.group_checks["modals"]
        assert modals.text() == "Bare modal verbs (low precision)  (8 phrases)" and not modals.isChecked()
        assert dialog.groups() == ["performance", "sanction"] and "could" in modals.toolTip()
        modals.setChecked(True)
        dialog.act_checks["sanction"].setChecked(False)
        dialog.interviews.setChecked(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RunMarkersDialog, "exec", answer)
    with qtbot.waitSignal(widget.runFinished, timeout=20000) as done:
        assert widget.run_marker_search() is not None
    run_id = done.args[0]
    assert widget.run_id == run_id and widget.stack.currentWidget() is widget.tree
    with indexed.read_session() as s:
        assert json.loads(s.get(SearchRun, run_id).params)["groups"] == ["performance", "sanction", "modals"]
    hits = widget.model.visible_hits()
    assert hits and {h.act for h in hits} <= {"manipulation", "commitment", "competence", "performance"}
    assert {h.source for h in hits} <= {"Rosa.txt", "Dev.txt"}
    assert widget.current_hit() is not None
    indexed.undo()
    assert widget.run_id is None and widget.stack.currentWidget() is widget.empty


def act_row(panel: ReviewPanel, act: str):
    for row in range(panel.model.rowCount()):
        index = panel.model.index(row, 0)
        if panel.model.group_of(index)[0] == act.capitalize():
            return index
    raise AssertionError(f"no act row {act}")


def hits_of(panel: ReviewPanel, **where) -> list:
    return [h for h in panel.model.visible_hits() if all(getattr(h, k) == v for k, v in where.items())]


def test_bulk_accept_a_group_keeps_folds_and_moves_on(panel: ReviewPanel, indexed: Project, qtbot,
                                                      asked_reasons) -> None:
    asked_reasons.include_negated = True  # "wasn't able to" too (left out by default: see test_reasons_gui)
    resets: list[bool] = []
    panel.model.modelReset.connect(lambda: resets.append(True))
    performance = act_row(panel, "performance")  # the act right after competence
    panel.tree.collapse(performance)
    competence = hits_of(panel, act="competence")
    assert len(competence) == 2
    panel.tree.setCurrentIndex(act_row(panel, "competence"))
    qtbot.keyClick(panel.tree, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)

    assert [panel.model.status(h.id) for h in competence] == ["accepted", "accepted"]
    assert {c.start for c in codings_at(indexed, "Speech acts/competence")} == {h.sentence_start for h in competence}
    assert not panel.tree.isExpanded(performance) and panel.tree.isExpanded(act_row(panel, "manipulation"))
    assert not resets  # updated in place: nothing else in the tree moves
    now = panel.current_hit()  # the next passage to review, outside the folded group
    assert now is not None and now.act == "sanction" and panel.model.status(now.id) == "candidate"
    assert "Accepted 2 passages of Competence" in panel.message.text()

    indexed.undo()  # one step undoes the whole group
    assert [panel.model.status(h.id) for h in competence] == ["candidate", "candidate"]
    assert not codings_at(indexed, "Speech acts/competence")
    assert not panel.tree.isExpanded(performance) and not resets


def test_shift_r_rejects_the_marker_of_a_passage(panel: ReviewPanel, indexed: Project, qtbot) -> None:
    group = hits_of(panel, marker="have to")
    panel.select_hit(group[0].id)
    panel.decide(True)  # one of them accepted already: it stays accepted
    panel.select_hit(group[1].id)
    qtbot.keyClick(panel.tree, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    assert [panel.model.status(h.id) for h in group] == ["accepted"] + ["rejected"] * (len(group) - 1)
    indexed.undo()
    assert [panel.model.status(h.id) for h in group] == ["accepted"] + ["candidate"] * (len(group) - 1)


def menu_actions(panel: ReviewPanel, index) -> dict:
    return {a.text(): a for a in panel.bulk_menu(index).actions() if not a.isSeparator()}


def test_context_menu_speaker_and_source(panel: ReviewPanel, indexed: Project) -> None:
    dev_p2 = hits_of(panel, source="Dev.txt", speaker="P2")
    interviewer = hits_of(panel, source="Dev.txt", speaker="Interviewer")
    rosa = hits_of(panel, source="Rosa.txt")
    assert len(dev_p2) == 3 and len(interviewer) == 1 and rosa
    told = hit_where(panel, "were told to")
    actions = menu_actions(panel, panel.model.hit_index(told.id))
    assert {"Accept", "Reject", "Accept all of 'were told to'", "Accept all from P2 (3 left)",
            "Reject all from P2 (3 left)", "Accept all in Dev.txt (4 left)",
            "Reject all in Dev.txt (4 left)"} <= set(actions)
    assert actions["Reject all of 'were told to'"].shortcut().toString() == "Shift+R"
    actions["Accept all from P2 (3 left)"].trigger()
    assert {panel.model.status(h.id) for h in dev_p2} == {"accepted"}
    assert panel.model.status(interviewer[0].id) == "candidate"
    assert all(panel.model.status(h.id) == "candidate" for h in rosa)

    panel.hide_check.setChecked(True)  # a hidden speaker's passages are left alone
    actions = menu_actions(panel, panel.model.hit_index(dev_p2[0].id))
    assert not actions["Reject all in Dev.txt (0 left)"].isEnabled()
    actions = menu_actions(panel, panel.model.hit_index(rosa[0].id))
    actions[f"Reject all in Rosa.txt ({len(hits_of(panel, source='Rosa.txt'))} left)"].trigger()
    assert all(panel.model.status(h.id) == "rejected" for h in hits_of(panel, source="Rosa.txt"))
    assert all(panel.model.status(h.id) == "candidate" for h in rosa if h.speaker == "Interviewer")
    indexed.undo()
    assert all(panel.model.status(h.id) == "candidate" for h in rosa)
    assert {panel.model.status(h.id) for h in dev_p2} == {"accepted"}
    assert indexed.verify_audit().ok


def test_tree_rows_flags_and_groups(panel: ReviewPanel) -> None:
    model = panel.model
    acts = [model.index(r, 0) for r in range(model.rowCount())]
    marker_rows = [model.index(r, 0, a) for a in acts for r in range(model.rowCount(a))]
    assert acts and marker_rows and model.group_indexes() == acts + marker_rows
    for group in acts + marker_rows:
        assert model.hasChildren(group) and model.hit(group) is None
        assert not model.flags(group) & (Qt.ItemFlag.ItemNeverHasChildren | Qt.ItemFlag.ItemIsDragEnabled)
        assert panel.tree.isExpanded(group)  # every act and marker unfolded, as expandAll did
    shown = []
    for marker_row in marker_rows:
        _act, marker, hits = model.marker_of(marker_row)
        for r in range(model.rowCount(marker_row)):
            index = model.index(r, 0, marker_row)
            hit = model.hit(index)
            assert hit is hits[r] and hit.marker == marker and index.parent() == marker_row
            assert not model.hasChildren(index) and model.rowCount(index) == 0
            assert model.flags(index) & Qt.ItemFlag.ItemNeverHasChildren
            assert model.flags(index) & Qt.ItemFlag.ItemIsDragEnabled and model.flags(index) & Qt.ItemFlag.ItemIsEnabled
            shown.append(hit)
        assert not model.index(model.rowCount(marker_row), 0, marker_row).isValid()
    assert shown == model.visible_hits() and len(shown) == model.counts()[1]


def test_hits_can_arrive_with_speakers_already_hidden(panel: ReviewPanel) -> None:
    from qdaapp.gui.search.review_model import ReviewModel

    every = panel.model.visible_hits()
    assert "Interviewer" in {h.speaker for h in every}
    model = ReviewModel()
    model.set_hits(every, {"Interviewer"})
    kept = [h for h in every if h.speaker != "Interviewer"]
    assert model.visible_hits() == kept and model.hidden_speakers() == {"Interviewer"}
    assert model.counts() == (0, len(every), len(every) - len(kept))
    model.set_hits(every)  # without a set: the speakers hidden now stay hidden
    assert model.visible_hits() == kept
    model.set_hits(every, set())
    assert model.visible_hits() == every


def test_patterns_read_as_plain_words(panel: ReviewPanel) -> None:
    model = panel.model
    acts = [model.index(r, 0) for r in range(model.rowCount())]
    rows = [model.index(r, 0, a) for a in acts for r in range(model.rowCount(a))]
    past = [row for row in rows if "<past>" in model.marker_of(row)[1]]
    assert past  # "we ran a small audit": the performance pattern found it
    for row in past:
        assert "<past>" not in row.data() and "+ past verb" in row.data()
        hit = model.index(0, 0, row)
        assert "+ past verb" in hit.data(Qt.ItemDataRole.ToolTipRole)
