"""The project's speech-act lexicon: acts and their marker phrases, edited through audited commands.

Every button runs :func:`qdaapp.core.lexicon.edit_lexicon` through
``project.run`` (so the edit is audited, undoable and raises the lexicon's
version) and redraws. Problems (a phrase that is already a marker, a phrase
with no words) are shown under the list, not in a message box.
Signal: ``lexiconChanged(str name, int version)``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import lexicon
from qdaapp.core.errors import QdaError
from qdaapp.core.lexicon import LexiconSpec
from qdaapp.core.review import ACT_COLORS
from qdaapp.gui.dialogs.messages import show_error
from qdaapp.gui.models.node_tree import swatch
from qdaapp.gui.search.common import ChangeBridge, MessageLabel, plural

HELP = ("Phrases match word forms: 'have to' also finds 'had to'. * stands for any one word, a|b for either word, "
        "<past> (last) for a verb in the past tense ('we <past>' finds 'we started'), =word (last) for that "
        "written form only ('it =worked'). Excluded uses ('have to do with') are never counted as the act.")
ROLE = Qt.ItemDataRole.UserRole + 1  # ("act", name) | ("phrase", text, act) | ("exclude", text, act) | ("group", act)


class LexiconEditor(QDialog):
    lexiconChanged = Signal(str, int)

    def __init__(self, project: Any, name: str = "greimas-en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.name = name
        self.spec: LexiconSpec | None = None
        self.setWindowTitle("Speech-act lexicon")
        self.resize(720, 620)
        self.title = QLabel()
        self.title.setObjectName("PanelHeader")
        help_label = QLabel(HELP)
        help_label.setWordWrap(True)
        help_label.setObjectName("Muted")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Act and marker phrases", "Note"])
        self.tree.setColumnWidth(0, 270)
        self.add_button = QPushButton("Add phrase…")
        self.move_button = QPushButton("Move to act…")
        self.remove_button = QPushButton("Remove")
        self.exclude_button = QPushButton("Exclude a use…")
        self.add_button.setToolTip("Add a marker phrase to the selected act")
        self.move_button.setToolTip("Count the selected phrase as another speech act")
        self.remove_button.setToolTip("Stop using the selected phrase as a marker "
                                      "(Ctrl+Z in the main window undoes it)")
        self.exclude_button.setToolTip("A use of a phrase that is not this act, such as 'have to do with'")
        self.message = MessageLabel()
        buttons = QVBoxLayout()
        for b in (self.add_button, self.move_button, self.remove_button, self.exclude_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.tree, 1)
        middle.addLayout(buttons)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(help_label)
        layout.addLayout(middle, 1)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.add_button.clicked.connect(lambda: self.add_phrase())
        self.move_button.clicked.connect(lambda: self.move_phrase())
        self.remove_button.clicked.connect(lambda: self.remove_phrase())
        self.exclude_button.clicked.connect(lambda: self.exclude_use())
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self._bridge = ChangeBridge(self)
        self._bridge.changed.connect(self._on_project_change)
        self._bridge.attach(project)
        self.finished.connect(lambda _r: self._bridge.detach())
        self.reload()

    # -- content -------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return self.spec.version if self.spec else 0

    def reload(self) -> None:
        keep = self._selected()
        try:
            with self.project.read_session() as s:
                self.spec = lexicon.load(s, self.name)
        except QdaError as exc:
            self.spec = None
            self.tree.clear()
            self.message.show_error(str(exc))
            self._update_buttons()
            return
        spec = self.spec
        self.title.setText(f"<b>{spec.name}</b> · version {spec.version} · {plural(spec.phrase_count(), 'phrase')}"
                           f"<br><span style='color:#6b6b6b'>{spec.description}</span>")
        self.tree.clear()
        muted, negative = QColor("#6B6B6B"), QColor("#B3261E")
        italic = QFont(self.tree.font())
        italic.setItalic(True)
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for act in spec.acts.values():
            top = QTreeWidgetItem([f"{act.label}  ({len(act.phrases)})", f"stage {act.stage} · {act.description}"])
            top.setIcon(0, swatch(ACT_COLORS.get(act.name, "#999999")))
            top.setFont(0, bold)
            top.setForeground(1, muted)
            top.setToolTip(0, act.description)
            top.setToolTip(1, act.description)
            top.setData(0, ROLE, ("act", act.name))
            self.tree.addTopLevelItem(top)
            for phrase in act.phrases:
                item = QTreeWidgetItem([phrase.text, "negative: hits count as 'not'" if phrase.polarity == "negative"
                                        else ""])
                item.setForeground(1, negative)
                group = spec.groups.get(phrase.group or "")
                if group is not None:
                    off = "" if group.enabled else " · off by default"
                    item.setText(1, f"{group.label}{off}")
                    item.setForeground(1, muted)
                    item.setToolTip(1, f"{group.description} Tick the group in Run marker search to use it.")
                    if not group.enabled:
                        item.setForeground(0, muted)
                item.setData(0, ROLE, ("phrase", phrase.text, act.name))
                top.addChild(item)
            if act.exclude:
                group = QTreeWidgetItem(["Excluded uses", f"these never count as {act.label.lower()}"])
                group.setForeground(1, muted)
                group.setFont(0, italic)
                group.setForeground(0, muted)
                group.setData(0, ROLE, ("group", act.name))
                top.addChild(group)
                for text in act.exclude:
                    item = QTreeWidgetItem([text])
                    item.setForeground(0, muted)
                    item.setData(0, ROLE, ("exclude", text, act.name))
                    group.addChild(item)
                group.setExpanded(True)
            top.setExpanded(True)
        self._reselect(keep)
        self._update_buttons()

    def _selected(self) -> tuple | None:
        item = self.tree.currentItem()
        return item.data(0, ROLE) if item is not None else None

    def _reselect(self, data: tuple | None) -> None:
        if not data:
            return
        for item in self._items():
            if item.data(0, ROLE) == data or (data[0] == "phrase" and item.data(0, ROLE)[:2] == data[:2]):
                self.tree.setCurrentItem(item)
                return

    def _items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []

        def walk(item: QTreeWidgetItem) -> None:
            out.append(item)
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i))
        return out

    def select(self, kind: str, text: str) -> bool:
        """Select an act (by name) or a phrase (by text), for callers and tests."""
        for item in self._items():
            data = item.data(0, ROLE)
            if data[0] == kind and data[1] == text:
                self.tree.setCurrentItem(item)
                return True
        return False

    def selected_act(self) -> str | None:
        data = self._selected()
        if not data:
            return None
        return data[1] if data[0] in ("act", "group") else data[2]

    def selected_phrase(self) -> str | None:
        data = self._selected()
        return data[1] if data and data[0] == "phrase" else None

    def _update_buttons(self) -> None:
        writable = self.spec is not None and not self.project.read_only
        self.add_button.setEnabled(writable and self.selected_act() is not None)
        self.exclude_button.setEnabled(writable and self.selected_act() is not None)
        self.move_button.setEnabled(writable and self.selected_phrase() is not None)
        self.remove_button.setEnabled(writable and self.selected_phrase() is not None)

    def _label(self, act: str) -> str:
        return self.spec.acts[act].label if self.spec and act in self.spec.acts else act

    # -- edits ---------------------------------------------------------------------------
    def _edit(self, done: str, **change: Any) -> bool:
        try:
            version = self.project.run(lexicon.edit_lexicon, self.name, editor=self.project.coder, **change)
        except QdaError as exc:
            self.message.show_error(str(exc))
            return False
        except Exception as exc:  # logged and shown by show_error
            show_error(self, exc)
            return False
        if self.version != version:  # the change listener has not redrawn yet
            self.reload()
        self.message.show_ok(f"{done} (lexicon version {version}). Run the marker search again to use it.")
        self.lexiconChanged.emit(self.name, int(version))
        return True

    def add_phrase(self, phrase: str | None = None, act: str | None = None) -> bool:
        act = act or self.selected_act()
        if act is None:
            self.message.show_note("Select the speech act the new phrase marks.")
            return False
        if phrase is None:
            phrase, ok = QInputDialog.getText(self, "Add a marker phrase",
                                              f"New marker phrase for {self._label(act)}:\n"
                                              "('have to' also finds 'had to'; * stands for any one word)")
            if not ok:
                return False
        phrase = phrase.strip()
        if not phrase:
            self.message.show_error("Type the words of the phrase, such as 'were asked to'.")
            return False
        if self._edit(f"Added '{phrase}' to {self._label(act)}", add=(act, phrase)):
            self.select("phrase", phrase)
            return True
        return False

    def move_phrase(self, phrase: str | None = None, act: str | None = None) -> bool:
        phrase = phrase or self.selected_phrase()
        if phrase is None or self.spec is None:
            self.message.show_note("Select the phrase to move.")
            return False
        if act is None:
            here = next((a.name for a in self.spec.acts.values() if any(p.text == phrase for p in a.phrases)), None)
            others = [a for a in self.spec.acts.values() if a.name != here]
            labels = [a.label for a in others]
            label, ok = QInputDialog.getItem(self, "Move a marker phrase", f"Count '{phrase}' as:", labels, 0, False)
            if not ok:
                return False
            act = next(a.name for a in others if a.label == label)
        if self._edit(f"Moved '{phrase}' to {self._label(act)}", move=(phrase, act)):
            self.select("phrase", phrase)
            return True
        return False

    def remove_phrase(self, phrase: str | None = None) -> bool:
        phrase = phrase or self.selected_phrase()
        if phrase is None:
            self.message.show_note("Select the phrase to remove.")
            return False
        return self._edit(f"Removed '{phrase}'", remove=phrase)

    def exclude_use(self, phrase: str | None = None, act: str | None = None) -> bool:
        act = act or self.selected_act()
        if act is None:
            self.message.show_note("Select the speech act the use should not count as.")
            return False
        if phrase is None:
            start = self.selected_phrase() or ""
            phrase, ok = QInputDialog.getText(self, "Exclude a use",
                                              f"A use that is not {self._label(act).lower()},\n"
                                              "for example 'have to do with':", text=start)
            if not ok:
                return False
        phrase = phrase.strip()
        if not phrase:
            self.message.show_error("Type the words of the use to exclude, such as 'have to do with'.")
            return False
        return self._edit(f"'{phrase}' no longer counts as {self._label(act).lower()}", exclude=(act, phrase))

    def _on_project_change(self, change: Any) -> None:
        if change.touches("lexicon"):
            self.reload()


if __name__ == "__main__":
    from qdaapp.gui.search._demo import run_standalone

    def make(project: Any) -> QWidget:
        editor = LexiconEditor(project)
        editor.select("phrase", "have to")
        return editor

    run_standalone(make, "Speech-act lexicon", markers=False, index=False, size=(720, 620))
