"""Find similar passages: a review queue of the passages most like some examples.

* :mod:`.model`: the results as rows (status, passage, shared words, source), draggable onto an account;
* :mod:`.panel`: the queue (keys A, R, Space, Shift+A), the chosen result's text with its shared
  words marked, and the node accepted results are coded at;
* :mod:`.hooks`: the **Find similar passages** action (Ctrl+Shift+L) and where it reads its examples: the
  selected node, coded passages, search results or marker hits, an account, or the document selection.
"""
