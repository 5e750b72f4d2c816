"""qdaapp plugin: readers for OpenDocument text (.odt) and Rich Text (.rtf) files.

The readers live in :mod:`.odt` and :mod:`.rtf` and are imported only when a
file of their type is first read.
"""
