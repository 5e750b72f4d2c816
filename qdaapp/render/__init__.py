"""Headless drawing with Qt (flow charts, charts) shared by the app and the command line."""
