"""Review comments in the window: add one on what you are looking at, and the review inbox.

A supervisor opens the project read-only and leaves comments on an event of the
audit trail, a coding stripe, a node, a fragment or the project (Review ▸ Add
review comment…, Ctrl+Shift+R, or the context menus). The student sees them in
the Review inbox dock, answers and marks them resolved. Comments live beside the
project (``core/review_comments.py``), so the project file never changes.

``install(window)`` adds the Review menu and the inbox dock and returns the
:class:`~.flow.ReviewFlow`; widgets offer the comment in their context menus
through :func:`.hooks.add_comment_item`.
"""

from __future__ import annotations

from typing import Any

from .flow import ReviewFlow


def install(window: Any) -> ReviewFlow:
    return ReviewFlow(window)


__all__ = ["ReviewFlow", "install"]
