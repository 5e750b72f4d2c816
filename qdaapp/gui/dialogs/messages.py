"""Messages for people: errors they can act on, questions, and the log for the rest.

Every message box the app shows goes through these functions, which call the
static :class:`QMessageBox` helpers (tests replace those to capture text).
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from qdaapp.core.errors import QdaError
from qdaapp.core.logs import log_exception

APP_TITLE = "qdaapp"


def error_text(exc: BaseException) -> str:
    """The user-facing text for ``exc``; unexpected errors are logged first."""
    if isinstance(exc, QdaError):
        return str(exc)
    path = log_exception(exc)
    return (
        "Something went wrong and the last action did not finish. Your project is unchanged.\n\n"
        f"The details were written to {path}. Help ▸ Show log file opens its folder."
    )


def show_error(parent: QWidget | None, exc: BaseException, title: str = APP_TITLE) -> None:
    text = error_text(exc)
    if isinstance(exc, QdaError):
        QMessageBox.warning(parent, title, text)
    else:
        QMessageBox.critical(parent, title, text)


def inform(parent: QWidget | None, text: str, title: str = APP_TITLE) -> None:
    QMessageBox.information(parent, title, text)


def warn(parent: QWidget | None, text: str, title: str = APP_TITLE) -> None:
    QMessageBox.warning(parent, title, text)


def confirm(parent: QWidget | None, text: str, title: str = APP_TITLE, default_yes: bool = False) -> bool:
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    default = QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, text, buttons, default) == QMessageBox.StandardButton.Yes
