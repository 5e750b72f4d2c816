"""Qt item models over core queries (node tree, sources, coded passages)."""
