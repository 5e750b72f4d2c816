"""qdaapp plugin: speech-act marker density per case and per act.

:mod:`.density` computes the figures (no Qt); :mod:`.chart` draws them with
QPainter and is imported only when a chart is exported.
"""
