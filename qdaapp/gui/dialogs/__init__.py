"""Dialogs: import, nodes, cases, quick pick, messages."""
