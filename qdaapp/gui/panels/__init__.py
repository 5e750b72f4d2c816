"""The docks and central panels of the main window."""
