"""Search, marker review and narrative accounts in the main window.

Installs into the window:

* the **Search** and **Marker review** docks (bottom); accounts are listed
  under *Accounts* in the Sources tree, and in more detail in the
  **Accounts** dock (View ▸ Accounts, beside Sources);
* background indexing after a project opens or sources arrive, with its
  progress in the status bar;
* the **Analysis** menu: search all sources (Ctrl+Shift+F), run a marker
  search (Ctrl+Shift+K), review markers, edit the lexicon, new account, add
  the selection to an account (Ctrl+Shift+G), framework matrix;
* "Add to account…" in the document's context menu, on coded passages, on
  search results and on marker hits; all of them can also be dragged onto
  an account (in the Sources tree or the Accounts dock) or onto an open
  account's passage list, fragment list or flow chart;
* each account opens as a workspace tab with its flow chart; the framework
  matrix opens as a tab too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QInputDialog, QLabel, QLineEdit, QMenu, QWidget

from qdaapp.core import narrative
from qdaapp.core import search as search_ops
from qdaapp.core.errors import Conflict
from qdaapp.core.indexing import fts_available as indexing_available
from qdaapp.core.logs import log_exception
from qdaapp.gui.dialogs.messages import show_error
from qdaapp.gui.models.passage_drag import PassageDropTarget
from qdaapp.gui.narrative.add_to_account import add_to_account
from qdaapp.gui.narrative.framework_view import FrameworkView
from qdaapp.gui.narrative.workspace import AccountWorkspace
from qdaapp.gui.panels.accounts_panel import AccountsPanel
from qdaapp.gui.search.indexing import IndexingController
from qdaapp.gui.search.review_panel import ReviewPanel
from qdaapp.gui.search.search_panel import SearchPanel
from qdaapp.gui.workers import release_kept_data

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

Passage = tuple[int, int, int]
DOCK_HEIGHT = 320
NO_SELECTION = "Select some text in a document first, or choose coded passages, search results or marker hits."
LIST_NO_SELECTION = "Select the rows to add in the list first (the text selected in a document is left alone)."


class AnalysisPanels(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.workspaces: dict[int, AccountWorkspace] = {}
        self.framework: FrameworkView | None = None
        self.analysis_views: dict[str, QWidget] = {}

        self.indexer = IndexingController(parent=self)
        self.index_label = QLabel("")
        self.index_label.setObjectName("Muted")
        self.index_label.setVisible(False)
        window.statusBar().addWidget(self.index_label)
        self.indexer.progress.connect(self._on_index_progress)
        self.indexer.finished.connect(self._on_index_finished)
        self.indexer.failed.connect(lambda text: window.statusBar().showMessage(
            f"Search indexes could not be built: {text}", 10000))

        self.search = SearchPanel()
        self.search.setToolTip("Find words and phrases in every source (keyword in context)")
        self.search.set_indexer(self.indexer)
        self.search.load_when_shown = True
        self.review = ReviewPanel()
        self.review.setToolTip("Speech-act markers found in the sources, to accept or reject")
        self.review.set_indexer(self.indexer)
        self.review.load_when_shown = True
        self.accounts = AccountsPanel()
        self.search_dock = window.add_panel(self.search, "Search", "SearchDock", "bottom")
        self.search_dock.setProperty("preferredHeight", DOCK_HEIGHT)
        self.search_dock.visibilityChanged.connect(lambda shown: shown and self.search.ensure_loaded())
        self.review_dock = window.add_panel(self.review, "Marker review", "MarkerReviewDock", "bottom")
        self.review_dock.setProperty("preferredHeight", DOCK_HEIGHT)
        self.review_dock.visibilityChanged.connect(lambda shown: shown and self.review.ensure_loaded())
        self.accounts_dock = window.add_panel(self.accounts, "Accounts", "AccountsDock", "left", visible=False)

        self.search.openPassage.connect(lambda s, a, b: window.show_passage(s, a, b))
        self.review.openPassage.connect(lambda s, a, b: window.show_passage(s, a, b))
        self.accounts.openAccount.connect(self.open_account)
        self.accounts.newAccountRequested.connect(self.new_account)
        self.accounts.frameworkRequested.connect(self.open_framework)
        self.accounts.passagesDropped.connect(self.add_passages_to)
        window.accountRequested.connect(self.open_account)
        sp = window.sources_panel
        sp.accountActivated.connect(self.open_account)
        sp.newAccountRequested.connect(self.new_account)
        sp.frameworkRequested.connect(self.open_framework)
        sp.passagesDropped.connect(self.add_passages_to)
        from qdaapp.gui.similar.hooks import SimilarFinder

        self.similar = SimilarFinder(self)
        self._wire_result_views()
        self._make_actions()

    # -- project life cycle ----------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self.search.set_project(project)
        self.review.set_project(project)
        self.accounts.set_project(project)
        self.similar.set_project(project)
        if project is None:
            self.indexer.set_project(None)
            self.index_label.setVisible(False)
            self.workspaces.clear()
            self.analysis_views.clear()
            self.framework = None
            release_kept_data()
        else:
            self.indexer.set_project(project)  # builds missing indexes in the background
            self._warm_search()
        self.sync_actions()

    def _warm_search(self) -> None:
        """Read the keyword index's passages into memory on a worker, so the first search is as quick
        as the next ones (they are read again by themselves if an index changes), and the speakers'
        turns, so showing the Search panel (who interviews) does not read every source's text."""
        project = self.w.project
        if project is None or self.indexer.is_running():
            return
        from qdaapp.core import fts_text, speakers
        from qdaapp.gui.workers import building_kept_data, run_in_worker

        def work(_progress: Any, _cancel: Any) -> None:
            with building_kept_data(), project.read_session() as s:
                speakers.list_speakers(s)
                if indexing_available(s):
                    fts_text.keep(s)

        self.warm_job = run_in_worker(work, lambda _r: None, lambda exc: log_exception(exc))

    def _on_index_progress(self, _done: int, _total: int, _message: str) -> None:
        self.index_label.setText(self.indexer.status_text)
        self.index_label.setVisible(bool(self.index_label.text()))

    def _on_index_finished(self) -> None:
        self.index_label.setVisible(False)
        self.index_label.setText("")
        self._warm_search()

    # -- actions and the Analysis menu ----------------------------------------------------
    def _make_actions(self) -> None:
        w = self.w

        def action(text: str, slot: Any, shortcut: str | None = None, tip: str = "") -> QAction:
            a = QAction(text, w)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            if tip:
                a.setStatusTip(tip)
                a.setToolTip(tip)
            a.triggered.connect(lambda _checked=False: slot())
            return a

        self.find_action = action("&Search all sources…", self.show_search, "Ctrl+Shift+F",
                                  "Find words and phrases across the sources, with their context")
        self.markers_action = action("Run &marker search…", self.run_markers, "Ctrl+Shift+K",
                                     "Find the phrases that mark speech acts: have to, want to, able to, know how to…")
        self.review_action = action("&Review markers", self.show_review, None,
                                    "Accept or reject marker hits with A and R; accepted ones are coded")
        self.lexicon_action = action("Edit the speech-act &lexicon…", self.review.edit_lexicon, None,
                                     "Add, move or exclude marker phrases of this project's lexicon")
        self.new_account_action = action("New &account…", self.new_account, None,
                                         "An account gathers passages about one object of activity")
        self.add_action = action("Add selection to a&ccount…", self.add_selection_to_account, "Ctrl+Shift+G",
                                 "Put the selected text (or the chosen passages) into a narrative account")
        self.framework_action = action("&Framework matrix", self.open_framework, "Ctrl+Shift+X",
                                       "Cases by accounts or nodes, with a summary in each cell")
        self.needs_project = [self.find_action, self.review_action, self.framework_action]
        self.edits = [self.markers_action, self.lexicon_action, self.new_account_action, self.add_action]

        bar = w.menuBar()
        view_action = next((a for a in bar.actions() if a.menu() is w.actions.view_menu), None)
        menu = QMenu("&Analysis", bar)
        bar.insertMenu(view_action, menu) if view_action is not None else bar.addMenu(menu)
        menu.addActions([self.find_action])
        menu.addSeparator()
        menu.addActions([self.markers_action, self.review_action, self.lexicon_action, self.similar.action])
        menu.addSeparator()
        menu.addActions([self.new_account_action, self.add_action, self.framework_action])
        menu.addSeparator()
        self.plugin_menu = menu.addMenu("&Plugin analyses")
        self.plugin_menu.aboutToShow.connect(self._fill_plugin_menu)
        self._fill_plugin_menu()
        self.menu = menu
        menu.aboutToShow.connect(self.sync_actions)
        self.sync_actions()

    def _fill_plugin_menu(self) -> None:
        from qdaapp.core.plugins import registry

        self.plugin_menu.clear()
        try:
            found = registry().analyses()
        except Exception as exc:  # a broken plugin must not break the menu
            log_exception(exc)
            found = {}
        for name, spec in sorted(found.items()):
            a = self.plugin_menu.addAction(f"{spec.title or name}…", lambda n=name: self.open_plugin_analysis(n))
            a.setStatusTip(spec.description)
            a.setEnabled(self.w.project is not None)
        if not found:
            placeholder = self.plugin_menu.addAction("(no plugin adds an analysis; see Edit ▸ Preferences ▸ Plugins)")
            placeholder.setEnabled(False)

    def open_plugin_analysis(self, name: str) -> QWidget | None:
        """A plugin's analysis of the open project (its chart and table) as a workspace tab."""
        from qdaapp.core.plugins import registry
        from qdaapp.gui.panels.plugin_analyses import AnalysisView

        if self.w.project is None:
            return None
        try:
            spec = registry().analysis(name)
        except Exception as exc:
            show_error(self.w, exc)
            return None
        view = self.analysis_views.get(name)
        if view is None or view not in self.w.documents.workspaces():
            view = self.analysis_views[name] = AnalysisView(self.w.project, spec)
        else:
            view.refresh()
        self.w.open_central_tab(view, spec.title or name)
        return view

    def sync_actions(self) -> None:
        project = self.w.project
        for a in self.needs_project:
            a.setEnabled(project is not None)
        for a in self.edits:
            a.setEnabled(project is not None and not project.read_only)

    # -- search and markers ---------------------------------------------------------------
    def show_search(self) -> None:
        if self.w.project is None:
            return
        self.w.show_dock(self.search_dock)
        view = self.w.documents.current_view()
        span = view.selected_span() if view is not None else None
        selected = view.text()[span[0]:span[1]] if span is not None else ""
        if selected and "\n" not in selected and len(selected) < 80:
            self.search.query_edit.setText(f'"{selected.strip()}"' if " " in selected.strip() else selected.strip())
        self.search.query_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.query_edit.selectAll()

    def show_review(self) -> None:
        if self.w.project is None:
            return
        self.w.show_dock(self.review_dock)
        self.review.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def run_markers(self) -> None:
        if self.w.project is None or self.w.project.read_only:
            return
        self.show_review()
        self.review.run_marker_search()

    # -- accounts ---------------------------------------------------------------------------
    def new_account(self) -> int | None:
        project = self.w.project
        if project is None or project.read_only:
            return None
        title, ok = QInputDialog.getText(
            self.w, "New account",
            "The object of the activity this account is about,\ne.g. “Developing a smoking cessation referral "
            "system”:", QLineEdit.EchoMode.Normal, "")
        if not ok or not title.strip():
            return None
        done, account_id = self.w.runner.run(narrative.create_account, title.strip(), created_by=project.coder)
        if not done:
            return None
        self.open_account(int(account_id))
        return int(account_id)

    def open_account(self, account_id: int) -> AccountWorkspace | None:
        project = self.w.project
        if project is None:
            return None
        workspace = self.workspaces.get(account_id)
        if workspace is None or workspace not in self.w.documents.workspaces():
            try:
                workspace = AccountWorkspace(project, account_id)
            except Exception as exc:  # the account is gone (undone, deleted)
                show_error(self.w, exc)
                return None
            workspace.openPassage.connect(lambda s, a, b: self.w.show_passage(s, a, b))
            workspace.titleChanged.connect(lambda title, ws=workspace: self._retitle(ws, title))
            workspace.accountRemoved.connect(lambda aid: self._close_account(aid))
            workspace.similarPassages.connect(lambda passages: self.similar.find_passages(passages))
            workspace.similarFragment.connect(self.similar.find_fragment)
            for target in (workspace.flowchart.viewport(), workspace.fragments.viewport()):
                PassageDropTarget(target, lambda passages, aid=account_id: self.add_passages_to(aid, passages))
            self.workspaces[account_id] = workspace
        self.w.open_central_tab(workspace, workspace.title or "Account")
        return workspace

    def _retitle(self, workspace: QWidget, title: str) -> None:
        tabs = self.w.documents.tabs
        index = tabs.indexOf(workspace)
        if index >= 0:
            tabs.setTabText(index, title)
            tabs.setTabToolTip(index, title)

    def _close_account(self, account_id: int) -> None:
        workspace = self.workspaces.pop(account_id, None)
        if workspace is not None:
            self.w.documents.close_workspace(workspace)

    def open_framework(self) -> FrameworkView | None:
        project = self.w.project
        if project is None:
            return None
        if self.framework is None or self.framework not in self.w.documents.workspaces():
            self.framework = FrameworkView(project)
            self.framework.openPassage.connect(lambda s, a, b: self.w.show_passage(s, a, b))
            self.framework.openAccount.connect(self.open_account)
        self.w.open_central_tab(self.framework, "Framework matrix")
        return self.framework

    def add_passages_to(self, account_id: int, passages: list[Passage]) -> int:
        """Add ``passages`` to account ``account_id`` (a drop on an account); how many were new."""
        project = self.w.project
        if project is None or project.read_only or not passages:
            return 0
        added = 0
        for sid, start, end in passages:
            try:
                self.w.runner.call(narrative.add_passage, account_id, sid, start, end, added_by=project.coder)
                added += 1
            except Conflict:
                continue
            except Exception as exc:
                show_error(self.w, exc)
                break
        title = self.w.sources_panel.model.account_titles.get(account_id, "the account")
        self.w.statusBar().showMessage(
            f"Added {added} passage{'s' if added != 1 else ''} to “{title}”." if added
            else f"Already in “{title}”.", 6000)
        return added

    def add_to_account(self, passages: list[Passage]) -> int | None:
        """Ask which account (or a new one) and add ``passages``; the account id or None."""
        project = self.w.project
        if project is None or project.read_only:
            return None
        if not passages:
            self.w.statusBar().showMessage(NO_SELECTION, 6000)
            return None
        account_id = add_to_account(self.w, project, passages)
        if account_id is not None:
            self.w.statusBar().showMessage(
                "Added to the account. Double-click it under Accounts in Sources to open its flow chart.", 6000)
        return account_id

    def add_selection_to_account(self) -> int | None:
        """Ctrl+Shift+G: the rows selected in the focused result list, else the document selection."""
        focused = self.focused_list()
        passages = self.current_passages()
        if focused is not None and not passages:
            self.w.statusBar().showMessage(LIST_NO_SELECTION, 6000)
            return None
        return self.add_to_account(passages)

    def focused_list(self) -> QAbstractItemView | None:
        """The search results, marker review queue or coded passages list when it (or its editor) has focus."""
        focus = QApplication.focusWidget() or self.w.focusWidget()
        if focus is None:
            return None
        return next((view for view, _picker in self._result_lists() if focus is view or view.isAncestorOf(focus)),
                    None)

    def current_passages(self) -> list[Passage]:
        """What Ctrl+Shift+G acts on. A result list with focus speaks for itself: its selected rows, or
        nothing; the text selected in a document (perhaps long ago) counts only when no list has focus."""
        focused = self.focused_list()
        if focused is not None:
            return dict(self._result_lists())[focused]()
        selection = self.w.coding.selection()
        return [selection] if selection is not None else []

    def _result_lists(self) -> list[tuple[QAbstractItemView, Any]]:
        return [(self.search.table, self.search_passages), (self.review.tree, self.review_passages),
                (self.w.passages.table, self.coded_passages)]

    # -- passages picked in the result views ------------------------------------------------
    def search_passages(self) -> list[Passage]:
        """The selected keyword hits, each widened to its sentence."""
        project = self.w.project
        rows = self.search.selected_rows()
        hits = [self.search.model.hit(r) for r in rows]
        out: list[Passage] = []
        with project.read_session() as s:
            for h in hits:
                if h is None:
                    continue
                start, end = search_ops.spread_span(s, h.source_id, h.start, h.end, "sentence")
                if (h.source_id, start, end) not in out:
                    out.append((h.source_id, start, end))
        return out

    def review_passages(self) -> list[Passage]:
        """The selected marker hits as their sentences; a selected marker row stands for its hits shown."""
        out: list[Passage] = []
        model = self.review.model
        for index in self.review.tree.selectionModel().selectedIndexes():
            hit = model.hit(index)
            group = model.marker_of(index) if hit is None and model.kind(index) == "marker" else None
            for h in ([hit] if hit is not None else group[2] if group is not None else []):
                p = (h.source_id, h.sentence_start, h.sentence_end)
                if p not in out:
                    out.append(p)
        return out

    def coded_passages(self) -> list[Passage]:
        out: list[Passage] = []
        for index in self.w.passages.table.selectionModel().selectedRows():
            p = self.w.passages.model.passage(index.row())
            if p is not None:
                out.append((p.source_id, p.start, p.end))
        return out

    def _wire_result_views(self) -> None:
        """Context menus with "Add to account…" and dragging out of the three result lists."""
        for view, picker, extra in ((self.search.table, self.search_passages, self._search_menu),
                                    (self.review.tree, self.review_passages, None),
                                    (self.w.passages.table, self.coded_passages, None)):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(
                lambda pos, v=view, p=picker, e=extra: self._result_menu(v, pos, p, e))
            view.setDragEnabled(True)
            view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.w.passages.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)

    def _search_menu(self, menu: QMenu) -> None:
        code = menu.addAction("Code results…", lambda: self.search.code_results())
        code.setEnabled(self.search.code_button.isEnabled())

    def _result_menu(self, view: QAbstractItemView, pos: QPoint, picker: Any, extra: Any) -> None:
        if self.w.project is None:
            return
        index = view.indexAt(pos)
        if index.isValid() and not view.selectionModel().isSelected(index):
            view.setCurrentIndex(index)
        passages = picker()
        menu = QMenu(view)
        show = menu.addAction("Show in document",
                              lambda: self.w.show_passage(*passages[0]) if passages else None)
        show.setEnabled(bool(passages))
        add = menu.addAction("Add to account…", lambda: self.add_to_account(passages))
        add.setShortcut(QKeySequence("Ctrl+Shift+G"))
        add.setEnabled(bool(passages) and not self.w.project.read_only)
        node = self.w.passages.node_id if view is self.w.passages.table else None
        like = menu.addAction("Find similar passages", lambda: self.similar.find_passages(passages, node))
        like.setShortcut(QKeySequence("Ctrl+Shift+L"))
        like.setEnabled(bool(passages))
        if extra is not None:
            menu.addSeparator()
            extra(menu)
        menu.exec(view.viewport().mapToGlobal(pos))
        menu.deleteLater()
