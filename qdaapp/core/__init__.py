"""The domain: everything qdaapp knows, importable without Qt."""
