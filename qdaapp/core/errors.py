"""Errors a user can act on.

Every exception here carries a message written for the person at the
keyboard: what happened, to which file or item, and what they can do. The CLI
prints it on one line; the GUI shows it in a dialog. Anything else that
escapes is a bug and goes to the log.
"""

from __future__ import annotations


class QdaError(Exception):
    """Base class: ``str(err)`` is the message shown to the user."""


class ProjectError(QdaError):
    """The project file cannot be opened, created or written."""


class ProjectInUse(ProjectError):
    """Another window or program has the project open for writing."""


class ProjectDamaged(ProjectError):
    """The project file is damaged (SQLite or its integrity check says so); it refuses writes."""

    def __init__(self, message: str, backups: tuple[str, ...] = ()) -> None:
        self.backups = backups
        super().__init__(message)


class ReadOnlyPlace(ProjectError):
    """The project is in a read-only folder or is a read-only file: it can be read, not changed."""

    def __init__(self, message: str, reason: str) -> None:
        self.reason = reason
        super().__init__(message)


class DiskFull(QdaError):
    """The disk (or the user's quota) is full. The change being made was not saved; nothing
    saved before it was lost."""

    def __init__(self, folder: str, what: str = "") -> None:
        self.folder = folder
        doing = f" while {what}" if what else ""
        super().__init__(
            f"The disk is full: there is no space left in {folder}{doing}. Nothing was lost: what was "
            "saved before is intact, and the unfinished change was not kept. Free some space and try again."
        )


class NeedsUpgrade(ProjectError):
    """The project uses an older schema; it must be opened for writing once to upgrade."""


class ImportFailure(QdaError):
    """A file could not be imported. The project is unchanged."""

    def __init__(self, path: str, problem: str, advice: str = "") -> None:
        self.path = path
        self.problem = problem
        self.advice = advice
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        message = f"{name} could not be imported: {problem}"
        if advice:
            message += f" {advice}"
        super().__init__(message)


class NotFound(QdaError):
    """A source, node, case or coding named by the user does not exist."""


class Conflict(QdaError):
    """The change would break a rule (duplicate name, duplicate file...)."""


class InvalidInput(QdaError):
    """A value the user gave is out of range or malformed."""
