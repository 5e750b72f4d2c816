"""Narrative views: the account workspace with its flow chart, the fragment
dialog, the framework matrix and "Add to account…".

Each widget takes an open :class:`~qdaapp.core.project.Project`, changes it only
through audited commands, and redraws itself when the project reports a
change (Undo and Redo included). Offsets are code points.

* ``AccountWorkspace(project, account_id)``: a central tab. Signals
  ``openPassage(source_id, start, end)``, ``fragmentSelected(id)``,
  ``titleChanged(title)``, ``accountRemoved(id)``.
* ``FlowchartView(project, account_id)``: the chart alone. Signals
  ``fragmentSelected(id)``, ``fragmentActivated(id)``, ``linkModeChanged(bool)``.
* ``FrameworkView(project, rows="cases", cols="accounts")``. Signals
  ``openPassage(source_id, start, end)``, ``openAccount(account_id)``.
* ``FragmentDialog(project, account_id, fragment_id=None, case_id=None, passages=None)``.
* ``qdaapp.gui.narrative.add_to_account.add_to_account(parent, project, [(source_id, start, end)])``
  asks which account (or a new one) and adds the passages; returns the account id or None.
"""

from importlib import import_module
from typing import Any

_WHERE = {"AccountWorkspace": "workspace", "AddToAccountDialog": "add_to_account", "FlowchartView": "flowchart_view",
          "FragmentDialog": "fragment_dialog", "FrameworkView": "framework_view"}
__all__ = ["AccountWorkspace", "AddToAccountDialog", "FlowchartView", "FragmentDialog", "FrameworkView"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so ``python -m qdaapp.gui.narrative.<module>`` runs each module once.
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)
