"""Trust and ethics in the window: the audit trail viewer and the memo manager."""
