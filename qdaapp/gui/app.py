"""Start the app: QApplication, a calm look, the main window, and an optional project."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from qdaapp import __version__

ORGANISATION = "qdaapp"
APP_NAME = "qdaapp"

ACCENT = "#2F6FA3"
STYLE_SHEET = f"""
QMainWindow::separator {{ background: #E4E1DA; width: 4px; height: 4px; }}
QDockWidget {{ font-weight: 600; }}
QDockWidget::title {{ background: #ECE9E2; padding: 6px 8px; border-bottom: 1px solid #DAD6CC; }}
QTreeView, QListView, QTableView {{ border: none; }}
QTreeView::item, QListView::item {{ padding: 3px 2px; }}
QTabBar::tab {{ padding: 6px 10px 6px 14px; }}
QToolButton#TabClose {{ border: none; border-radius: 3px; padding: 0 3px; color: #6B6B6B; }}
QToolButton#TabClose:hover {{ background: #E2DED5; color: #1F1F1F; }}
QLabel#BigButtonTitle {{ font-size: 11.5pt; font-weight: 600; background: transparent; }}
QLabel#BigButtonText {{ font-size: 9.5pt; background: transparent; }}
QStatusBar {{ background: #ECE9E2; border-top: 1px solid #DAD6CC; }}
QStatusBar QLabel {{ padding: 0 4px; }}
QLabel#ReadOnlyBadge {{ background: #8A5A00; color: white; border-radius: 8px; padding: 1px 10px; font-weight: 600; }}
QLabel#ReadOnlyBanner {{ background: #FFF4CE; color: #5C3D00; border-bottom: 1px solid #E0C97A; padding: 6px 12px; }}
QLabel#AuditChain {{ padding: 2px 0; }}
QLabel#PanelHint {{ color: #4F4B45; background: #FBF8F1; border: 1px dashed #D5CDBB; border-radius: 6px; }}
QLabel#PanelHeader {{ color: #3A3A3A; padding: 2px 0; }}
QLabel#Muted {{ color: #6B6B6B; }}
QPushButton#PrimaryButton {{ background: {ACCENT}; color: white; border: none; border-radius: 5px; padding: 7px 14px;
    font-weight: 600; margin: 4px; }}
QPushButton#PrimaryButton:hover {{ background: #275D89; }}
QWidget#Welcome {{ background: #F3F1EC; }}
QFrame#WelcomeCard {{ background: white; border: 1px solid #E0DCD2; border-radius: 12px; }}
QLabel#WelcomeTitle {{ font-size: 26pt; font-weight: 600; color: #24313D; }}
QLabel#WelcomeSubtitle {{ font-size: 12pt; color: #5A5A5A; }}
QLabel#WelcomeSection {{ font-size: 11pt; font-weight: 600; color: #3A3A3A; }}
QPushButton#BigButton, QPushButton#PrimaryBigButton {{ border: 1px solid #CFCABF; border-radius: 8px;
    background: #FAF9F6; }}
QPushButton#BigButton:hover {{ background: #F0EDE6; }}
QPushButton#BigButton QLabel#BigButtonTitle {{ color: #24313D; }}
QPushButton#BigButton QLabel#BigButtonText {{ color: #5F5F5F; }}
QPushButton#PrimaryBigButton {{ background: {ACCENT}; border: none; }}
QPushButton#PrimaryBigButton:hover {{ background: #275D89; }}
QPushButton#PrimaryBigButton QLabel {{ color: white; }}
QListWidget#RecentList::item {{ padding: 8px 6px; border-bottom: 1px solid #EEEAE2; }}
QFrame#QuickPick {{ background: white; border: 1px solid #B9B3A6; border-radius: 8px; }}
QLabel#QuickPickTitle {{ font-weight: 600; color: #24313D; }}
QLabel#QuickPickHint {{ color: #6B6B6B; font-size: 9pt; }}
QWidget#EmptyState {{ background: white; }}
"""


def calm_palette() -> QPalette:
    palette = QPalette()
    window, base, text = QColor("#F6F4EF"), QColor("#FFFFFF"), QColor("#1F1F1F")
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor("#F8F7F3"),
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor("#F1EFEA"),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.ToolTipBase: QColor("#FFFDF5"),
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.Highlight: QColor("#3A6EA5"),
        QPalette.ColorRole.HighlightedText: QColor("#FFFFFF"),
        QPalette.ColorRole.PlaceholderText: QColor("#8A8A8A"),
        QPalette.ColorRole.Link: QColor(ACCENT),
        QPalette.ColorRole.Mid: QColor("#CFCABF"),
    }
    for role, color in roles.items():
        palette.setColor(role, color)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9A968E"))
    return palette


GUI_SWITCH_INTERVAL = 0.001  # seconds


def configure_application(app: QApplication) -> None:
    """Names (so QSettings work), the Fusion style, the palette and the style sheet; and the
    interpreter handed back to the GUI thread within a millisecond while a worker computes
    (five by default), so scrolling stays smooth while a project's passages are read ahead."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(calm_palette())
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    configure_application(app)  # type: ignore[arg-type]
    return app  # type: ignore[return-value]


def run(project: str | None = None, demo: bool = False, read_only: bool = False) -> int:
    """Open the main window (with ``project``, or a fresh demo) and run until it closes."""
    app = make_application()
    from qdaapp.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    if demo:
        window.open_demo()
    elif project:
        window.open_project(str(Path(project)), read_only=read_only)
    return int(app.exec())
