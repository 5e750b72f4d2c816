"""The Preferences dialog: a list of pages on the left, the chosen page on the right.

Pages are registered with :func:`register_page` (a title and a factory that
builds the page's widget), so other parts of the app can add theirs; the
Plugins page is registered here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .plugins_page import PluginsPage

PageFactory = Callable[[QWidget], QWidget]
_PAGES: list[tuple[str, PageFactory]] = [("Plugins", lambda parent: PluginsPage(parent))]


def register_page(title: str, factory: PageFactory, position: int | None = None) -> None:
    """Add a page to every Preferences dialog opened from now on (a page of that title is replaced)."""
    _PAGES[:] = [(t, f) for t, f in _PAGES if t != title]
    _PAGES.insert(len(_PAGES) if position is None else position, (title, factory))


class PreferencesDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, page: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PreferencesDialog")
        self.setWindowTitle("Preferences")
        self.resize(980, 560)
        self.nav = QListWidget()
        self.nav.setObjectName("PreferencesNav")
        self.nav.setFixedWidth(150)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        for title, factory in _PAGES:
            widget = factory(self)
            self.pages[title] = widget
            self.stack.addWidget(widget)
            self.nav.addItem(title)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(buttons)
        self.show_page(page or (_PAGES[0][0] if _PAGES else ""))

    def show_page(self, title: str) -> QWidget | None:
        titles = list(self.pages)
        if title not in self.pages:
            return None
        self.nav.setCurrentRow(titles.index(title))
        return self.pages[title]

    @property
    def plugins_page(self) -> PluginsPage:
        return self.pages["Plugins"]  # type: ignore[return-value]
