"""qdaapp plugin: the French speech-act lexicon ``greimas-fr`` (data only, no code)."""
