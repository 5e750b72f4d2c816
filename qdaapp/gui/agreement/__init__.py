"""Coder agreement in the app: the table of figures (nodes × sources) and the review of disagreements.

:func:`install` adds Analysis ▸ Coder agreement… to the main window.
"""

from __future__ import annotations

from typing import Any


def install(window: Any) -> Any:
    """Add the Coder agreement action to ``window``'s Analysis menu; returns its flow."""
    from qdaapp.gui.agreement.flow import AgreementFlow

    return AgreementFlow(window)
