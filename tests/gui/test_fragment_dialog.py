"""New / Edit fragment: act, case, confirmed actors, passages; Draft summary never saves."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from qdaapp.core import flowgraph, narrative
from qdaapp.core.models import AuditEvent, Fragment
from qdaapp.gui.narrative.fragment_dialog import FragmentDialog

from ..conftest import SAMPLE
from .test_account_workspace import make_account, span


def _counts(project) -> tuple[int, int]:
    with project.read_session() as s:
        return (s.scalar(select(func.count()).select_from(Fragment)),
                s.scalar(select(func.count()).select_from(AuditEvent)))


def _dialog(qtbot, *args, **kwargs) -> FragmentDialog:
    dialog = FragmentDialog(*args, **kwargs)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.suggestions_ready, timeout=20_000)
    return dialog


def test_new_fragment_with_act_actors_and_passages(qtbot, project) -> None:
    account, (_f1, _f2, f3) = make_account(project)
    able = span(SAMPLE, "I was able to use the template.")
    dialog = _dialog(qtbot, project, account, passages=[(1, *able)])
    assert dialog.checked_passages() == [(1, *able)]  # preset, even though not yet in the account
    assert dialog.case.currentText() == "P1 Rosa"  # the passages' case
    assert "I" in dialog.actor_names()  # suggested, not ticked
    assert dialog.actors_checked() == []
    dialog.set_passage_checked((1, *span(SAMPLE, "I wanted to help")))
    dialog.set_act("competence")
    dialog.set_actor_checked("I")
    dialog.new_actor.setText("practice team")
    dialog.add_actor_from_field()
    dialog.summary.setPlainText("I was able to use the template.")
    dialog.save()
    assert dialog.result() == FragmentDialog.DialogCode.Accepted
    with project.read_session() as s:
        data = flowgraph.show(s, account)
    made = next(f for f in data["fragments"] if f["id"] == dialog.fragment_id)
    assert made["act"] == "competence" and made["case"] == "P1 Rosa"
    assert made["actors"] == ["I", "practice team"]
    assert {(p["start"], p["end"]) for p in made["passages"]} == {able, span(SAMPLE, "I wanted to help")}
    assert [f["id"] for f in data["fragments"]][-1] == dialog.fragment_id
    assert {"from": f3, "to": dialog.fragment_id, "label": "", "kind": "sequence"} in data["links"]


def test_draft_summary_fills_the_editor_but_saves_nothing(qtbot, project) -> None:
    account, _ = make_account(project)
    dialog = _dialog(qtbot, project, account)
    before = _counts(project)
    dialog.draft_summary()
    assert dialog.summary.toPlainText() == ""  # nothing ticked yet
    dialog.set_passage_checked((1, *span(SAMPLE, "We had to do something")))
    dialog.draft_summary()
    text = dialog.summary.toPlainText()
    assert "had to" in text and text.startswith("P1 Rosa: ")
    assert _counts(project) == before
    dialog.summary.undo()
    assert dialog.summary.toPlainText() == ""  # the draft can be taken back in the editor
    dialog.reject()
    assert _counts(project) == before


def test_edit_fragment_changes_only_what_changed(qtbot, project) -> None:
    account, (f1, _f2, _f3) = make_account(project)
    dialog = _dialog(qtbot, project, account, fragment_id=f1)
    assert dialog.act() == "manipulation" and dialog.case.currentText() == "P1 Rosa"
    assert dialog.actors_checked() == ["GP", "we"]
    assert dialog.passages.count() == 1 and not (dialog.passages.item(0).flags() & Qt.ItemFlag.ItemIsUserCheckable)
    before = _counts(project)
    dialog.save()  # nothing changed: no command
    assert _counts(project) == before
    dialog = _dialog(qtbot, project, account, fragment_id=f1)
    dialog.set_act("sanction")
    dialog.set_actor_checked("we", False)
    dialog.save()
    with project.read_session() as s:
        f = next(x for x in flowgraph.show(s, account)["fragments"] if x["id"] == f1)
    assert (f["act"], f["actors"], f["case"]) == ("sanction", ["GP"], "P1 Rosa")
    assert _counts(project)[1] == before[1] + 1
    project.undo()
    with project.read_session() as s:
        f = next(x for x in flowgraph.show(s, account)["fragments"] if x["id"] == f1)
    assert f["act"] == "manipulation"


def test_empty_summary_is_not_saved(qtbot, project) -> None:
    account, _ = make_account(project)
    dialog = _dialog(qtbot, project, account)
    before = _counts(project)
    dialog.save()
    assert dialog.result() != FragmentDialog.DialogCode.Accepted
    assert "summary" in dialog.summary_error.text()
    assert _counts(project) == before
    assert narrative.SPEECH_ACTS  # the act buttons cover every speech act
    assert len(dialog.acts.buttons()) == len(narrative.SPEECH_ACTS) + 1


def test_the_speech_act_is_suggested_from_marker_hits(qtbot, project) -> None:
    from qdaapp.core import indexing, lexicon, markers, review

    account, _ = make_account(project)
    able = span(SAMPLE, "I was able to use the template.")
    dialog = _dialog(qtbot, project, account, passages=[(1, *able)])
    assert dialog.act() is None  # no marker run yet: nothing is suggested
    dialog.close()

    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    run = project.run(markers.run_markers, spec, coder="tester")
    dialog = _dialog(qtbot, project, account, passages=[(1, *able)])
    assert dialog.act() == "competence"
    assert "able to" in dialog.act_hint.text() and "Change it" in dialog.act_hint.text()
    dialog.close()

    with project.read_session() as s:
        hit = next(h for h in review.list_hits(s, run) if h.act == "competence" and able[0] <= h.start < able[1])
    project.run(review.reject_hits, run, [hit.id], coder="tester")
    dialog = _dialog(qtbot, project, account, passages=[(1, *able)])
    assert dialog.act() is None  # a rejected hit suggests nothing


def _marker_run(project) -> None:
    from qdaapp.core import indexing, lexicon, markers

    indexing.index_sources(project)
    with project.read_session() as s:
        spec = lexicon.load(s)
    project.run(markers.run_markers, spec, coder="tester")


def test_the_suggested_act_follows_the_ticked_passages(qtbot, project) -> None:
    account, _ = make_account(project)
    able = (1, *span(SAMPLE, "I was able to use the template."))
    project.run(narrative.add_passage, account, 1, *able[1:])
    _marker_run(project)
    dialog = _dialog(qtbot, project, account)
    assert dialog.checked_passages() == [] and dialog.act() is None  # nothing ticked: no suggestion
    dialog.set_passage_checked(able)
    assert dialog.act() == "competence" and "able to" in dialog.act_hint.text()
    dialog.set_passage_checked(able, False)
    assert dialog.act() is None  # the suggestion goes with the passage
    dialog.set_passage_checked(able)
    assert dialog.act() == "competence"
    dialog.acts.buttons()[-1].click()  # the user's own choice: sanction
    assert dialog.act() == "sanction"
    dialog.set_passage_checked(able, False)
    dialog.set_passage_checked(able)
    assert dialog.act() == "sanction"  # never overwritten
    assert not dialog.act_suggestion.isHidden()
    assert "competence" in dialog.act_suggestion.text() and "able to" in dialog.act_suggestion.text()
    dialog.act_suggestion.linkActivated.emit("apply")
    assert dialog.act() == "competence" and dialog.act_suggestion.isHidden()


def test_enter_in_a_field_does_not_close_the_dialog(qtbot, project) -> None:
    account, _ = make_account(project)
    dialog = _dialog(qtbot, project, account)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = _counts(project)
    dialog.summary.setFocus()
    qtbot.keyClicks(dialog.summary, "First line")
    qtbot.keyClick(dialog.summary, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.summary, "second line")
    assert dialog.summary.toPlainText() == "First line\nsecond line"
    dialog.new_actor.setFocus()
    qtbot.keyClicks(dialog.new_actor, "health board")
    qtbot.keyClick(dialog.new_actor, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.new_actor, Qt.Key.Key_Enter)
    assert dialog.isVisible() and dialog.result() != FragmentDialog.DialogCode.Accepted
    assert dialog.actors_checked() == ["health board"] and _counts(project) == before
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    dialog.summary.setFocus()
    qtbot.keyClick(dialog.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == FragmentDialog.DialogCode.Accepted and not dialog.isVisible()
    with project.read_session() as s:
        made = next(f for f in flowgraph.show(s, account)["fragments"] if f["id"] == dialog.fragment_id)
    assert made["summary"] == "First line\nsecond line" and made["actors"] == ["health board"]


def test_actor_completer_offers_speakers_and_account_actors(qtbot, project) -> None:
    account, _ = make_account(project)
    project.run(narrative.assign_role, account, "practice team", "subject")
    dialog = _dialog(qtbot, project, account, passages=[(1, *span(SAMPLE, "I was able to use the template."))])
    offered = dialog.actor_model.stringList()
    assert "P1" in offered and "Interviewer" in offered  # speakers of the account's sources
    assert "practice team" in offered and "GP" in offered  # the account's actors
    assert offered.index("P1") < offered.index("practice team") < offered.index("I")  # pronouns last
    assert "P1" in dialog.actor_names()  # the ticked passage's speaker is a suggestion, not ticked
    assert "P1" not in dialog.actors_checked()
    dialog.actor_completer.setCompletionPrefix("team")
    assert dialog.actor_completer.currentCompletion() == "practice team"  # matches inside the name
