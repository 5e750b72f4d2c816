"""Progress reporting and cancellation for long work, in plain Python.

Long functions in the core take a ``progress`` and a ``cancel`` argument. The
GUI passes objects whose callbacks post to the window; the CLI passes a
terminal bar. Both are optional: ``None`` means nobody is watching.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancelled(Exception):
    """Raised inside long work when the user pressed Cancel."""


class CancelToken:
    """A flag one thread sets and the worker checks between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if cancellation was asked for."""
        if self._event.is_set():
            raise Cancelled()


ProgressCallback = Callable[[int, int, str], None]


class Progress:
    """Counts steps of ``total`` and tells a callback ``(done, total, message)``."""

    def __init__(self, callback: ProgressCallback | None = None, total: int = 0) -> None:
        self._callback = callback
        self.total = total
        self.done = 0
        self.message = ""

    def start(self, total: int, message: str = "") -> None:
        self.total, self.done, self.message = total, 0, message
        self._emit()

    def advance(self, steps: int = 1, message: str | None = None) -> None:
        self.done = min(self.total, self.done + steps) if self.total else self.done + steps
        if message is not None:
            self.message = message
        self._emit()

    def _emit(self) -> None:
        if self._callback is not None:
            self._callback(self.done, self.total, self.message)


def checkpoint(cancel: CancelToken | None) -> None:
    """Raise :class:`Cancelled` if ``cancel`` is set; no-op for ``None``."""
    if cancel is not None:
        cancel.check()
