"""New fragment / Edit fragment: summary, speech act, case, actors, passages.

"Draft summary" only fills the editor (the user reads and edits it before
saving). Actors found in the passages, and the speakers of the ticked
passages, are offered as checkboxes; nothing is assigned until the user ticks
it. The actor field completes from the account's actors and speakers. The
speech act suggested by marker hits follows the ticked passages but never
replaces an act the user chose. Enter never closes the dialog (Ctrl+Enter
saves), so a summary or an actor name is not cut short by a stray Enter.

Run ``python -m qdaapp.gui.narrative.fragment_dialog`` for a quick look.
"""

from __future__ import annotations

from html import escape
from typing import Any

import shiboken6
from PySide6.QtCore import QSize, QStringListModel, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import actor_names, flowgraph, framework, narrative
from qdaapp.core.cases import list_cases
from qdaapp.core.nlp import suggest_actors
from qdaapp.gui.workers import run_in_worker

from .common import ACT_HINTS, SPAN_ROLE, Passage, act_icon, muted_label, one_line, try_run

SUMMARY_HINT = ("Summarise in the speakers' words: keep the marker phrases (\"have to\", \"able to\"), "
                "name the actors, keep \"I\" and \"we\".")


class FragmentDialog(QDialog):
    """Create (``fragment_id=None``) or edit a fragment of account ``account_id``.

    ``case_id`` presets the case; ``passages`` [(source id, start, end)] are
    ticked (they need not be in the account yet). After ``exec()`` returns
    Accepted, ``fragment_id`` is the saved fragment.
    """

    def __init__(self, project: Any, account_id: int, fragment_id: int | None = None,
                 case_id: int | None = None, passages: list[Passage] | None = None,
                 after: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.account_id, self.fragment_id, self.after = project, int(account_id), fragment_id, after
        self.suggestions_ready = False
        self._case_touched = case_id is not None
        self._act_touched = fragment_id is not None  # an act the user chose is never replaced
        self._setting_act = False
        self.suggested_act: tuple[str, str] | None = None
        self._texts: dict[Passage, str] = {}
        self._load(case_id, passages or [])
        self.setWindowTitle("Edit fragment" if fragment_id else "New fragment")
        self.setMinimumSize(QSize(720, 640))
        self._build()
        self._fill()
        self._suggest_timer = QTimer(self, singleShot=True, interval=350)
        self._suggest_timer.timeout.connect(self.suggest_actors)
        QTimer.singleShot(0, self.suggest_actors)

    # ------------------------------------------------------------------ data
    def _load(self, case_id: int | None, preset: list[Passage]) -> None:
        with self.project.read_session() as s:
            data = flowgraph.show(s, self.account_id)
            self.cases = [(c.id, c.name) for c in list_cases(s)]
            self.known = actor_names.known_names(s)
            self.original = next((f for f in data["fragments"] if f["id"] == self.fragment_id), None)
            if self.original is not None:
                rows = [(p["source_id"], p["start"], p["end"]) for p in self.original["passages"]]
            else:
                rows = [(p["source_id"], p["start"], p["end"]) for p in data["passages"]]
                rows += [p for p in preset if p not in rows]
            facts = narrative.source_facts(s, [sid for sid, _, _ in rows])
        self.account_title = data["title"]
        self.preset = set(preset)
        rows.sort(key=lambda p: p not in self.preset)
        self.passage_rows = [(p, facts[p[0]]) for p in rows if p[0] in facts]
        case_names = {name: cid for cid, name in self.cases}
        if self.original is not None:
            self.preset_case = case_names.get(self.original["case"] or "")
        else:
            self.preset_case = case_id

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        editing = self.original is not None
        self.passages = QListWidget()
        self.passages.setWordWrap(True)
        self.passages.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.passages.setMinimumHeight(170)
        self.passages.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.passages.itemChanged.connect(self._on_passage_checked)
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText(SUMMARY_HINT)
        self.summary.setMinimumHeight(90)
        self.summary.setMaximumHeight(150)
        self.draft_button = QPushButton("Draft summary")
        self.draft_button.setToolTip("Fill the editor with a draft made from the ticked passages. "
                                     "Nothing is saved until you press Save.")
        self.draft_button.clicked.connect(self.draft_summary)
        self.summary_error = QLabel("")
        self.summary_error.setStyleSheet("QLabel { color: #B03A2E; }")
        self.acts = QButtonGroup(self)
        act_row = QGridLayout()
        for i, act in enumerate(("none",) + narrative.SPEECH_ACTS):
            button = QRadioButton("no speech act" if act == "none" else act)
            button.setProperty("act", act)
            if act != "none":
                button.setIcon(act_icon(act))
                button.setToolTip(ACT_HINTS[act])
            self.acts.addButton(button, i)
            act_row.addWidget(button, i // 3, i % 3)
        self.act_hint = muted_label("")
        self.act_suggestion = QLabel("")
        self.act_suggestion.setWordWrap(True)
        self.act_suggestion.setTextFormat(Qt.TextFormat.RichText)
        self.act_suggestion.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                                    | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.act_suggestion.linkActivated.connect(self.apply_suggested_act)
        self.act_suggestion.hide()
        self.acts.buttonToggled.connect(self._on_act_toggled)
        self.case = QComboBox()
        self.case.addItem("(no case)", None)
        for cid, name in self.cases:
            self.case.addItem(name, cid)
        self.case.activated.connect(self._on_case_activated)
        self.actors = QListWidget()
        self.actors.setFlow(QListView.Flow.LeftToRight)
        self.actors.setWrapping(True)
        self.actors.setResizeMode(QListView.ResizeMode.Adjust)
        self.actors.setSpacing(3)
        self.actors.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.actors.setMaximumHeight(84)
        self.actor_status = muted_label("Looking for actors in the passages…")
        self.new_actor = QLineEdit()
        self.new_actor.setPlaceholderText("Another actor (a person, team or organisation)")
        self.new_actor.returnPressed.connect(self.add_actor_from_field)
        self.actor_model = QStringListModel(self)
        self.actor_completer = QCompleter(self.actor_model, self)
        self.actor_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.actor_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.actor_completer.setMaxVisibleItems(12)
        self.new_actor.setCompleter(self.actor_completer)
        add = QPushButton("Add")
        add.setAutoDefault(False)
        add.clicked.connect(self.add_actor_from_field)
        actor_add = QHBoxLayout()
        actor_add.addWidget(self.new_actor, 1)
        actor_add.addWidget(add)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary_error, 1)
        summary_row.addWidget(self.draft_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        note = ("The passages this fragment rests on." if editing else
                "Tick the passages this fragment summarises.")
        form.addRow("Passages", self._stack(muted_label(note), self.passages))
        form.addRow("Summary", self._stack(self.summary, summary_row))
        form.addRow("Speech act", self._stack(act_row, self.act_hint, self.act_suggestion))
        form.addRow("Case", self.case)
        form.addRow("Actors", self._stack(self.actor_status, self.actors, actor_add))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(not self.project.read_only)
        save.setToolTip("Save the fragment (Ctrl+Enter)")
        for button in self.buttons.buttons():
            button.setAutoDefault(False)  # Enter in a field must not press Save
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self._save_if_allowed)
        header = QLabel(f"<b>{self.account_title}</b>")
        header.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addLayout(form, 1)
        layout.addWidget(self.buttons)

    @staticmethod
    def _stack(*parts: Any) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        for part in parts:
            layout.addLayout(part) if not isinstance(part, QWidget) else layout.addWidget(part)
        return box

    def _fill(self) -> None:
        editing = self.original is not None
        blocker = self.passages.blockSignals(True)
        for passage, (name, case, text) in self.passage_rows:
            _sid, start, end = passage
            self._texts[passage] = text[start:end]
            excerpt = one_line(text[start:end])
            excerpt = excerpt if len(excerpt) < 220 else excerpt[:217] + "…"
            item = QListWidgetItem(f"{name}{' · ' + case if case else ''}\n“{excerpt}”")
            item.setData(SPAN_ROLE, passage)
            if editing:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            else:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if passage in self.preset else Qt.CheckState.Unchecked)
            self.passages.addItem(item)
        if not self.passage_rows:
            item = QListWidgetItem("This account has no passages yet. You can still write the fragment, or add "
                                   "passages first (right-click a selection in a document ▸ Add to account…).")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.passages.addItem(item)
        self.passages.blockSignals(blocker)
        self._set_act_quietly((self.original or {}).get("act"))
        if self.original is not None:
            self.summary.setPlainText(self.original["summary"])
            for name in self.original["actors"]:
                self._add_actor(name, checked=True)
        self._set_case(self.preset_case)
        if self.preset_case is None and not editing:
            self._guess_case()
        self._suggest_act()

    def _suggest_act(self) -> None:
        """Suggest the speech act the marker hits in the ticked passages point to.

        While the user has not chosen an act, the suggestion is pre-selected (and
        cleared when no ticked passage suggests one); once they have, it is only
        offered with a link to apply it.
        """
        from qdaapp.core.review import suggest_act

        chosen = self.checked_passages()
        found = None
        if chosen:
            with self.project.read_session() as s:
                found = suggest_act(s, chosen)
        self.suggested_act = found
        if not self._act_touched:
            self._set_act_quietly(found[0] if found else None)
            if found is not None:
                act, marker = found
                self.act_hint.setText(f"Suggested because the passage says “{self._marker_text(marker)}”, a {act} "
                                      "marker. Change it if the story says otherwise.")
        self._show_suggestion()

    @staticmethod
    def _marker_text(marker: str) -> str:
        return marker.replace(" * ", " … ")

    def _show_suggestion(self) -> None:
        """The "Suggested: …" line, shown when the user's act differs from the suggestion."""
        found = self.suggested_act
        if not self._act_touched or found is None or found[0] == self.act():
            self.act_suggestion.hide()
            return
        act, marker = found
        self.act_suggestion.setText(f"Suggested: <b>{act}</b> (from “{escape(self._marker_text(marker))}”) "
                                    "&nbsp;<a href=\"apply\">Use it</a>")
        self.act_suggestion.show()

    def apply_suggested_act(self, _link: str = "") -> None:
        if self.suggested_act is not None:
            self.set_act(self.suggested_act[0])

    def _set_act_quietly(self, act: str | None) -> None:
        self._setting_act = True
        try:
            self.set_act(act)
        finally:
            self._setting_act = False

    # ------------------------------------------------------------------ values
    def checked_passages(self) -> list[Passage]:
        out = []
        for i in range(self.passages.count()):
            item = self.passages.item(i)
            span = item.data(SPAN_ROLE)
            if span and (self.original is not None or item.checkState() == Qt.CheckState.Checked):
                out.append(tuple(span))
        return out

    def set_passage_checked(self, passage: Passage, checked: bool = True) -> None:
        for i in range(self.passages.count()):
            item = self.passages.item(i)
            if item.data(SPAN_ROLE) and tuple(item.data(SPAN_ROLE)) == tuple(passage):
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def act(self) -> str | None:
        button = self.acts.checkedButton()
        value = button.property("act") if button else "none"
        return None if value == "none" else value

    def set_act(self, act: str | None) -> None:
        for button in self.acts.buttons():
            if button.property("act") == (act or "none"):
                button.setChecked(True)

    def case_id(self) -> int | None:
        return self.case.currentData()

    def _set_case(self, case_id: int | None) -> None:
        index = self.case.findData(case_id)
        self.case.setCurrentIndex(max(0, index))

    def actors_checked(self) -> list[str]:
        return [self.actors.item(i).text() for i in range(self.actors.count())
                if self.actors.item(i).checkState() == Qt.CheckState.Checked]

    def actor_names(self) -> list[str]:
        return [self.actors.item(i).text() for i in range(self.actors.count())]

    def set_actor_checked(self, name: str, checked: bool = True) -> None:
        for i in range(self.actors.count()):
            if self.actors.item(i).text() == name:
                self.actors.item(i).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _add_actor(self, name: str, checked: bool) -> None:
        name = name.strip()
        if not name:
            return
        existing = next((n for n in self.actor_names() if n.lower() == name.lower()), None)
        if existing is not None:
            if checked:
                self.set_actor_checked(existing)
            return
        item = QListWidgetItem(name)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.actors.addItem(item)

    def add_actor_from_field(self) -> None:
        self._add_actor(self.new_actor.text(), checked=True)
        self.new_actor.clear()

    # ------------------------------------------------------------------ handlers
    def _on_act_toggled(self, button: QRadioButton, checked: bool) -> None:
        if checked:
            if not self._setting_act:
                self._act_touched = True
            act = button.property("act")
            self.act_hint.setText(ACT_HINTS.get(act, "The fragment is background or context to the story.")
                                  .capitalize() if act != "none" else
                                  "Background or context to the story.")
            self._show_suggestion()

    def _on_case_activated(self, _index: int) -> None:
        self._case_touched = True

    def _on_passage_checked(self, _item: QListWidgetItem) -> None:
        if not self._case_touched:
            self._guess_case()
        self._suggest_act()
        self._suggest_timer.start()

    def _guess_case(self) -> None:
        """When every ticked passage comes from one case, that is the fragment's case."""
        names = {case for passage, (_, case, _) in self.passage_rows if passage in self.checked_passages()}
        ids = {name: cid for cid, name in self.cases}
        if len(names) == 1 and next(iter(names)) in ids:
            self._set_case(ids[next(iter(names))])

    def draft_summary(self) -> None:
        """Fill the summary editor with a draft from the ticked passages (undoable in the editor)."""
        texts = [self._texts[p] for p in self.checked_passages() if p in self._texts]
        if not texts:
            self.summary_error.setText("Tick the passages to draft from first.")
            return
        case = self.case.currentText() if self.case_id() is not None else None
        draft = framework.draft_summary(texts, actor=case)
        cursor = self.summary.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(draft)
        self.summary.setTextCursor(cursor)
        self.summary_error.setText("A draft: read it against the passages and edit it before saving.")
        self.summary.setFocus()

    def suggest_actors(self) -> None:
        """Offer the ticked passages' speakers and the actors named in them; refresh the completer."""
        checked = self.checked_passages()
        with self.project.read_session() as s:
            self.actor_model.setStringList(actor_names.actor_candidates(s, self.account_id, checked))
            speakers = actor_names.passage_speakers(s, checked)
        texts = [self._texts[p] for p in checked if p in self._texts]
        if not texts:
            self.actor_status.setText("Tick passages to get suggestions, or add actors below.")
            self.suggestions_ready = True
            return
        self.suggestions_ready = False
        self.actor_status.setText("Looking for actors in the passages…")
        known = list(dict.fromkeys([*self.known, *self.actor_model.stringList()]))
        known = [name for name in known if name not in actor_names.PRONOUNS]
        run_in_worker(lambda progress, cancel: suggest_actors(texts, known),
                      lambda names: self._on_suggested([*speakers, *names]), self._on_suggest_failed)

    def _on_suggested(self, names: list[str]) -> None:
        if not shiboken6.isValid(self):
            return
        for name in names:
            self._add_actor(name, checked=False)
        self.actor_status.setText("Tick the actors who take part in this fragment (suggested from the passages)."
                                  if names else "No actors found in the passages; add them below.")
        self.suggestions_ready = True

    def _on_suggest_failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            self.actor_status.setText("Suggestions are not available; add the actors below.")
            self.suggestions_ready = True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter in a field does not press Save (a button with focus is still pressed)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if isinstance(focus, QPushButton):
                focus.click()
            event.accept()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ saving
    def _save_if_allowed(self) -> None:
        if self.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled():
            self.save()

    def save(self) -> None:
        summary = self.summary.toPlainText().strip()
        if not summary:
            self.summary_error.setText("Write a summary first (or use Draft summary).")
            self.summary.setFocus()
            return
        if self.original is None:
            done, result = try_run(self, self.project, narrative.add_fragment, self.account_id, summary,
                                   act=self.act(), case_ref=self.case_id(), actors=self.actors_checked(),
                                   passages=self.checked_passages(), after=self.after)
            if done:
                self.fragment_id = result
                self.accept()
            return
        o = self.original
        case_names = {cid: name for cid, name in self.cases}
        changes: dict[str, Any] = {}
        if summary != o["summary"]:
            changes["summary"] = summary
        if self.act() != o["act"]:
            changes["act"] = self.act()
        if case_names.get(self.case_id()) != o["case"]:
            changes["case_ref"] = self.case_id()
        if sorted(self.actors_checked(), key=str.lower) != sorted(o["actors"], key=str.lower):
            changes["actors"] = self.actors_checked()
        if not changes or try_run(self, self.project, narrative.update_fragment, self.fragment_id, **changes)[0]:
            self.accept()


if __name__ == "__main__":
    from .demo import quick_look

    def _dialog(project: Any, account_id: int) -> FragmentDialog:
        with project.read_session() as s:
            rows = flowgraph.show(s, account_id)["passages"]
        return FragmentDialog(project, account_id, passages=[(p["source_id"], p["start"], p["end"]) for p in rows
                                                             if p["source"] == "P2_Dev.txt"])

    quick_look(_dialog, "fragment dialog", size=(760, 760), fragments=False)
