"""The Scope button of the search panel: which sources, or which coded text, to search.

One choice of sources (all; chosen sources; one kind; the cases where an
attribute has a value) and, on top, an optional restriction to text coded
at some nodes. ``scopeChanged`` fires after every change; :meth:`scope`
gives the :class:`~qdaapp.core.search.Scope` and :meth:`describe` the words
for the button and the count label.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QMenu, QToolButton, QWidget

from qdaapp.core import cases, nodes, sources
from qdaapp.core.search import Scope
from qdaapp.gui.models.node_tree import swatch
from qdaapp.gui.search.common import KIND_LABELS, ChecklistDialog, plural


class AttributeDialog(QDialog):
    """Cases where ATTRIBUTE = VALUE: two lists filled from the project's cases."""

    def __init__(self, parent: QWidget | None, values: dict[str, list[str]],
                 current: tuple[str, str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search the sources of some cases")
        self._values = values
        self.attribute = QComboBox()
        self.attribute.addItems(sorted(values))
        self.value = QComboBox()
        intro = QLabel("Search only the sources of cases whose attribute has this value:")
        intro.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow("Attribute:", self.attribute)
        form.addRow("Value:", self.value)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.attribute.currentTextChanged.connect(self._fill_values)
        if current and current[0] in values:
            self.attribute.setCurrentText(current[0])
        self._fill_values(self.attribute.currentText())
        if current:
            self.value.setCurrentText(current[1])

    def _fill_values(self, name: str) -> None:
        self.value.clear()
        self.value.addItems(self._values.get(name, []))

    def choice(self) -> tuple[str, str] | None:
        name, value = self.attribute.currentText(), self.value.currentText()
        return (name, value) if name and value else None


class ScopeButton(QToolButton):
    scopeChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Any = None
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolTip("Choose which sources (or which coded text) to search")
        self._source_ids: list[int] | None = None
        self._kind: str | None = None
        self._attribute: tuple[str, str] | None = None
        self._node_ids: list[int] | None = None
        self._source_label = "All sources"
        self._node_label = ""
        menu = QMenu(self)
        group = QActionGroup(self)
        self.all_action = self._add(menu, group, "All sources", self.choose_all)
        self.sources_action = self._add(menu, group, "Chosen sources…", self.choose_sources)
        menu.addSeparator()
        self.kind_actions: dict[str, QAction] = {}
        for kind, label in KIND_LABELS.items():
            self.kind_actions[kind] = self._add(menu, group, label, lambda _c=False, k=kind: self.choose_kind(k))
        menu.addSeparator()
        self.attribute_action = self._add(menu, group, "Cases where ATTRIBUTE = VALUE…", self.choose_attribute)
        menu.addSeparator()
        self.nodes_action = menu.addAction("Only text coded at nodes…")
        self.nodes_action.setCheckable(True)
        self.nodes_action.setToolTip("Tick again to search all text of the chosen sources")
        self.nodes_action.triggered.connect(self._on_nodes_triggered)
        self.setMenu(menu)
        self.all_action.setChecked(True)
        self._update_text()

    @staticmethod
    def _add(menu: QMenu, group: QActionGroup, text: str, slot: Any) -> QAction:
        action = menu.addAction(text)
        action.setCheckable(True)
        group.addAction(action)
        action.triggered.connect(lambda _c=False: slot())
        return action

    # -- state -------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self.project = project
        self.choose_all(emit=False)
        self.set_nodes(None, emit=False)

    def scope(self) -> Scope:
        return Scope(source_ids=list(self._source_ids) if self._source_ids else None,
                     kinds=[self._kind] if self._kind else None,
                     case_attribute=self._attribute, node_ids=list(self._node_ids) if self._node_ids else None)

    def describe(self) -> str:
        return self._source_label + (f" · {self._node_label}" if self._node_label else "")

    def _update_text(self) -> None:
        self.setText(f"Scope: {self.describe()}  ")
        self.all_action.setChecked(self._source_ids is None and self._kind is None and self._attribute is None)
        self.nodes_action.setChecked(bool(self._node_ids))

    def _set_sources(self, label: str, source_ids: list[int] | None = None, kind: str | None = None,
                     attribute: tuple[str, str] | None = None, emit: bool = True) -> None:
        self._source_label, self._source_ids, self._kind, self._attribute = label, source_ids, kind, attribute
        self._update_text()
        if emit:
            self.scopeChanged.emit()

    # -- choices (the ones with a dialog take an optional answer, for tests and callers) --
    def choose_all(self, emit: bool = True) -> None:
        self._set_sources("All sources", emit=emit)

    def choose_kind(self, kind: str) -> None:
        self.kind_actions[kind].setChecked(True)
        self._set_sources(KIND_LABELS.get(kind, kind), kind=kind)

    def choose_sources(self, source_ids: list[int] | None = None) -> None:
        if self.project is None:
            return
        with self.project.read_session() as s:
            infos = sources.list_sources(s)
        if source_ids is None:
            dialog = ChecklistDialog(self, "Search chosen sources", "Tick the sources to search:",
                                     [(i.id, i.name) for i in infos], self._source_ids or [], "Search these")
            if dialog.exec() != QDialog.DialogCode.Accepted:
                self._update_text()
                return
            source_ids = dialog.checked()
        names = [i.name for i in infos if i.id in set(source_ids)]
        label = names[0] if len(names) == 1 else plural(len(names), "chosen source")
        self.sources_action.setChecked(True)
        self._set_sources(label, source_ids=list(source_ids))

    def choose_attribute(self, choice: tuple[str, str] | None = None) -> None:
        if self.project is None:
            return
        if choice is None:
            with self.project.read_session() as s:
                values: dict[str, set[str]] = {}
                for case in cases.list_cases(s):
                    for name, value in case.attributes.items():
                        values.setdefault(name, set()).add(value)
            if not values:
                from qdaapp.gui.dialogs.messages import inform

                inform(self, "No case has attributes yet. Give cases attributes such as role or site "
                             "(Sources panel ▸ case ▸ Properties), then search by them.")
                self._update_text()
                return
            dialog = AttributeDialog(self, {k: sorted(v) for k, v in values.items()}, self._attribute)
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.choice() is None:
                self._update_text()
                return
            choice = dialog.choice()
        self.attribute_action.setChecked(True)
        self._set_sources(f"cases where {choice[0]} = {choice[1]}", attribute=choice)

    def _on_nodes_triggered(self, checked: bool) -> None:
        if checked:
            self.choose_nodes()
        else:
            self.set_nodes(None)

    def choose_nodes(self, node_ids: list[int] | None = None) -> None:
        if self.project is None:
            return
        with self.project.read_session() as s:
            infos = nodes.list_nodes(s)
        if node_ids is None:
            colors = {n.id: n.color for n in infos}
            dialog = ChecklistDialog(self, "Search coded text", "Search only the text coded at these nodes:",
                                     [(n.id, n.path) for n in infos], self._node_ids or [], "Search this text",
                                     icon_for=lambda key: swatch(colors[key]))
            if dialog.exec() != QDialog.DialogCode.Accepted:
                self._update_text()
                return
            node_ids = dialog.checked()
        self.set_nodes(node_ids, {n.id: n.path for n in infos})

    def set_nodes(self, node_ids: list[int] | None, paths: dict[int, str] | None = None,
                  emit: bool = True) -> None:
        self._node_ids = list(node_ids) if node_ids else None
        if self._node_ids:
            names = [(paths or {}).get(i, str(i)) for i in self._node_ids]
            self._node_label = "coded at " + (names[0] if len(names) == 1 else plural(len(names), "node"))
        else:
            self._node_label = ""
        self._update_text()
        if emit:
            self.scopeChanged.emit()
